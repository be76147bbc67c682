/**
 * A small stateful Dataverse org for the admin tests, served by the shared fake HTTP server on 127.0.0.1: enough
 * of the Web API for webhook registration (serviceendpoints, steps, images, SDK message lookups, WhoAmI), the
 * metadata endpoints (EntityDefinitions, Attributes, RelationshipDefinitions) and plain record writes. Rows are kept
 * in memory; every request is recorded by the underlying server so tests can check exactly what was sent.
 *
 * It refuses what a real org refuses (shapes from sandbox/dataverse/web-api-shapes.ts): metadata bodies missing
 * documented properties, webhook rows with out-of-range values, writes to entity sets that do not exist, columns a
 * table lacks, text longer than its column, and `@odata.bind` through a navigation property the table does not
 * declare (case sensitive, like Dataverse).
 */
import { randomUUID } from 'node:crypto';
import {
  attributeProblems,
  entityProblems,
  navigationPropertyOf,
  oneToManyProblems,
  serviceEndpointProblems,
  stepImageProblems,
  stepProblems,
  undeclaredBinds,
  undeclaredPropertyMessage,
} from '../../../sandbox/dataverse/web-api-shapes';
import { planIntegrationSchema } from '../../../lambdas/core/dataverse-admin';
import { DataverseAdminClient } from '../../../lambdas/adapters/dataverse/dataverse-admin-client';
import { createStaticTokenSource } from '../../../lambdas/adapters/dataverse/dataverse-token-source';
import { DataverseSession } from '../../../lambdas/adapters/dataverse/dataverse-writer';
import type { FakeHttpServer, FakeReply, RecordedRequest } from '../../helpers/fake-http-server';
import { startFakeHttpServer } from '../../helpers/fake-http-server';
import { withoutProxy } from '../../helpers/no-proxy';

type Row = Record<string, unknown>;

const API = '/api/data/v9.2/';
const ID_COLUMNS: Record<string, string> = {
  serviceendpoints: 'serviceendpointid',
  sdkmessageprocessingsteps: 'sdkmessageprocessingstepid',
  sdkmessageprocessingstepimages: 'sdkmessageprocessingstepimageid',
  sdkmessages: 'sdkmessageid',
  sdkmessagefilters: 'sdkmessagefilterid',
};

export interface FakeTable {
  entitySetName: string;
  /** Column logical names (lower case). */
  attributes: Set<string>;
  /** Definitions of the columns created through the metadata API, by logical name. */
  columns: Map<string, Row>;
  /** Single-valued navigation properties (case sensitive) → the lookup column they write. */
  navigation: Map<string, string>;
}

/** Record sets whose rows are checked against the webhook registration shapes. */
const ROW_CHECKS: Record<string, (body: Row, creating: boolean) => string[]> = {
  serviceendpoints: serviceEndpointProblems,
  sdkmessageprocessingsteps: stepProblems,
  sdkmessageprocessingstepimages: stepImageProblems,
};

export interface FakeOrg {
  readonly server: FakeHttpServer;
  readonly url: string;
  readonly userId: string;
  /** Rows by entity set, keyed by id. */
  readonly rows: Map<string, Map<string, Row>>;
  /** Attribute logical names by table; a table present here exists. */
  readonly tables: Map<string, FakeTable>;
  /** Replies to force before the normal behaviour (first match wins, used once). */
  readonly overrides: { match: (request: RecordedRequest) => boolean; reply: FakeReply }[];
  /** Messages of the 400 answers the fake gave itself (writers keep Dataverse's messages out of their errors). */
  readonly refusals: string[];
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

export const WEBHOOK_TABLES_IN_ORG = ['account', 'contact', 'product', 'salesorder', 'salesorderdetail'];

export async function startFakeOrg(): Promise<FakeOrg> {
  const rows = new Map<string, Map<string, Row>>();
  const tables = new Map<string, FakeTable>();
  const overrides: FakeOrg['overrides'] = [];
  const refusals: string[] = [];
  const userId = randomUUID();
  const collection = (name: string): Map<string, Row> => {
    let found = rows.get(name);
    if (!found) rows.set(name, (found = new Map()));
    return found;
  };
  const messageIds: Record<string, string> = {};
  for (const name of ['Create', 'Update', 'Delete', 'Retrieve']) {
    const id = randomUUID();
    messageIds[name] = id;
    collection('sdkmessages').set(id, { sdkmessageid: id, name });
    for (const table of WEBHOOK_TABLES_IN_ORG) {
      const filterId = randomUUID();
      collection('sdkmessagefilters').set(filterId, {
        sdkmessagefilterid: filterId,
        primaryobjecttypecode: table,
        _sdkmessageid_value: id,
      });
    }
  }
  for (const [table, key] of [
    ['account', 'accountid'],
    ['contact', 'contactid'],
    ['product', 'productid'],
    ['salesorder', 'salesorderid'],
  ] as const) {
    tables.set(table, {
      entitySetName: `${table}s`,
      attributes: new Set([key, 'name', 'modifiedon']),
      columns: new Map(),
      navigation: new Map(),
    });
  }

  let baseUrl = '';
  const server = await startFakeHttpServer((request) => {
    const index = overrides.findIndex((override) => override.match(request));
    if (index >= 0) return overrides.splice(index, 1)[0]!.reply;
    const reply = handle(request);
    const refusal = (reply.body as { error?: { message?: string } } | undefined)?.error?.message;
    if (reply.status === 400 && refusal) refusals.push(refusal);
    return reply;
  });
  baseUrl = server.url;

  function handle(request: RecordedRequest): FakeReply {
    const parsed = new URL(request.url, baseUrl);
    const path = decodeURIComponent(parsed.pathname);
    if (!path.startsWith(API)) return { status: 404 };
    const resource = path.slice(API.length);
    const body = request.body ? (JSON.parse(request.body) as Row) : {};
    if (resource.startsWith('WhoAmI')) {
      return { status: 200, body: { UserId: userId, BusinessUnitId: randomUUID(), OrganizationId: randomUUID() } };
    }
    if (resource.startsWith('EntityDefinitions') || resource.startsWith('RelationshipDefinitions')) {
      return metadata(request.method, resource, body, /^strong$/i.test(String(request.headers.consistency ?? '')));
    }
    const keyed = /^(\w+)\(([0-9a-f-]{36})\)$/.exec(resource);
    if (keyed) {
      const [, set, id] = keyed as unknown as [string, string, string];
      const existing = collection(set).get(id);
      if (!existing) return notFound();
      if (request.method === 'DELETE') {
        collection(set).delete(id);
        if (set === 'sdkmessageprocessingsteps') {
          for (const [imageId, image] of collection('sdkmessageprocessingstepimages')) {
            if (image._sdkmessageprocessingstepid_value === id)
              collection('sdkmessageprocessingstepimages').delete(imageId);
          }
        }
        return { status: 204 };
      }
      if (request.method === 'PATCH') {
        const refused = rowProblems(set, body, false);
        if (refused) return refused;
        Object.assign(existing, withBinds(body, navigationOf(set)));
        return { status: 204 };
      }
      return { status: 200, body: existing };
    }
    if (/^\w+$/.test(resource)) {
      if (request.method === 'POST') {
        const refused = rowProblems(resource, body, true);
        if (refused) return refused;
        const id = randomUUID();
        const row = {
          ...withBinds(body, navigationOf(resource)),
          [ID_COLUMNS[resource] ?? `${resource.replace(/s$/, '')}id`]: id,
        };
        collection(resource).set(id, row);
        return { status: 204, headers: { 'OData-EntityId': `${baseUrl}${API}${resource}(${id})` } };
      }
      const filter = parsed.searchParams.get('$filter');
      const select = parsed.searchParams.get('$select')?.split(',');
      const matches = [...collection(resource).values()].filter((row) => !filter || evaluate(filter, row));
      const value = matches.map((row) =>
        select ? Object.fromEntries(select.map((column) => [column, row[column] ?? null])) : row
      );
      return { status: 200, body: { value } };
    }
    return { status: 404 };
  }

  function navigationOf(set: string): ReadonlyMap<string, string> {
    return [...tables.values()].find((table) => table.entitySetName === set)?.navigation ?? new Map();
  }

  /** A refusal in Dataverse's shape, or null when the row may be written. */
  function rowProblems(set: string, body: Row, creating: boolean): FakeReply | null {
    const check = ROW_CHECKS[set];
    if (check) return refuse(check(body, creating));
    if (ID_COLUMNS[set]) return null;
    const table = [...tables.entries()].find(([, t]) => t.entitySetName === set);
    if (!table) {
      return {
        status: 404,
        body: { error: { code: '0x8006088a', message: `Resource not found for the segment '${set}'.` } },
      };
    }
    const [logicalName, { attributes, columns, navigation }] = table;
    const problems = undeclaredBinds(body, new Set(navigation.keys())).map(undeclaredPropertyMessage);
    for (const [field, value] of Object.entries(body)) {
      if (field.includes('@')) continue;
      if (!attributes.has(field)) {
        problems.push(`Invalid property '${field}' was found in entity 'Microsoft.Dynamics.CRM.${logicalName}'.`);
        continue;
      }
      const column = columns.get(field);
      if (typeof value === 'string' && typeof column?.MaxLength === 'number' && value.length > column.MaxLength) {
        problems.push(
          `A validation error occurred. The length of the '${field}' attribute exceeded ${column.MaxLength}.`
        );
      }
      const options = (column?.OptionSet as { Options?: { Value: number }[] } | undefined)?.Options;
      if (options && value !== null && !options.some((option) => option.Value === value)) {
        problems.push(
          `A validation error occurred. The value ${String(value)} of '${field}' is outside the valid range.`
        );
      }
    }
    return refuse(problems);
  }

  /**
   * Like Dataverse's metadata cache (up to ~30 s), a read without `Consistency: Strong` does not see tables and
   * columns created through this fake yet.
   */
  const uncached = new Set<string>();

  function metadata(method: string, resource: string, body: Row, strong: boolean): FakeReply {
    const entity = /^EntityDefinitions\(LogicalName='(\w+)'\)(\/Attributes)?$/.exec(resource);
    if (entity) {
      const [, logicalName, attributes] = entity as unknown as [string, string, string | undefined];
      const table = tables.get(logicalName);
      const stale = method === 'GET' && !strong;
      if (!table || (stale && uncached.has(logicalName))) return notFound();
      if (!attributes) return { status: 200, body: { LogicalName: logicalName, EntitySetName: table.entitySetName } };
      if (method === 'POST') {
        const refused = refuse(attributeProblems(body));
        if (refused) return refused;
        const name = String(body.SchemaName).toLowerCase();
        table.attributes.add(name);
        table.columns.set(name, body);
        uncached.add(`${logicalName}.${name}`);
        return { status: 204, headers: { 'OData-EntityId': `${baseUrl}${API}${resource}(${randomUUID()})` } };
      }
      const visible = [...table.attributes].filter((name) => !stale || !uncached.has(`${logicalName}.${name}`));
      return { status: 200, body: { value: visible.map((name) => ({ LogicalName: name })) } };
    }
    if (resource === 'EntityDefinitions' && method === 'POST') {
      const refused = refuse(entityProblems(body));
      if (refused) return refused;
      const logicalName = String(body.SchemaName).toLowerCase();
      const columns = new Map((body.Attributes as Row[]).map((a) => [String(a.SchemaName).toLowerCase(), a] as const));
      tables.set(logicalName, {
        entitySetName: `${logicalName}s`,
        attributes: new Set([`${logicalName}id`, ...columns.keys()]),
        columns,
        navigation: new Map(),
      });
      uncached.add(logicalName);
      return { status: 204, headers: { 'OData-EntityId': `${baseUrl}${API}EntityDefinitions(${randomUUID()})` } };
    }
    if (resource === 'RelationshipDefinitions' && method === 'POST') {
      const refused = refuse(oneToManyProblems(body));
      if (refused) return refused;
      const referencing = tables.get(String(body.ReferencingEntity));
      if (!referencing || !tables.has(String(body.ReferencedEntity))) return notFound();
      const lookup = String((body.Lookup as Row).SchemaName).toLowerCase();
      referencing.attributes.add(lookup);
      referencing.navigation.set(navigationPropertyOf(body), lookup);
      uncached.add(`${String(body.ReferencingEntity)}.${lookup}`);
      return { status: 204, headers: { 'OData-EntityId': `${baseUrl}${API}RelationshipDefinitions(${randomUUID()})` } };
    }
    return { status: 404 };
  }

  let closed: Promise<void> | undefined;
  return {
    server,
    url: baseUrl,
    userId,
    rows,
    tables,
    overrides,
    refusals,
    writes: () => server.requests.filter((request) => request.method !== 'GET'),
    // Idempotent: a test may stop the org early to simulate an unreachable Dataverse.
    close: () => (closed ??= server.close()),
  };
}

/** 400 in Dataverse's error shape when there are problems. */
function refuse(problems: readonly string[]): FakeReply | null {
  if (problems.length === 0) return null;
  return { status: 400, body: { error: { code: '0x80048d19', message: problems.join(' ') } } };
}

function notFound(): FakeReply {
  return { status: 404, body: { error: { code: '0x80040217', message: 'Does Not Exist' } } };
}

/**
 * `x@odata.bind: /set(id)` becomes the read-only `_<lookup>_value` Dataverse exposes, named after the lookup's
 * logical name (a custom navigation property such as d365x_RegardingAccountId writes d365x_regardingaccountid).
 */
function withBinds(body: Row, navigation: ReadonlyMap<string, string> = new Map()): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(body)) {
    const bind = /^(\w+)@odata\.bind$/.exec(key);
    if (!bind) {
      row[key] = value;
      continue;
    }
    const id = /\(([0-9a-f-]{36})\)$/.exec(String(value))?.[1];
    const property =
      bind[1] === 'eventhandler_serviceendpoint' ? 'eventhandler' : (navigation.get(bind[1]!) ?? bind[1]);
    row[`_${property}_value`] = id;
  }
  return row;
}

/** Evaluates the OData filters the admin client sends: `eq` comparisons joined by and/or, with parentheses. */
export function evaluate(filter: string, row: Row): boolean {
  const tokens = filter.match(/'(?:[^']|'')*'|\(|\)|[^\s()]+/g) ?? [];
  let position = 0;
  const next = (): string => tokens[position++] ?? '';
  const peek = (): string => tokens[position] ?? '';
  const expression = (): boolean => {
    let value = term();
    while (peek() === 'or') {
      next();
      const right = term();
      value = value || right;
    }
    return value;
  };
  const term = (): boolean => {
    let value = factor();
    while (peek() === 'and') {
      next();
      const right = factor();
      value = value && right;
    }
    return value;
  };
  const factor = (): boolean => {
    if (peek() === '(') {
      next();
      const value = expression();
      next();
      return value;
    }
    const field = next();
    const operator = next();
    const literal = next();
    if (operator !== 'eq') throw new Error(`fake org: unsupported operator ${operator}`);
    const expected = literal.startsWith("'") ? literal.slice(1, -1).replace(/''/g, "'") : literal;
    return String(row[field] ?? '').toLowerCase() === expected.toLowerCase();
  };
  return expression();
}

/**
 * Runs the real `setup-dataverse` path (plan + admin client) against the fake org, so row writers are tested
 * against the columns and lookups the setup really creates.
 */
/**
 * A fresh org for each test of the calling describe block (proxy variables cleared), closed after it. With
 * `schema`, the integration schema is installed first; with `forgetSetup` too, the requests that made it are dropped.
 */
export function useFakeOrgPerTest(options: { schema?: boolean; forgetSetup?: boolean } = {}): {
  readonly org: FakeOrg;
} {
  withoutProxy();
  let org: FakeOrg | undefined;
  beforeEach(async () => {
    org = await startFakeOrg();
    if (options.schema) {
      await installIntegrationSchema(org);
      if (options.forgetSetup) org.server.requests.length = 0;
    }
  });
  afterEach(() => org?.close());
  return {
    get org() {
      if (!org) throw new Error('the fake org starts in beforeEach');
      return org;
    },
  };
}

export async function installIntegrationSchema(org: FakeOrg, prefix?: string): Promise<void> {
  const session = new DataverseSession({
    serverUrl: org.url,
    tokenSource: createStaticTokenSource('test-token'),
    timeoutMs: 2_000,
    sleep: () => Promise.resolve(),
  });
  const admin = new DataverseAdminClient(session);
  const settings = prefix ? { prefix } : {};
  await admin.applySchemaPlan(planIntegrationSchema(settings, await admin.readSchemaState(settings)));
}
