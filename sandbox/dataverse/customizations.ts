/**
 * The customisation side of the sandbox Dataverse: the metadata endpoints `connector setup-dataverse` uses
 * (EntityDefinitions, …/Attributes, RelationshipDefinitions), the custom tables they create (rows included, such
 * as integration-log rows) and the webhook registration rows `connector register-webhooks` writes (serviceendpoints,
 * sdkmessageprocessingsteps, sdkmessageprocessingstepimages, with read-only sdkmessages and sdkmessagefilters).
 *
 * Every body is checked against the shapes Microsoft documents (web-api-shapes.ts) and refused the way Dataverse
 * refuses it, so a regression in what the connector sends fails here instead of in a customer's org.
 */
import { randomUUID } from 'node:crypto';
import { badRequestError, DataverseError, notFoundError } from './dataverse-error';
import { parseFilter } from './odata-filter';
import { TABLES, isTableName, type TableName } from './tables';
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
} from './web-api-shapes';

type Row = Record<string, unknown>;

export interface CustomizationReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface CustomTable {
  readonly entitySet: string;
  readonly key: string;
  readonly columns: Map<string, Row>;
  /** Navigation property (case sensitive) → the lookup column it writes and the table it points at. */
  readonly navigation: Map<string, { readonly lookup: string; readonly target: string }>;
  readonly rows: Map<string, Row>;
}

interface RegistrationSet {
  readonly key: string;
  readonly check?: (body: Row, creating: boolean) => string[];
  /** Bind property → [lookup column, entity set it points into]. */
  readonly binds: Readonly<Record<string, readonly [string, string]>>;
  readonly readOnly?: boolean;
  readonly rows: Map<string, Row>;
}

const WEBHOOK_TABLES = ['account', 'contact', 'product', 'salesorder', 'salesorderdetail'];
const SDK_MESSAGES = ['Create', 'Update', 'Delete', 'Retrieve'];

export interface CustomizationDeps {
  /** Whether a row of a standard sandbox table exists (for lookup binds into it). */
  readonly exists: (table: TableName, id: string) => boolean;
  readonly apiUrl: () => string;
}

export class SandboxCustomizations {
  private readonly custom = new Map<string, CustomTable>();
  /** Columns created on the standard tables, by table logical name. */
  private readonly extraColumns = new Map<string, Map<string, Row>>();
  /** Publisher prefixes seen in created metadata: columns with them must exist before rows use them. */
  private readonly prefixes = new Set<string>();
  private readonly registration: Record<string, RegistrationSet>;

  constructor(private readonly deps: CustomizationDeps) {
    const set = (key: string, extra: Omit<RegistrationSet, 'key' | 'rows'> = { binds: {} }): RegistrationSet => ({
      key,
      rows: new Map(),
      ...extra,
    });
    this.registration = {
      serviceendpoints: set('serviceendpointid', { check: serviceEndpointProblems, binds: {} }),
      sdkmessageprocessingsteps: set('sdkmessageprocessingstepid', {
        check: stepProblems,
        binds: {
          eventhandler_serviceendpoint: ['eventhandler', 'serviceendpoints'],
          sdkmessageid: ['sdkmessageid', 'sdkmessages'],
          sdkmessagefilterid: ['sdkmessagefilterid', 'sdkmessagefilters'],
        },
      }),
      sdkmessageprocessingstepimages: set('sdkmessageprocessingstepimageid', {
        check: stepImageProblems,
        binds: { sdkmessageprocessingstepid: ['sdkmessageprocessingstepid', 'sdkmessageprocessingsteps'] },
      }),
      sdkmessages: set('sdkmessageid', { binds: {}, readOnly: true }),
      sdkmessagefilters: set('sdkmessagefilterid', { binds: {}, readOnly: true }),
    };
    for (const name of SDK_MESSAGES) {
      const messageId = randomUUID();
      this.registration.sdkmessages!.rows.set(messageId, { sdkmessageid: messageId, name });
      for (const table of WEBHOOK_TABLES) {
        const filterId = randomUUID();
        this.registration.sdkmessagefilters!.rows.set(filterId, {
          sdkmessagefilterid: filterId,
          primaryobjecttypecode: table,
          _sdkmessageid_value: messageId,
        });
      }
    }
  }

  /** Answers a request this module owns, or undefined to let the data-table routes answer it. */
  handle(method: string, path: string, query: URLSearchParams, body: Row | undefined): CustomizationReply | undefined {
    if (path === 'EntityDefinitions' || path.startsWith('EntityDefinitions(') || path === 'RelationshipDefinitions') {
      return this.metadata(method, path, body ?? {});
    }
    const match = /^([A-Za-z][A-Za-z0-9_]*)(?:\(([0-9a-fA-F-]{36})\))?$/.exec(path);
    const setName = match?.[1];
    if (!setName) return undefined;
    const id = match[2]?.toLowerCase();
    const registration = this.registration[setName];
    if (registration) return this.registrationRequest(setName, registration, method, id, query, body ?? {});
    const custom = [...this.custom.values()].find((table) => table.entitySet === setName);
    if (custom) return this.customRequest(custom, method, id, query, body ?? {});
    return undefined;
  }

  /**
   * Custom columns (a known publisher prefix) written to a standard table that were never created: Dataverse
   * answers "Invalid property". Before any customisation exists nothing is checked, so data-only use is unchanged.
   */
  refuseUndeclaredColumns(table: TableName, input: Readonly<Row>): void {
    const declared = this.extraColumns.get(table) ?? new Map<string, Row>();
    for (const field of Object.keys(input)) {
      const prefix = /^([a-z][a-z0-9]{1,7})_/.exec(field)?.[1];
      if (!prefix || !this.prefixes.has(prefix) || field.includes('@')) continue;
      if (!declared.has(field)) throw invalidProperty(field, table);
      lengthAndChoiceProblems(field, input[field], declared.get(field));
    }
  }

  private metadata(method: string, path: string, body: Row): CustomizationReply {
    if (path === 'EntityDefinitions' && method === 'POST') return this.createTable(body);
    if (path === 'RelationshipDefinitions' && method === 'POST') return this.createRelationship(body);
    const entity = /^EntityDefinitions\(LogicalName='(\w+)'\)(\/Attributes)?$/.exec(path);
    if (!entity?.[1]) throw new DataverseError(404, '0x8006088a', `Resource not found for the segment '${path}'.`);
    const logicalName = entity[1];
    const columns = this.columnsOf(logicalName);
    if (!columns)
      throw new DataverseError(404, '0x80060888', `Could not find entity with LogicalName '${logicalName}'.`);
    if (!entity[2]) {
      if (method !== 'GET') throw methodNotAllowed(method);
      const entitySet = this.custom.get(logicalName)?.entitySet ?? TABLES[logicalName as TableName].entitySet;
      return { status: 200, body: { LogicalName: logicalName, EntitySetName: entitySet } };
    }
    if (method === 'GET') return { status: 200, body: { value: columns.map((name) => ({ LogicalName: name })) } };
    if (method !== 'POST') throw methodNotAllowed(method);
    refuse(attributeProblems(body));
    const name = String(body.SchemaName).toLowerCase();
    if (columns.includes(name)) throw badRequestError(`An attribute named ${name} already exists.`, '0x80044355');
    this.remember(body);
    const target = this.custom.get(logicalName)?.columns ?? this.extraColumnsOf(logicalName);
    target.set(name, body);
    return created(`${this.deps.apiUrl()}/${path}(${randomUUID()})`);
  }

  private createTable(body: Row): CustomizationReply {
    refuse(entityProblems(body));
    const logicalName = String(body.SchemaName).toLowerCase();
    if (this.columnsOf(logicalName)) {
      throw badRequestError(`An entity with the name ${logicalName} already exists.`, '0x80044363');
    }
    this.remember(body);
    const columns = new Map((body.Attributes as Row[]).map((a) => [String(a.SchemaName).toLowerCase(), a] as const));
    this.custom.set(logicalName, {
      entitySet: `${logicalName}s`,
      key: `${logicalName}id`,
      columns,
      navigation: new Map(),
      rows: new Map(),
    });
    return created(`${this.deps.apiUrl()}/EntityDefinitions(${randomUUID()})`);
  }

  private createRelationship(body: Row): CustomizationReply {
    refuse(oneToManyProblems(body));
    const referencing = this.custom.get(String(body.ReferencingEntity));
    if (!referencing) {
      throw badRequestError('The sandbox only adds lookups to tables created through EntityDefinitions.');
    }
    const target = String(body.ReferencedEntity);
    if (!this.columnsOf(target)) throw notFoundError('EntityMetadata', target);
    const lookup = String((body.Lookup as Row).SchemaName).toLowerCase();
    if (referencing.columns.has(lookup)) throw badRequestError(`An attribute named ${lookup} already exists.`);
    this.remember(body);
    referencing.columns.set(lookup, body.Lookup as Row);
    referencing.navigation.set(navigationPropertyOf(body), { lookup, target });
    return created(`${this.deps.apiUrl()}/RelationshipDefinitions(${randomUUID()})`);
  }

  private customRequest(
    table: CustomTable,
    method: string,
    id: string | undefined,
    query: URLSearchParams,
    body: Row
  ): CustomizationReply {
    if (method === 'GET')
      return id ? { status: 200, body: this.found(table.rows, table.key, id) } : list(table.rows, query);
    if (method === 'DELETE' && id) {
      if (!table.rows.delete(id)) throw notFoundError(table.key.slice(0, -2), id);
      return { status: 204 };
    }
    const existing = id ? table.rows.get(id) : undefined;
    if (method === 'PATCH' && id && !existing) throw notFoundError(table.key.slice(0, -2), id);
    if (method !== 'POST' && method !== 'PATCH') throw methodNotAllowed(method);
    const problems = undeclaredBinds(body, new Set(table.navigation.keys())).map(undeclaredPropertyMessage);
    refuse(problems);
    const row: Row = existing ?? { [table.key]: randomUUID() };
    const changes: Row = {};
    for (const [field, value] of Object.entries(body)) {
      const bind = /^(.+)@odata\.bind$/.exec(field)?.[1];
      if (bind) {
        const navigation = table.navigation.get(bind)!;
        changes[`_${navigation.lookup}_value`] =
          value === null ? null : this.resolveBind(String(value), navigation.target);
        continue;
      }
      if (!table.columns.has(field)) throw invalidProperty(field, table.key.slice(0, -2));
      lengthAndChoiceProblems(field, value, table.columns.get(field));
      changes[field] = value;
    }
    Object.assign(row, changes);
    const rowId = String(row[table.key]);
    table.rows.set(rowId, row);
    return { status: 204, headers: { 'OData-EntityId': `${this.deps.apiUrl()}/${table.entitySet}(${rowId})` } };
  }

  private registrationRequest(
    setName: string,
    set: RegistrationSet,
    method: string,
    id: string | undefined,
    query: URLSearchParams,
    body: Row
  ): CustomizationReply {
    if (method === 'GET') return id ? { status: 200, body: this.found(set.rows, set.key, id) } : list(set.rows, query);
    if (set.readOnly) throw methodNotAllowed(method);
    if (method === 'DELETE' && id) {
      this.found(set.rows, set.key, id);
      this.cascadeDelete(setName, id);
      return { status: 204 };
    }
    const creating = method === 'POST' && !id;
    if (!creating && !(method === 'PATCH' && id)) throw methodNotAllowed(method);
    const existing = id ? this.found(set.rows, set.key, id) : undefined;
    refuse(set.check?.(body, creating) ?? []);
    const row: Row = existing ?? { [set.key]: randomUUID(), statecode: 0, statuscode: 1 };
    for (const [field, value] of Object.entries(body)) {
      const bind = /^(.+)@odata\.bind$/.exec(field)?.[1];
      const target = bind ? set.binds[bind] : undefined;
      if (bind && !target) throw badRequestError(undeclaredPropertyMessage(bind), '0x80060888');
      if (bind && target) {
        const targetId = /\(([0-9a-fA-F-]{36})\)$/.exec(String(value))?.[1]?.toLowerCase() ?? '';
        const targetSet = this.registration[target[1]]!;
        this.found(targetSet.rows, targetSet.key, targetId);
        row[`_${target[0]}_value`] = targetId;
      } else row[field] = value;
    }
    const rowId = String(row[set.key]);
    set.rows.set(rowId, row);
    return { status: 204, headers: { 'OData-EntityId': `${this.deps.apiUrl()}/${setName}(${rowId})` } };
  }

  /** Deleting an endpoint deletes its steps, and a step its images (both relationships cascade Delete). */
  private cascadeDelete(setName: string, id: string): void {
    this.registration[setName]!.rows.delete(id);
    const children =
      setName === 'serviceendpoints'
        ? (['sdkmessageprocessingsteps', '_eventhandler_value'] as const)
        : setName === 'sdkmessageprocessingsteps'
          ? (['sdkmessageprocessingstepimages', '_sdkmessageprocessingstepid_value'] as const)
          : undefined;
    if (!children) return;
    for (const [childId, child] of this.registration[children[0]]!.rows) {
      if (child[children[1]] === id) this.cascadeDelete(children[0], childId);
    }
  }

  private resolveBind(value: string, target: string): string {
    const match = /^\/?([A-Za-z][A-Za-z0-9_]*)\(([0-9a-fA-F-]{36})\)$/.exec(value);
    const id = match?.[2]?.toLowerCase();
    const expectedSet = this.custom.get(target)?.entitySet ?? (isTableName(target) ? TABLES[target].entitySet : '');
    if (!match || !id || match[1] !== expectedSet) {
      throw badRequestError(`The @odata.bind value '${value}' does not reference a ${target}.`);
    }
    const exists = isTableName(target) ? this.deps.exists(target, id) : this.custom.get(target)?.rows.has(id);
    if (!exists) throw notFoundError(target, id);
    return id;
  }

  private found(rows: Map<string, Row>, key: string, id: string): Row {
    const row = rows.get(id);
    if (!row) throw notFoundError(key.slice(0, -2), id);
    return row;
  }

  /** Column logical names of a table (standard or custom), or undefined when there is no such table. */
  private columnsOf(logicalName: string): string[] | undefined {
    const custom = this.custom.get(logicalName);
    if (custom) return [custom.key, ...custom.columns.keys()];
    if (!isTableName(logicalName)) return undefined;
    const def = TABLES[logicalName];
    return [
      def.key,
      def.primaryName,
      ...def.lookups.map((lookup) => lookup.name),
      ...def.money,
      ...this.extraColumnsOf(logicalName).keys(),
    ];
  }

  private extraColumnsOf(table: string): Map<string, Row> {
    let columns = this.extraColumns.get(table);
    if (!columns) this.extraColumns.set(table, (columns = new Map()));
    return columns;
  }

  private remember(body: Row): void {
    const prefix = /^([A-Za-z][A-Za-z0-9]{1,7})_/.exec(String(body.SchemaName))?.[1];
    if (prefix) this.prefixes.add(prefix.toLowerCase());
  }
}

function refuse(problems: readonly string[]): void {
  if (problems.length > 0) throw badRequestError(problems.join(' '));
}

function created(entityId: string): CustomizationReply {
  return { status: 204, headers: { 'OData-EntityId': entityId } };
}

function methodNotAllowed(method: string): DataverseError {
  return new DataverseError(405, '0x80060888', `The HTTP method ${method} is not allowed here.`);
}

function invalidProperty(field: string, table: string): DataverseError {
  return badRequestError(
    `Invalid property '${field}' was found in entity 'Microsoft.Dynamics.CRM.${table}'.`,
    '0x80060888'
  );
}

/** Text longer than its column, or a choice value the column does not offer, is refused like Dataverse does. */
function lengthAndChoiceProblems(field: string, value: unknown, column: Row | undefined): void {
  if (typeof value === 'string' && typeof column?.MaxLength === 'number' && value.length > column.MaxLength) {
    throw badRequestError(
      `A validation error occurred. The length of the '${field}' attribute exceeded ${column.MaxLength}.`
    );
  }
  const options = (column?.OptionSet as { Options?: { Value: unknown }[] } | undefined)?.Options;
  if (options && value !== null && !options.some((option) => option.Value === value)) {
    throw badRequestError(
      `A validation error occurred. The value ${String(value)} of '${field}' is outside the valid range.`
    );
  }
}

function list(rows: Map<string, Row>, query: URLSearchParams): CustomizationReply {
  const filter = query.get('$filter');
  const select = query
    .get('$select')
    ?.split(',')
    .map((column) => column.trim());
  const predicate = filter ? parseFilter(filter) : () => true;
  const value = [...rows.values()]
    .filter((row) => predicate(row))
    .map((row) => (select ? Object.fromEntries(select.map((column) => [column, row[column] ?? null])) : { ...row }));
  return { status: 200, body: { value } };
}
