/**
 * Administration of the Dataverse side of the connector through the Web API: reads what is registered (webhook
 * endpoint, steps, images, SDK message lookups; integration-log metadata) and sends the bodies of a plan the pure
 * core computed (lambdas/core/dataverse-admin). It decides nothing itself.
 */
import { PermanentError } from '../../core/errors';
import type { ChangeMessage } from '../../core/model/change-event';
import type {
  ExistingEndpoint,
  ExistingImage,
  ExistingStep,
  PlanOp,
  SchemaPlan,
  SchemaSettings,
  SchemaState,
  WebhookPlan,
  WebhookRegistrationState,
  WebhookTable,
} from '../../core/dataverse-admin';
import {
  bodyToSend,
  filterKey,
  integrationLogNames,
  SERVICE_ENDPOINT,
  WEBHOOK_MESSAGES,
  WEBHOOK_TABLES,
} from '../../core/dataverse-admin';
import { SYNCED_TABLES } from '../../core/model/change-event';
import type { DataverseSession } from './dataverse-writer';
import { assertOwnLink, guidKey, odataString } from './dataverse-writer';

type Row = Readonly<Record<string, unknown>>;

export interface WhoAmI {
  readonly userId: string;
  readonly organizationId?: string;
  readonly businessUnitId?: string;
}

export interface ApplyResult {
  readonly counts: Record<PlanOp, number>;
}

export interface AdminClientOptions {
  /** Metadata operations (creating a table) can take far longer than data calls. */
  readonly metadataTimeoutMs?: number;
  /** Adds created metadata to this unmanaged solution (MSCRM.SolutionUniqueName). */
  readonly solutionUniqueName?: string;
}

/**
 * Dataverse caches metadata for up to about 30 s, so a table created moments ago can read as missing (404) and a
 * second `setup-dataverse` run would try to create it again. This header asks for the current definitions.
 */
const FRESH_METADATA = { Consistency: 'Strong' } as const;

/** An `or` filter over many ids stays well under URL limits in chunks of this size. */
const ID_CHUNK = 20;

export class DataverseAdminClient {
  private readonly metadataTimeoutMs: number;

  constructor(
    private readonly session: DataverseSession,
    private readonly options: AdminClientOptions = {}
  ) {
    this.metadataTimeoutMs = options.metadataTimeoutMs ?? 120_000;
  }

  /** The calling (application) user: its systemuserid is what the ingress ignores to prevent loops. */
  async whoAmI(): Promise<WhoAmI> {
    const result = await this.session.call('WhoAmI', () => this.session.api.callFunction<Row>('WhoAmI'));
    const userId = typeof result?.UserId === 'string' ? result.UserId.toLowerCase() : undefined;
    if (!userId) throw new PermanentError('Dataverse WhoAmI returned no UserId', 'DATAVERSE_SHAPE');
    return {
      userId,
      ...(typeof result?.OrganizationId === 'string' ? { organizationId: result.OrganizationId.toLowerCase() } : {}),
      ...(typeof result?.BusinessUnitId === 'string' ? { businessUnitId: result.BusinessUnitId.toLowerCase() } : {}),
    };
  }

  async readWebhookState(
    endpointName: string,
    tables: readonly WebhookTable[] = WEBHOOK_TABLES
  ): Promise<WebhookRegistrationState> {
    const endpoint = await this.findEndpoint(endpointName);
    const steps = endpoint ? await this.stepsOf(endpoint.id) : [];
    const images = await this.imagesOf(steps.map((step) => step.id));
    const messageIds = await this.messageIds();
    const filterIds = await this.filterIds(tables, messageIds);
    return { endpoint, steps, images, messageIds, filterIds };
  }

  /** Sends the plan's writes in order; ids created early (endpoint, steps) feed the binds of later ones. */
  async applyWebhookPlan(plan: WebhookPlan): Promise<ApplyResult> {
    if (plan.problems.length > 0) {
      throw new PermanentError(`cannot register the webhook: ${plan.problems.join('; ')}`, 'DATAVERSE_REGISTRATION');
    }
    const counts: Record<PlanOp, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
    let endpointId = plan.actions.find((action) => action.collection === 'serviceendpoints')?.id;
    const stepIds = new Map<string, string>();
    for (const action of plan.actions) {
      const { collection } = action;
      if (action.op === 'unchanged') {
        counts.unchanged += 1;
        continue;
      }
      if (action.op === 'delete') {
        const key = guidKey(action.id ?? '');
        await this.session.call(`delete ${collection} ${key}`, () =>
          this.session.api.deleteRecord({ collection, key })
        );
      } else if (action.op === 'update') {
        const key = guidKey(action.id ?? '');
        const data = bodyToSend(action, { ...(endpointId ? { endpointId } : {}), stepIds });
        await this.session.call(
          `update ${collection} ${key}`,
          () => this.session.api.update({ collection, key, data, ifmatch: '*' }),
          { notFound: 'fail' }
        );
      } else {
        const data = bodyToSend(action, { ...(endpointId ? { endpointId } : {}), stepIds });
        const id = await this.session.call(
          `create ${collection}`,
          () => this.session.api.create<Row, unknown>({ collection, data }),
          { idempotent: false, notFound: 'fail' }
        );
        if (typeof id !== 'string') throw new PermanentError(`create ${collection}: no id returned`, 'DATAVERSE_SHAPE');
        if (collection === 'serviceendpoints') endpointId = id;
        if (collection === 'sdkmessageprocessingsteps') stepIds.set(action.key, id);
      }
      counts[action.op] += 1;
    }
    return { counts };
  }

  async readSchemaState(settings: SchemaSettings): Promise<SchemaState> {
    const names = integrationLogNames(settings.prefix);
    const entity = await this.session.call(`read table ${names.table}`, () =>
      this.session.api.retrieveEntity<Row>({
        key: `LogicalName='${names.table}'`,
        select: ['LogicalName', 'EntitySetName'],
        headers: { ...FRESH_METADATA },
        timeout: this.metadataTimeoutMs,
      })
    );
    const logTable = entity
      ? typeof entity.EntitySetName === 'string'
        ? { entitySetName: entity.EntitySetName }
        : {}
      : null;
    const attributes: Record<string, readonly string[]> = {};
    const missingTables: string[] = [];
    // Every synced table is read: the Regarding lookups need them all, even without the optional columns.
    for (const table of [...(logTable ? [names.table] : []), ...SYNCED_TABLES]) {
      const found = await this.attributeNames(table);
      if (found) attributes[table] = found;
      else missingTables.push(table);
    }
    return { logTable, attributes, missingTables };
  }

  async applySchemaPlan(plan: SchemaPlan): Promise<ApplyResult> {
    if (plan.problems.length > 0) {
      throw new PermanentError(`cannot set up Dataverse: ${plan.problems.join('; ')}`, 'DATAVERSE_SETUP');
    }
    const counts: Record<PlanOp, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
    const headers: Record<string, string> = {
      ...FRESH_METADATA,
      ...(this.options.solutionUniqueName ? { 'MSCRM.SolutionUniqueName': this.options.solutionUniqueName } : {}),
    };
    const common = { timeout: this.metadataTimeoutMs, headers };
    // A 404 here means the table to extend does not exist (e.g. no Sales tables): that must not pass for success.
    const once = { idempotent: false, notFound: 'fail' } as const;
    for (const action of plan.actions) {
      if (action.op === 'unchanged' || !action.body) {
        counts.unchanged += 1;
        continue;
      }
      const data = { ...action.body };
      const what = `create ${action.label}`;
      const { target } = action;
      // Metadata creates are not repeated after an uncertain outcome; re-running setup finds what was made.
      if (target.kind === 'entity') {
        await this.session.call(what, () => this.session.api.createEntity({ data, ...common }), once);
      } else if (target.kind === 'attribute') {
        const entityKey = `LogicalName='${target.entity}'`;
        await this.session.call(what, () => this.session.api.createAttribute({ entityKey, data, ...common }), once);
      } else {
        await this.session.call(what, () => this.session.api.createRelationship({ data, ...common }), once);
      }
      counts.create += 1;
    }
    return { counts };
  }

  private async findEndpoint(name: string): Promise<ExistingEndpoint | null> {
    const rows = await this.all('serviceendpoints', {
      select: ['serviceendpointid', 'name', 'url', 'contract', 'authtype', 'messageformat'],
      filter: `contract eq ${SERVICE_ENDPOINT.contract} and name eq ${odataString(name)}`,
    });
    const row = rows[0];
    if (!row) return null;
    return {
      id: text(row.serviceendpointid) ?? '',
      name: text(row.name) ?? name,
      url: text(row.url) ?? null,
      contract: num(row.contract),
      authtype: num(row.authtype),
      messageformat: num(row.messageformat),
    };
  }

  private async stepsOf(endpointId: string): Promise<ExistingStep[]> {
    const rows = await this.all('sdkmessageprocessingsteps', {
      select: [
        'sdkmessageprocessingstepid',
        'name',
        'stage',
        'mode',
        'rank',
        'supporteddeployment',
        'asyncautodelete',
        'filteringattributes',
        'statecode',
        '_sdkmessageid_value',
        '_sdkmessagefilterid_value',
      ],
      filter: `_eventhandler_value eq ${guidKey(endpointId)}`,
    });
    return rows.map((row) => ({
      id: text(row.sdkmessageprocessingstepid) ?? '',
      name: text(row.name) ?? '',
      stage: num(row.stage),
      mode: num(row.mode),
      rank: num(row.rank),
      supporteddeployment: num(row.supporteddeployment),
      asyncautodelete: typeof row.asyncautodelete === 'boolean' ? row.asyncautodelete : null,
      filteringattributes: text(row.filteringattributes) ?? null,
      statecode: num(row.statecode),
      sdkmessageid: text(row._sdkmessageid_value) ?? null,
      sdkmessagefilterid: text(row._sdkmessagefilterid_value) ?? null,
    }));
  }

  private async imagesOf(stepIds: readonly string[]): Promise<ExistingImage[]> {
    const images: ExistingImage[] = [];
    for (let start = 0; start < stepIds.length; start += ID_CHUNK) {
      const chunk = stepIds.slice(start, start + ID_CHUNK).map(guidKey);
      const rows = await this.all('sdkmessageprocessingstepimages', {
        select: [
          'sdkmessageprocessingstepimageid',
          'name',
          'entityalias',
          'imagetype',
          'messagepropertyname',
          'attributes',
          '_sdkmessageprocessingstepid_value',
        ],
        filter: chunk.map((id) => `_sdkmessageprocessingstepid_value eq ${id}`).join(' or '),
      });
      for (const row of rows) {
        images.push({
          id: text(row.sdkmessageprocessingstepimageid) ?? '',
          stepId: text(row._sdkmessageprocessingstepid_value) ?? '',
          name: text(row.name) ?? null,
          entityalias: text(row.entityalias) ?? null,
          imagetype: num(row.imagetype),
          messagepropertyname: text(row.messagepropertyname) ?? null,
          attributes: text(row.attributes) ?? null,
        });
      }
    }
    return images;
  }

  private async messageIds(): Promise<Partial<Record<ChangeMessage, string>>> {
    const rows = await this.all('sdkmessages', {
      select: ['sdkmessageid', 'name'],
      filter: WEBHOOK_MESSAGES.map((message) => `name eq ${odataString(message)}`).join(' or '),
    });
    const ids: Partial<Record<ChangeMessage, string>> = {};
    for (const row of rows) {
      const name = WEBHOOK_MESSAGES.find((message) => message === row.name);
      const id = text(row.sdkmessageid);
      if (name && id) ids[name] = id.toLowerCase();
    }
    return ids;
  }

  private async filterIds(
    tables: readonly WebhookTable[],
    messageIds: Partial<Record<ChangeMessage, string>>
  ): Promise<Record<string, string>> {
    const byMessageId = new Map(Object.entries(messageIds).map(([name, id]) => [id, name as ChangeMessage]));
    if (byMessageId.size === 0 || tables.length === 0) return {};
    const rows = await this.all('sdkmessagefilters', {
      select: ['sdkmessagefilterid', 'primaryobjecttypecode', '_sdkmessageid_value'],
      filter:
        `(${tables.map((table) => `primaryobjecttypecode eq ${odataString(table)}`).join(' or ')}) and ` +
        `(${[...byMessageId.keys()].map((id) => `_sdkmessageid_value eq ${id}`).join(' or ')})`,
    });
    const ids: Record<string, string> = {};
    for (const row of rows) {
      const message = byMessageId.get((text(row._sdkmessageid_value) ?? '').toLowerCase());
      const table = text(row.primaryobjecttypecode);
      const id = text(row.sdkmessagefilterid);
      if (message && table && id) ids[filterKey(table, message)] = id.toLowerCase();
    }
    return ids;
  }

  /** Logical names of a table's columns, or null when the table does not exist. */
  private async attributeNames(table: string): Promise<string[] | null> {
    const page = await this.session.call(`read columns of ${table}`, () =>
      this.session.api.retrieveAttributes<Row>({
        entityKey: `LogicalName='${table}'`,
        select: ['LogicalName'],
        headers: { ...FRESH_METADATA },
        timeout: this.metadataTimeoutMs,
      })
    );
    if (!page) return null;
    return page.value.map((row) => text(row.LogicalName)).filter((name): name is string => !!name);
  }

  /** Every row of a query, following nextLinks (bounded: registrations are a few dozen rows). */
  private async all(collection: string, query: { select: string[]; filter: string }): Promise<Row[]> {
    const rows: Row[] = [];
    let nextLink: string | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const link = nextLink;
      if (link !== undefined) assertOwnLink(this.session, link);
      const page = await this.session.call(`list ${collection}`, () =>
        this.session.api.retrieveMultiple<Row>({ collection, ...query }, link)
      );
      if (!page) break;
      rows.push(...page.value);
      nextLink = page.oDataNextLink;
      if (!nextLink) break;
    }
    return rows;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
