/**
 * A sandbox Xero Accounting API (node:http only) for `npm start` without credentials, `npm run demo`, e2e tests and
 * benchmarks. It keeps the rules that matter to the connector — PUT vs POST, uniqueness, element-level errors,
 * Idempotency-Key, per-tenant rate limits with Xero's headers — plus knobs to inject faults. Nothing is persisted.
 */
import { OrganisationSettings, organisationSettingsBody, sandboxShortCode } from './organisation-settings';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bearerToken, closeServer, headerValue, listen, readBody, sendJson, sleep } from './http-kit';
import { IdempotencyStore, MAX_IDEMPOTENCY_KEY_LENGTH, type StoredResponse } from './idempotency';
import { DEFAULT_LIMITS, RateLimiter } from './rate-limiter';
import { TenantBooks, type BooksSnapshot, type SaveMode } from './tenant-books';
import { TrackingAndThemes } from './tracking-and-themes';
import { parseWhere, WhereSyntaxError } from './where-filter';
import { isRecord, msDate, newId, parseXeroDate, type ElementOutcome, type XeroRecord } from './xero-json';

export const XERO_API_PREFIX = '/api.xro/2.0';
/** The sandbox organisation's tenant id (what a sandbox identity server should list in /connections). */
export const SANDBOX_XERO_TENANT_ID = '5a1dbb0c-7e3f-4c2a-9d61-0c7f3b9e2a41';
export const SANDBOX_XERO_ORG_NAME = 'Sandbox Trading Ltd';
const PAGE_SIZE = 100;

export type XeroSchemaName = 'Contacts' | 'Items' | 'Invoices';

export interface SandboxXeroTenant {
  readonly tenantId: string;
  readonly name?: string;
  readonly baseCurrency?: string;
  /** Xero's Windows-style zone name (GET /Organisation Timezone); default NEWZEALANDSTANDARDTIME. */
  readonly timezone?: string;
  /** Organisation ShortCode used in deep links; default derived from the tenant id (sandboxShortCode). */
  readonly shortCode?: string;
}

export interface SandboxXeroOptions {
  readonly port?: number;
  /** Extra request-body validation (e.g. against Xero's OpenAPI schema); messages → 400 ValidationException. */
  readonly validateBody?: (schemaName: XeroSchemaName, body: unknown) => string[];
  /** When given, bearer tokens it rejects get 401; otherwise any non-empty bearer token is accepted. */
  readonly isValidAccessToken?: (token: string) => boolean;
  readonly limits?: { readonly perMinute?: number; readonly concurrent?: number; readonly perDay?: number };
  /** Epoch ms; inject to drive the minute/day windows and idempotency expiry in tests. */
  readonly clock?: () => number;
  /** Organisations served (default: one, SANDBOX_XERO_TENANT_ID). */
  readonly tenants?: readonly SandboxXeroTenant[];
}

export interface RecordedXeroRequest {
  readonly method: string;
  readonly path: string;
  readonly route: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly tenantId?: string;
  readonly idempotencyKey?: string;
  status?: number;
}

export interface SandboxXeroKnobs {
  /** The next `count` requests fail with `status` (429 carries Retry-After and X-Rate-Limit-Problem: minute). */
  failNext(count: number, status?: 429 | 500 | 503, retryAfterSeconds?: number): void;
  /** The next `count` requests are never answered (the client must time out). */
  hangNext(count: number): void;
  /**
   * The next `count` successful requests on `route` (e.g. "PUT /Contacts") are carried out, then their connection is
   * cut before the answer: the write happened (or was replayed), but the client cannot know (a lost response).
   */
  loseNextAnswers(route: string, count?: number): void;
  /** Delay, in ms, added to every admitted request while it counts as in flight. */
  setLatency(ms: number): void;
  /** Every bearer token is refused with 401 until restoreTokens(). */
  revokeAllTokens(): void;
  restoreTokens(): void;
  /** Clears the minute/day windows and remembered idempotency keys. */
  resetLimits(): void;
  /** Holds admitted requests in flight until resume() (deterministic concurrency tests). */
  pause(): void;
  resume(): void;
  inFlight(tenantId?: string): number;
  /** Requests received per route, e.g. `{"POST /Invoices": 3}` (every attempt, including refused ones). */
  callCounts(): Record<string, number>;
  requests(): RecordedXeroRequest[];
  clearRequests(): void;
  /** Applies a payment to an AUTHORISED invoice (by InvoiceID or InvoiceNumber); omit amount to pay in full. */
  markInvoicePaid(invoiceKey: string, amount?: number, tenantId?: string): XeroRecord;
}

export interface SandboxXeroState {
  readonly tenantIds: readonly string[];
  books(tenantId?: string): TenantBooks;
  snapshot(tenantId?: string): BooksSnapshot;
}

export interface SandboxXero {
  /** Base URL, e.g. http://127.0.0.1:PORT (the API lives under `${url}/api.xro/2.0`). */
  readonly url: string;
  readonly apiUrl: string;
  readonly tenantId: string;
  readonly state: SandboxXeroState;
  readonly knobs: SandboxXeroKnobs;
  /** The organisation's accounts, tax rates, currencies and time zone (what the connector's preflight reads). */
  organisationSettings(tenantId?: string): OrganisationSettings;
  /** The organisation's tracking categories and branding themes (tracking-and-themes.ts). */
  trackingAndThemes(tenantId?: string): TrackingAndThemes;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const ROUTES: ReadonlyArray<{ readonly pattern: RegExp; readonly name: string }> = [
  { pattern: /^\/(Contacts|Items|Invoices)$/, name: '/$1' },
  { pattern: /^\/(Contacts|Items|Invoices)\/[^/]+$/, name: '/$1/{id}' },
  { pattern: /^\/Organisation$/, name: '/Organisation' },
  { pattern: /^\/(Accounts|TaxRates|Currencies)$/, name: '/$1' },
  { pattern: /^\/(TrackingCategories|BrandingThemes)$/, name: '/$1' },
  { pattern: /^\/(TrackingCategories|BrandingThemes)\/[^/]+$/, name: '/$1/{id}' },
  { pattern: /^\/TrackingCategories\/[^/]+\/Options$/, name: '/TrackingCategories/{id}/Options' },
];

function routeName(apiPath: string): string {
  for (const { pattern, name } of ROUTES) {
    if (pattern.test(apiPath)) return apiPath.replace(pattern, name);
  }
  return apiPath;
}

export async function startSandboxXero(options: SandboxXeroOptions = {}): Promise<SandboxXero> {
  const clock = options.clock ?? Date.now;
  const tenants = options.tenants?.length ? options.tenants : [{ tenantId: SANDBOX_XERO_TENANT_ID }];
  const books = new Map(
    tenants.map((t) => [t.tenantId.toLowerCase(), new TenantBooks(clock, t.baseCurrency ?? 'NZD')])
  );
  const orgSettings = new Map(
    tenants.map((t) => {
      const settings = new OrganisationSettings(t.baseCurrency ?? 'NZD', t.shortCode ?? sandboxShortCode(t.tenantId));
      if (t.timezone) settings.timezone = t.timezone;
      return [t.tenantId.toLowerCase(), settings] as const;
    })
  );
  const catalogues = new Map(tenants.map((t) => [t.tenantId.toLowerCase(), new TrackingAndThemes(clock())]));
  const catalogueFor = (tenantId: string = defaultTenant): TrackingAndThemes => {
    const found = catalogues.get(tenantId.toLowerCase());
    if (!found) throw new Error(`unknown sandbox tenant ${tenantId}`);
    return found;
  };
  const limiter = new RateLimiter({ ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) }, clock);
  const idempotency = new IdempotencyStore(clock);
  const recorded: RecordedXeroRequest[] = [];
  const counts = new Map<string, number>();
  const faults = { fail: 0, failStatus: 500 as number, retryAfter: 1, hang: 0, latency: 0, revoked: false };
  const losing = new Map<string, number>();
  let paused: { promise: Promise<void>; release: () => void } | undefined;

  const defaultTenant = tenants[0]!.tenantId;
  const booksFor = (tenantId: string = defaultTenant): TenantBooks => {
    const found = books.get(tenantId.toLowerCase());
    if (!found) throw new Error(`unknown sandbox tenant ${tenantId}`);
    return found;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const rawBody = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    const apiPath = url.pathname.startsWith(XERO_API_PREFIX)
      ? url.pathname.slice(XERO_API_PREFIX.length)
      : url.pathname;
    const route = `${method} ${routeName(apiPath)}`;
    const tenantId = headerValue(req, 'xero-tenant-id');
    const idempotencyKey = headerValue(req, 'idempotency-key');
    const entry: RecordedXeroRequest = {
      method,
      path: url.pathname,
      route,
      query: Object.fromEntries(url.searchParams),
      body: parseJsonOr(rawBody),
      ...(tenantId ? { tenantId } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    };
    recorded.push(entry);
    counts.set(route, (counts.get(route) ?? 0) + 1);
    const knownTenant = tenantId !== undefined && books.has(tenantId.toLowerCase());
    const reply = (r: Reply): void => {
      const lose = losing.get(route) ?? 0;
      if (r.status < 300 && lose > 0) {
        losing.set(route, lose - 1);
        res.socket?.destroy();
        return;
      }
      entry.status = r.status;
      // Xero reports the remaining limits on every answer; before admission they are read without charging.
      const limits =
        knownTenant && !r.headers?.['X-MinLimit-Remaining'] ? limiter.peekHeaders(tenantId.toLowerCase()) : {};
      sendJson(res, r.status, r.body, { ...limits, ...r.headers });
    };

    if (faults.hang > 0) {
      faults.hang -= 1;
      return; // deliberately never answered; close() cuts the socket
    }
    if (faults.fail > 0) {
      faults.fail -= 1;
      return reply(injectedFailure(faults.failStatus, faults.retryAfter));
    }
    if (!url.pathname.startsWith(`${XERO_API_PREFIX}/`)) return reply(notFound());

    const token = bearerToken(req);
    if (!token || faults.revoked || (options.isValidAccessToken && !options.isValidAccessToken(token))) {
      return reply({
        status: 401,
        body: { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' },
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    if (!knownTenant) {
      return reply({
        status: 403,
        body: { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' },
      });
    }

    const admission = limiter.admit(tenantId.toLowerCase());
    if (!admission.ok) {
      return reply({
        status: 429,
        headers: {
          ...admission.headers,
          'Retry-After': String(admission.retryAfterSeconds),
          'X-Rate-Limit-Problem': admission.problem,
        },
      });
    }
    try {
      if (faults.latency > 0) await sleep(faults.latency);
      if (paused) await paused.promise;
      const modifiedSince = headerValue(req, 'if-modified-since');
      const result = routeAdmitted(
        method,
        apiPath,
        url,
        rawBody,
        booksFor(tenantId),
        tenantId,
        idempotencyKey,
        modifiedSince
      );
      reply({ ...result, headers: { ...result.headers, ...admission.headers } });
    } finally {
      admission.release();
    }
  }

  function routeAdmitted(
    method: string,
    apiPath: string,
    url: URL,
    rawBody: string,
    tenantBooks: TenantBooks,
    tenantId: string,
    idempotencyKey: string | undefined,
    modifiedSince: string | undefined
  ): Reply {
    const run = (): Reply => dispatch(method, apiPath, url, rawBody, tenantBooks, tenantId, modifiedSince);
    if (!idempotencyKey || method === 'GET') return run();
    if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return validationException([`Idempotency Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`]);
    }
    const fingerprint = `${method}\n${url.pathname}${url.search}\n${rawBody}`;
    const scope = tenantId.toLowerCase();
    const seen = idempotency.lookup(scope, idempotencyKey, fingerprint);
    if (seen.kind === 'replay') return { status: seen.response.status, body: seen.response.body };
    if (seen.kind === 'mismatch') {
      return validationException([`Idempotency Key: ${idempotencyKey} is used with a different request.`]);
    }
    const fresh = run();
    const stored: StoredResponse = { status: fresh.status, body: fresh.body };
    idempotency.remember(scope, idempotencyKey, fingerprint, stored);
    return fresh;
  }

  function dispatch(
    method: string,
    apiPath: string,
    url: URL,
    rawBody: string,
    tenantBooks: TenantBooks,
    tenantId: string,
    modifiedSince: string | undefined
  ): Reply {
    if (method === 'GET' && apiPath === '/Organisation') return organisation(tenantId, tenantBooks);
    const settingsBody = method === 'GET' ? organisationSettingsBody(apiPath, settingsFor(tenantId)) : undefined;
    if (settingsBody) return { status: 200, body: { ...envelope(), ...settingsBody } };
    const catalogue = catalogueFor(tenantId).route(method, apiPath, url, parseJsonOr(rawBody, undefined));
    if (catalogue?.errors) return validationException(catalogue.errors);
    if (catalogue) return { status: catalogue.status, body: { ...envelope(), ...catalogue.body } };
    const match = /^\/(Contacts|Items|Invoices)(?:\/([^/]+))?$/.exec(apiPath);
    if (!match) return notFound();
    const kind = match[1] as XeroSchemaName;
    const id = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const unitdp = url.searchParams.get('unitdp') === '4' ? 4 : 2;

    if (method === 'GET') return id ? getOne(kind, id, tenantBooks) : getMany(kind, url, tenantBooks, modifiedSince);
    if (method !== 'PUT' && method !== 'POST') return { status: 405, body: { Message: 'Method not allowed' } };
    if (method === 'PUT' && id) return { status: 405, body: { Message: 'Method not allowed' } };

    const parsed = parseJsonOr(rawBody, undefined);
    if (parsed === undefined) {
      return {
        status: 400,
        body: { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: 'Invalid JSON body.' },
      };
    }
    const schemaProblems = options.validateBody?.(kind, parsed) ?? [];
    if (schemaProblems.length > 0) return validationException(schemaProblems);
    const elements = isRecord(parsed) && Array.isArray(parsed[kind]) ? (parsed[kind] as unknown[]) : [parsed];
    const mode: SaveMode = method === 'PUT' ? 'create' : 'upsert';
    const outcomes: ElementOutcome[] = elements.map((element) => {
      if (!isRecord(element)) return { record: {}, errors: ['Each element must be a JSON object.'] };
      if (kind === 'Contacts') return tenantBooks.saveContact(element, mode, id);
      if (kind === 'Items') return tenantBooks.saveItem(element, mode, unitdp, id);
      const checked = catalogueFor(tenantId).checkInvoice(element);
      if (checked.errors.length > 0) return { record: element, errors: checked.errors };
      return tenantBooks.saveInvoice(checked.invoice, mode, unitdp, id);
    });
    return batchReply(kind, outcomes, url.searchParams.get('summarizeErrors')?.toLowerCase() !== 'false');
  }

  function getOne(kind: XeroSchemaName, id: string, tenantBooks: TenantBooks): Reply {
    const found =
      kind === 'Contacts'
        ? tenantBooks.findContact(id)
        : kind === 'Items'
          ? tenantBooks.findItem(id)
          : tenantBooks.findInvoice(id);
    if (!found) return notFound();
    return { status: 200, body: { ...envelope(), [kind]: [found] } };
  }

  function getMany(kind: XeroSchemaName, url: URL, tenantBooks: TenantBooks, ifModifiedSince?: string): Reply {
    const q = url.searchParams;
    let rows =
      kind === 'Contacts'
        ? tenantBooks.listContacts()
        : kind === 'Items'
          ? tenantBooks.listItems()
          : tenantBooks.listInvoices();
    if (kind === 'Contacts' && q.get('includeArchived')?.toLowerCase() !== 'true') {
      rows = rows.filter((r) => r.ContactStatus !== 'ARCHIVED');
    }
    const idField = kind === 'Contacts' ? 'ContactID' : kind === 'Items' ? 'ItemID' : 'InvoiceID';
    const ids = listParam(q.get('IDs') ?? q.get('ids'));
    if (ids) rows = rows.filter((r) => ids.includes(String(r[idField]).toLowerCase()));
    const numbers = listParam(q.get('InvoiceNumbers'), false);
    if (kind === 'Invoices' && numbers) rows = rows.filter((r) => numbers.includes(String(r.InvoiceNumber)));
    const statuses = listParam(q.get('Statuses'), false);
    if (kind === 'Invoices' && statuses) rows = rows.filter((r) => statuses.includes(String(r.Status)));
    const contactIds = listParam(q.get('ContactIDs'));
    if (kind === 'Invoices' && contactIds) {
      rows = rows.filter((r) => isRecord(r.Contact) && contactIds.includes(String(r.Contact.ContactID).toLowerCase()));
    }
    const term = q.get('searchTerm')?.toLowerCase();
    if (kind === 'Contacts' && term) {
      const searched = ['Name', 'FirstName', 'LastName', 'ContactNumber', 'EmailAddress', 'CompanyNumber'];
      rows = rows.filter((r) =>
        searched.some((f) => typeof r[f] === 'string' && (r[f] as string).toLowerCase().includes(term))
      );
    }
    const where = q.get('where');
    if (where) {
      try {
        const predicate = parseWhere(where);
        rows = rows.filter(predicate);
      } catch (error) {
        if (error instanceof WhereSyntaxError) return validationException([error.message]);
        throw error;
      }
    }
    const since = parseXeroDate(ifModifiedSince ?? q.get('If-Modified-Since') ?? undefined);
    if (since !== undefined) rows = rows.filter((r) => (parseXeroDate(r.UpdatedDateUTC) ?? 0) > since);
    const page = Number(q.get('page'));
    if (kind !== 'Items' && Number.isInteger(page) && page >= 1) {
      const size = Math.min(Math.max(Number(q.get('pageSize')) || PAGE_SIZE, 1), 1000);
      // Like Xero, a paged answer says how many pages and rows the whole filtered list holds.
      const pagination = { page, pageSize: size, pageCount: Math.ceil(rows.length / size), itemCount: rows.length };
      return { status: 200, body: { ...envelope(), pagination, [kind]: rows.slice((page - 1) * size, page * size) } };
    }
    return { status: 200, body: { ...envelope(), [kind]: rows } };
  }

  function organisation(tenantId: string, tenantBooks: TenantBooks): Reply {
    const tenant = tenants.find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase());
    const name = tenant?.name ?? SANDBOX_XERO_ORG_NAME;
    return {
      status: 200,
      body: {
        ...envelope(),
        Organisations: [
          {
            OrganisationID: tenant?.tenantId ?? tenantId,
            Name: name,
            LegalName: name,
            BaseCurrency: tenantBooks.baseCurrency,
            CountryCode: 'NZ',
            OrganisationType: 'COMPANY',
            OrganisationStatus: 'ACTIVE',
            IsDemoCompany: true,
            Version: 'NZ',
            // developer.xero.com/documentation/api/accounting/organisation: Timezone and ShortCode (a tenant's
            // options at start, changeable through organisationSettings()).
            Timezone: settingsFor(tenantId).timezone,
            ShortCode: settingsFor(tenantId).shortCode,
          },
        ],
      },
    };
  }

  function settingsFor(tenantId: string = defaultTenant): OrganisationSettings {
    const found = orgSettings.get(tenantId.toLowerCase());
    if (!found) throw new Error(`unknown sandbox tenant ${tenantId}`);
    return found;
  }

  function envelope(): Record<string, unknown> {
    return { Id: newId(), Status: 'OK', ProviderName: 'D365 Xero Connector Sandbox', DateTimeUTC: msDate(clock()) };
  }

  function batchReply(kind: XeroSchemaName, outcomes: readonly ElementOutcome[], summarize: boolean): Reply {
    const withErrors = (o: ElementOutcome): XeroRecord => ({
      ...o.record,
      StatusAttributeString: 'ERROR',
      ValidationErrors: o.errors.map((Message) => ({ Message })),
    });
    if (!summarize) {
      const elements = outcomes.map((o) =>
        o.errors.length > 0 ? withErrors(o) : { ...o.record, StatusAttributeString: 'OK' }
      );
      return { status: 200, body: { ...envelope(), [kind]: elements } };
    }
    const failed = outcomes.filter((o) => o.errors.length > 0);
    // Like Xero: the valid elements are saved even though the whole response is a 400 without their ids.
    if (failed.length > 0) return { status: 400, body: validationBody(failed.map(withErrors)) };
    return { status: 200, body: { ...envelope(), [kind]: outcomes.map((o) => o.record) } };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      sendJson(res, 500, { Type: 'InternalServerError', Message: error instanceof Error ? error.message : 'error' });
    });
  });
  const url = await listen(server, options.port ?? 0);

  const knobs: SandboxXeroKnobs = {
    failNext(count, status = 500, retryAfterSeconds = 1) {
      faults.fail = count;
      faults.failStatus = status;
      faults.retryAfter = retryAfterSeconds;
    },
    hangNext(count) {
      faults.hang = count;
    },
    loseNextAnswers(route, count = 1) {
      losing.set(route, count);
    },
    setLatency(ms) {
      faults.latency = ms;
    },
    revokeAllTokens() {
      faults.revoked = true;
    },
    restoreTokens() {
      faults.revoked = false;
    },
    resetLimits() {
      limiter.reset();
      idempotency.clear();
    },
    pause() {
      if (paused) return;
      let release = (): void => undefined;
      const promise = new Promise<void>((resolve) => (release = resolve));
      paused = { promise, release };
    },
    resume() {
      paused?.release();
      paused = undefined;
    },
    inFlight: (tenantId = defaultTenant) => limiter.inFlightCount(tenantId.toLowerCase()),
    callCounts: () => Object.fromEntries(counts),
    requests: () => recorded.map((r) => ({ ...r })),
    clearRequests() {
      recorded.length = 0;
      counts.clear();
    },
    markInvoicePaid: (invoiceKey, amount, tenantId) => booksFor(tenantId).applyPayment(invoiceKey, amount),
  };

  return {
    url,
    apiUrl: `${url}${XERO_API_PREFIX}`,
    tenantId: defaultTenant,
    state: {
      tenantIds: tenants.map((t) => t.tenantId),
      books: booksFor,
      snapshot: (tenantId) => booksFor(tenantId).snapshot(),
    },
    knobs,
    organisationSettings: settingsFor,
    trackingAndThemes: catalogueFor,
    close: async () => {
      knobs.resume();
      await closeServer(server);
    },
  };
}

function validationBody(elements: readonly XeroRecord[]): Record<string, unknown> {
  return {
    ErrorNumber: 10,
    Type: 'ValidationException',
    Message: 'A validation exception occurred',
    Elements: elements,
  };
}

function validationException(messages: readonly string[]): Reply {
  return { status: 400, body: validationBody([{ ValidationErrors: messages.map((Message) => ({ Message })) }]) };
}

function notFound(): Reply {
  return {
    status: 404,
    body: { Title: 'Not Found', Status: 404, Detail: 'The resource you are looking for cannot be found.' },
  };
}

function injectedFailure(status: number, retryAfterSeconds: number): Reply {
  if (status === 429) {
    return {
      status,
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'X-Rate-Limit-Problem': 'minute',
        'X-MinLimit-Remaining': '0',
      },
    };
  }
  return { status, body: { Title: status === 503 ? 'Service Unavailable' : 'Internal Server Error', Status: status } };
}

function parseJsonOr(text: string, fallback: unknown = text || undefined): unknown {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

function listParam(value: string | null, lower = true): string[] | undefined {
  if (!value) return undefined;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => (lower ? v.toLowerCase() : v));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
