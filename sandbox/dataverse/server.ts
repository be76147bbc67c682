/**
 * A sandbox Dataverse Web API v9.2 (node:http only) over the in-memory tables in state.ts: retrieve by key with
 * $select/$expand and annotations, collection queries with $filter/$orderby/$top and Prefer-driven paging,
 * create (204 + OData-EntityId), update, delete, Dataverse-shaped errors, and knobs for 429/5xx/latency.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bearerToken, closeServer, headerValue, listen, readBody, sendJson, sleep } from '../xero-accounting/http-kit';
import { badRequestError, DataverseError, notFoundError } from './dataverse-error';
import { SandboxCustomizations } from './customizations';
import { annotationFilter, maxPageSize, parseQueryOptions } from './odata-query';
import { contextSelection, queryRecords, renderRecord, type RenderContext } from './render';
import { DataverseState } from './state';
import { tableBySet, TABLES, type TableDef } from './tables';

export const DATAVERSE_API_PATH = '/api/data/v9.2';
export const SANDBOX_DATAVERSE_ORG_ID = '3f9d2a71-64c8-4b0e-a5d2-8e1c7b40f6a9';
export const SANDBOX_DATAVERSE_USER_ID = '7c2e5b18-0d94-4f3a-b6e1-29a8d4c7e530';
export const SANDBOX_DATAVERSE_BUSINESS_UNIT_ID = 'b14f8e02-9a3c-4d57-8e6b-f0c2a7d91e34';
const DEFAULT_PAGE_SIZE = 5000;

export interface SandboxDataverseOptions {
  readonly port?: number;
  /** When given, requests must carry `Authorization: Bearer <accessToken>` (401 otherwise). */
  readonly accessToken?: string;
  readonly clock?: () => number;
  /** IANA time zone of the sandbox user (UserLocal date columns); default Pacific/Auckland. */
  readonly userTimeZone?: string;
  /** Serve an existing state (e.g. one already seeded); a fresh one otherwise. */
  readonly state?: DataverseState;
}

export interface RecordedDataverseRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  status?: number;
}

export interface SandboxDataverseKnobs {
  /** The next `count` requests get 429 (with Retry-After) or the given 5xx, in Dataverse's error shape. */
  failNext(count: number, status?: 429 | 500 | 502 | 503 | 504, retryAfterSeconds?: number): void;
  /** The next `count` requests are never answered. */
  hangNext(count: number): void;
  setLatency(ms: number): void;
  requests(): RecordedDataverseRequest[];
  clearRequests(): void;
}

export interface SandboxDataverse {
  /** Environment URL, e.g. http://127.0.0.1:PORT (the Web API lives under `${url}/api/data/v9.2`). */
  readonly url: string;
  readonly apiUrl: string;
  readonly state: DataverseState;
  readonly knobs: SandboxDataverseKnobs;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export async function startSandboxDataverse(options: SandboxDataverseOptions = {}): Promise<SandboxDataverse> {
  const state = options.state ?? new DataverseState(options.clock, options.userTimeZone);
  const faults = { fail: 0, failStatus: 429 as number, retryAfter: 1, hang: 0, latency: 0 };
  const recorded: RecordedDataverseRequest[] = [];
  let apiUrl = '';
  // Metadata, custom tables (the integration log) and webhook registrations, checked against documented shapes.
  const customizations = new SandboxCustomizations({
    exists: (table, id) => state.find(table, id) !== undefined,
    apiUrl: () => apiUrl,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const rawBody = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
    const entry: RecordedDataverseRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: rawBody ? safeJson(rawBody) : undefined,
    };
    recorded.push(entry);
    const reply = (r: Reply): void => {
      entry.status = r.status;
      sendJson(res, r.status, r.body, { 'OData-Version': '4.0', ...r.headers });
    };

    if (faults.hang > 0) {
      faults.hang -= 1;
      return;
    }
    if (faults.latency > 0) await sleep(faults.latency);
    if (faults.fail > 0) {
      faults.fail -= 1;
      return reply(injectedFailure(faults.failStatus, faults.retryAfter));
    }
    if (options.accessToken !== undefined && bearerToken(req) !== options.accessToken) {
      return reply({
        status: 401,
        headers: {
          'WWW-Authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/sandbox/oauth2/authorize',
        },
      });
    }
    try {
      reply(route(method, url, rawBody, req));
    } catch (error) {
      if (error instanceof DataverseError) return reply({ status: error.status, body: error.toBody() });
      throw error;
    }
  }

  function route(method: string, url: URL, rawBody: string, req: IncomingMessage): Reply {
    if (!url.pathname.startsWith(`${DATAVERSE_API_PATH}/`)) {
      throw new DataverseError(404, '0x8006088a', `Resource not found for the segment '${url.pathname}'.`);
    }
    const path = decodeURIComponent(url.pathname.slice(DATAVERSE_API_PATH.length + 1));
    // dynamics-web-api's callFunction sends `WhoAmI()`; Microsoft's examples use `WhoAmI`. Both are OData.
    if (method === 'GET' && (path === 'WhoAmI' || path === 'WhoAmI()')) {
      return {
        status: 200,
        body: {
          '@odata.context': `${apiUrl}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
          BusinessUnitId: SANDBOX_DATAVERSE_BUSINESS_UNIT_ID,
          UserId: SANDBOX_DATAVERSE_USER_ID,
          OrganizationId: SANDBOX_DATAVERSE_ORG_ID,
        },
      };
    }
    const customized = customizations.handle(method, path, url.searchParams, rawBody ? parseBody(rawBody) : undefined);
    if (customized) return customized;
    const match = /^([A-Za-z_]+)(?:\(([0-9a-fA-F-]{36})\))?(?:\/([A-Za-z_]+))?$/.exec(path);
    const def = match?.[1] ? tableBySet(match[1]) : undefined;
    if (!match || !def) throw new DataverseError(404, '0x8006088a', `Resource not found for the segment '${path}'.`);
    const id = match[2]?.toLowerCase();
    const navigation = match[3];
    const prefer = headerValue(req, 'prefer');

    if (method === 'GET' && id && navigation) return getRelated(def, id, navigation, url, prefer);
    if (method === 'GET' && id) return getOne(def, id, url, prefer);
    if (method === 'GET') return getMany(def, url, prefer);
    if (navigation) throw badRequestError('Writes through navigation properties are not supported by the sandbox.');
    if (method === 'POST' && !id) return create(def, rawBody, prefer);
    if (method === 'PATCH' && id) return patch(def, id, rawBody, req, prefer);
    if (method === 'DELETE' && id) {
      if (!state.remove(def.logicalName, id)) throw notFoundError(def.logicalName, id);
      return { status: 204 };
    }
    throw new DataverseError(405, '0x80060888', `The HTTP method ${method} is not allowed here.`);
  }

  function renderContext(prefer: string | undefined): RenderContext {
    return { state, wantsAnnotation: annotationFilter(prefer) };
  }

  function preferenceApplied(prefer: string | undefined, pageSize?: number): Record<string, string> {
    const applied: string[] = [];
    const annotations = /odata\.include-annotations="[^"]*"/i.exec(prefer ?? '')?.[0];
    if (annotations) applied.push(annotations);
    if (pageSize !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
    return applied.length > 0 ? { 'Preference-Applied': applied.join(',') } : {};
  }

  function getOne(def: TableDef, id: string, url: URL, prefer: string | undefined): Reply {
    const record = state.find(def.logicalName, id);
    if (!record) throw notFoundError(def.logicalName, id);
    const query = parseQueryOptions(url.searchParams);
    const body: Record<string, unknown> = {
      '@odata.context': `${apiUrl}/$metadata#${def.entitySet}${contextSelection(query)}/$entity`,
      ...renderRecord(record, query, renderContext(prefer)),
    };
    return { status: 200, body, headers: { ETag: String(body['@odata.etag']), ...preferenceApplied(prefer) } };
  }

  function getMany(def: TableDef, url: URL, prefer: string | undefined): Reply {
    const query = parseQueryOptions(url.searchParams);
    const rows = queryRecords(state.all(def.logicalName), query, state);
    return page(`${def.entitySet}${contextSelection(query)}`, rows.length, url, prefer, (from, to) =>
      rows.slice(from, to).map((r) => renderRecord(r, query, renderContext(prefer)))
    );
  }

  function getRelated(def: TableDef, id: string, navigation: string, url: URL, prefer: string | undefined): Reply {
    const parent = state.find(def.logicalName, id);
    if (!parent) throw notFoundError(def.logicalName, id);
    const collection = def.collections[navigation];
    if (!collection) throw new DataverseError(404, '0x8006088a', `Resource not found for the segment '${navigation}'.`);
    const query = parseQueryOptions(url.searchParams);
    const rows = queryRecords(state.children(collection.table, collection.via, parent.id), query, state);
    const childSet = TABLES[collection.table].entitySet;
    return page(`${childSet}${contextSelection(query)}`, rows.length, url, prefer, (from, to) =>
      rows.slice(from, to).map((r) => renderRecord(r, query, renderContext(prefer)))
    );
  }

  function page(
    context: string,
    total: number,
    url: URL,
    prefer: string | undefined,
    slice: (from: number, to: number) => unknown[]
  ): Reply {
    const requested = maxPageSize(prefer);
    const size = requested ?? DEFAULT_PAGE_SIZE;
    const token = url.searchParams.get('$skiptoken');
    const offset = token ? Number(/pagingcookie="(\d+)"/.exec(token)?.[1] ?? NaN) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw badRequestError('Invalid $skiptoken.', '0x80060888');
    const body: Record<string, unknown> = { '@odata.context': `${apiUrl}/$metadata#${context}` };
    if (url.searchParams.get('$count') === 'true') body['@odata.count'] = total;
    body.value = slice(offset, offset + size);
    if (offset + size < total) {
      const next = new URL(url.pathname, apiUrl);
      for (const [k, v] of url.searchParams) if (k !== '$skiptoken') next.searchParams.append(k, v);
      const pageNumber = Math.floor(offset / size) + 2;
      next.searchParams.set(
        '$skiptoken',
        `<cookie pagenumber="${pageNumber}" pagingcookie="${offset + size}" istracking="False" />`
      );
      body['@odata.nextLink'] = next.toString();
    }
    return { status: 200, body, headers: preferenceApplied(prefer, requested) };
  }

  function create(def: TableDef, rawBody: string, prefer: string | undefined): Reply {
    const input = parseBody(rawBody);
    customizations.refuseUndeclaredColumns(def.logicalName, input);
    const record = state.create(def.logicalName, input);
    return written(def, record.id, prefer, 201);
  }

  function patch(def: TableDef, id: string, rawBody: string, req: IncomingMessage, prefer: string | undefined): Reply {
    const input = parseBody(rawBody);
    customizations.refuseUndeclaredColumns(def.logicalName, input);
    const exists = state.find(def.logicalName, id) !== undefined;
    const ifMatch = headerValue(req, 'if-match');
    const ifNoneMatch = headerValue(req, 'if-none-match');
    if (!exists && ifMatch) throw notFoundError(def.logicalName, id);
    if (exists && ifNoneMatch === '*') {
      throw new DataverseError(412, '0x80040237', 'A record with matching key values already exists.');
    }
    if (ifMatch && ifMatch !== '*') {
      const current = state.find(def.logicalName, id);
      if (current && ifMatch !== `W/"${current.version}"`) {
        throw new DataverseError(
          412,
          '0x80060882',
          'The version of the existing record does not match the RowVersion property provided.'
        );
      }
    }
    if (exists) refuseClosedOrderEdit(def.logicalName, state.get(def.logicalName, id), input);
    // PATCH without If-Match is an upsert in Dataverse: it creates the record with the given id.
    if (exists) state.update(def.logicalName, id, input);
    else state.create(def.logicalName, { ...input, [def.key]: id });
    return written(def, id, prefer, 200);
  }

  /**
   * learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder (StateCode): only active
   * orders can be edited; a Submitted, Canceled, Fulfilled or Invoiced order takes a change of state only. The error
   * code is the sandbox's own stand-in (Microsoft does not document one for this case).
   */
  function refuseClosedOrderEdit(table: string, current: Record<string, unknown> | undefined, input: object): void {
    if (table !== 'salesorder' || current === undefined || current.statecode === 0) return;
    const stateOnly = Object.keys(input).every((field) => field === 'statecode' || field === 'statuscode');
    if (!stateOnly) {
      throw badRequestError('This order cannot be edited: only active orders can be changed.', '0x80040203');
    }
  }

  function written(def: TableDef, id: string, prefer: string | undefined, representationStatus: number): Reply {
    const entityId = `${apiUrl}/${def.entitySet}(${id})`;
    if (/return=representation/i.test(prefer ?? '')) {
      const record = state.find(def.logicalName, id)!;
      const body = {
        '@odata.context': `${apiUrl}/$metadata#${def.entitySet}/$entity`,
        ...renderRecord(record, { expand: [], orderby: [] }, renderContext(prefer)),
      };
      return { status: representationStatus, body, headers: { 'OData-EntityId': entityId } };
    }
    return { status: 204, headers: { 'OData-EntityId': entityId } };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      const message = error instanceof Error ? error.message : 'unexpected error';
      sendJson(res, 500, { error: { code: '0x80040216', message } });
    });
  });
  const url = await listen(server, options.port ?? 0);
  apiUrl = `${url}${DATAVERSE_API_PATH}`;

  return {
    url,
    apiUrl,
    state,
    knobs: {
      failNext(count, status = 429, retryAfterSeconds = 1) {
        faults.fail = count;
        faults.failStatus = status;
        faults.retryAfter = retryAfterSeconds;
      },
      hangNext(count) {
        faults.hang = count;
      },
      setLatency(ms) {
        faults.latency = ms;
      },
      requests: () => recorded.map((r) => ({ ...r })),
      clearRequests() {
        recorded.length = 0;
      },
    },
    close: () => closeServer(server),
  };
}

function parseBody(rawBody: string): Record<string, unknown> {
  const parsed = safeJson(rawBody);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequestError('The request body must be a JSON object.', '0x80040203');
  }
  return parsed as Record<string, unknown>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function injectedFailure(status: number, retryAfterSeconds: number): Reply {
  if (status === 429) {
    return {
      status,
      headers: { 'Retry-After': String(retryAfterSeconds) },
      body: {
        error: {
          code: '0x80072322',
          message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
        },
      },
    };
  }
  return { status, body: { error: { code: '0x80040216', message: 'An unexpected error occurred.' } } };
}
