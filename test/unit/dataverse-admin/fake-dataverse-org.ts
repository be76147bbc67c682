/**
 * A small stateful Dataverse org for the admin tests, served by the shared fake HTTP server on 127.0.0.1: enough
 * of the Web API for webhook registration (serviceendpoints, steps, images, SDK message lookups, WhoAmI), the
 * metadata endpoints (EntityDefinitions, Attributes, RelationshipDefinitions) and plain record writes. Rows are kept
 * in memory; every request is recorded by the underlying server so tests can check exactly what was sent.
 */
import { randomUUID } from 'node:crypto';
import type { FakeHttpServer, FakeReply, RecordedRequest } from '../../helpers/fake-http-server';
import { startFakeHttpServer } from '../../helpers/fake-http-server';

type Row = Record<string, unknown>;

const API = '/api/data/v9.2/';
const ID_COLUMNS: Record<string, string> = {
  serviceendpoints: 'serviceendpointid',
  sdkmessageprocessingsteps: 'sdkmessageprocessingstepid',
  sdkmessageprocessingstepimages: 'sdkmessageprocessingstepimageid',
  sdkmessages: 'sdkmessageid',
  sdkmessagefilters: 'sdkmessagefilterid',
};

export interface FakeOrg {
  readonly server: FakeHttpServer;
  readonly url: string;
  readonly userId: string;
  /** Rows by entity set, keyed by id. */
  readonly rows: Map<string, Map<string, Row>>;
  /** Attribute logical names by table; a table present here exists. */
  readonly tables: Map<string, { entitySetName: string; attributes: Set<string> }>;
  /** Replies to force before the normal behaviour (first match wins, used once). */
  readonly overrides: { match: (request: RecordedRequest) => boolean; reply: FakeReply }[];
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

export const WEBHOOK_TABLES_IN_ORG = ['account', 'contact', 'product', 'salesorder', 'salesorderdetail'];

export async function startFakeOrg(): Promise<FakeOrg> {
  const rows = new Map<string, Map<string, Row>>();
  const tables = new Map<string, { entitySetName: string; attributes: Set<string> }>();
  const overrides: FakeOrg['overrides'] = [];
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
    tables.set(table, { entitySetName: `${table}s`, attributes: new Set([key, 'name', 'modifiedon']) });
  }

  let baseUrl = '';
  const server = await startFakeHttpServer((request) => {
    const index = overrides.findIndex((override) => override.match(request));
    if (index >= 0) return overrides.splice(index, 1)[0]!.reply;
    return handle(request);
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
      return metadata(request.method, resource, body);
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
        Object.assign(existing, withBinds(body));
        return { status: 204 };
      }
      return { status: 200, body: existing };
    }
    if (/^\w+$/.test(resource)) {
      if (request.method === 'POST') {
        const id = randomUUID();
        const row = { ...withBinds(body), [ID_COLUMNS[resource] ?? `${resource.replace(/s$/, '')}id`]: id };
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

  function metadata(method: string, resource: string, body: Row): FakeReply {
    const entity = /^EntityDefinitions\(LogicalName='(\w+)'\)(\/Attributes)?$/.exec(resource);
    if (entity) {
      const [, logicalName, attributes] = entity as unknown as [string, string, string | undefined];
      const table = tables.get(logicalName);
      if (!table) return notFound();
      if (!attributes) return { status: 200, body: { LogicalName: logicalName, EntitySetName: table.entitySetName } };
      if (method === 'POST') {
        table.attributes.add(String(body.SchemaName).toLowerCase());
        return { status: 204, headers: { 'OData-EntityId': `${baseUrl}${API}${resource}(${randomUUID()})` } };
      }
      return { status: 200, body: { value: [...table.attributes].map((name) => ({ LogicalName: name })) } };
    }
    if (resource === 'EntityDefinitions' && method === 'POST') {
      const logicalName = String(body.SchemaName).toLowerCase();
      const primary = (body.Attributes as Row[] | undefined)?.map((a) => String(a.SchemaName).toLowerCase()) ?? [];
      tables.set(logicalName, {
        entitySetName: `${logicalName}s`,
        attributes: new Set([`${logicalName}id`, ...primary]),
      });
      return { status: 204, headers: { 'OData-EntityId': `${baseUrl}${API}EntityDefinitions(${randomUUID()})` } };
    }
    if (resource === 'RelationshipDefinitions' && method === 'POST') {
      const referencing = tables.get(String(body.ReferencingEntity));
      if (!referencing || !tables.has(String(body.ReferencedEntity))) return notFound();
      referencing.attributes.add(String((body.Lookup as Row).SchemaName).toLowerCase());
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
    writes: () => server.requests.filter((request) => request.method !== 'GET'),
    // Idempotent: a test may stop the org early to simulate an unreachable Dataverse.
    close: () => (closed ??= server.close()),
  };
}

function notFound(): FakeReply {
  return { status: 404, body: { error: { code: '0x80040217', message: 'Does Not Exist' } } };
}

/** `x@odata.bind: /set(id)` becomes the read-only `_x_value` Dataverse exposes. */
function withBinds(body: Row): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(body)) {
    const bind = /^(\w+)@odata\.bind$/.exec(key);
    if (!bind) {
      row[key] = value;
      continue;
    }
    const id = /\(([0-9a-f-]{36})\)$/.exec(String(value))?.[1];
    const property = bind[1] === 'eventhandler_serviceendpoint' ? 'eventhandler' : bind[1];
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
