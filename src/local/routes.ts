/**
 * The runtime contract's routes for the one-machine connector. Each handler is thin: authenticate, call one use
 * case, shape the answer. Admin routes accept `Authorization: Bearer $CONNECTOR_ADMIN_TOKEN` or, for the browser,
 * a session cookie obtained through a signed single-use login link (`connector login-link`).
 */
import { randomBytes } from 'node:crypto';
import type { SqliteOutcomeLog } from '../../lambdas/adapters/local/sqlite-outcome-log';
import type { SqliteQueue } from '../../lambdas/adapters/local/sqlite-queue';
import { createConnectLink } from '../../lambdas/core/connection/connect-link';
import type { ConsentRoutes } from '../../lambdas/core/connection/consent-routes';
import type { TokenSigner } from '../../lambdas/core/connection/signed-token';
import type { TokenService } from '../../lambdas/core/connection/token-service';
import {
  backfillRunId,
  estimateBackfill,
  type BackfillRequest,
  type createBackfill,
} from '../../lambdas/core/backfill/backfill';
import { describeError } from '../../lambdas/core/errors';
import type { ReconcileReport } from '../../lambdas/core/reconcile/reconcile';
import { isSyncedTable, type ChangeEvent, type SyncedTable } from '../../lambdas/core/model/change-event';
import type { ChangeQueue, Clock, Logger } from '../../lambdas/core/ports';
import type { ChangePlan } from '../../lambdas/core/sync/plan-change';
import type { HttpRequest, HttpResponse, Route } from './http-server';
import { requireAdmin } from './http-server';
import { renderStatusPage, type StatusSnapshot } from './status-page';
import { preflightStatusOf, sweepStatusOf, type StatusChecks } from './status-checks';

type Handler = (request: {
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}) => Promise<{
  status: number;
  body: string;
  headers?: Record<string, string>;
}>;

export interface RouteDeps {
  readonly mode: 'real' | 'sandbox';
  readonly adminToken: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signer: TokenSigner;
  readonly consent: ConsentRoutes;
  readonly tokenService: TokenService;
  readonly queue: SqliteQueue;
  readonly outcomes: SqliteOutcomeLog;
  readonly changes: ChangeQueue;
  readonly planChange: (event: ChangeEvent) => Promise<ChangePlan>;
  readonly acceptDataverse: Handler;
  readonly acceptXero?: (request: {
    headers: Record<string, string | undefined>;
    rawBody: Buffer;
  }) => Promise<{ status: number; body: string }>;
  readonly publicUrl: () => string;
  readonly backfill: ReturnType<typeof createBackfill>;
  /** Compare synced records with Xero now (also run nightly by the connector). */
  readonly reconcile: () => Promise<ReconcileReport>;
  /** Xero calls per day the backfill estimate plans against (XERO_DAY_BUDGET; 5,000, or 1,000 on Starter). */
  readonly xeroDayBudget: number;
  /** XERO_TENANT_ID is set (or a custom connection, which covers one organisation): warn loudly when false. */
  readonly tenantPinned?: boolean;
  /** The catch-up sweep's and the Xero preflight's latest results, for /status. */
  readonly checks?: () => Promise<StatusChecks>;
}

interface BackfillJob {
  runId: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  progress: Record<string, { listed: number; queued: number }>;
  error?: string;
}

/** On https the `__Host-` prefix pins the cookie to this origin (Secure, Path=/, no Domain: RFC 6265bis §4.1.3.2). */
const SECURE_SESSION_COOKIE = '__Host-connector_session';
/** Browsers refuse Secure cookies over plain http, so a loopback run keeps the unprefixed name. */
const PLAIN_SESSION_COOKIE = 'connector_session';
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
/** Every HTML page: nothing loads from elsewhere, forms post only here, and no other site may frame it. */
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const LOGIN_LINK_TTL_SECONDS = 600;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

export function buildRoutes(deps: RouteDeps): Route[] {
  const sessions = new Map<string, number>();
  let backfillJob: BackfillJob | undefined;

  const secureCookies = () => deps.publicUrl().toLowerCase().startsWith('https://');
  const sessionCookieName = () => (secureCookies() ? SECURE_SESSION_COOKIE : PLAIN_SESSION_COOKIE);

  function hasSession(request: HttpRequest): boolean {
    const session = cookie(request, sessionCookieName());
    const expires = session ? sessions.get(session) : undefined;
    return expires !== undefined && expires > deps.clock.now().getTime();
  }

  function isAdmin(request: HttpRequest): boolean {
    return requireAdmin(request.headers, deps.adminToken) || hasSession(request);
  }

  /**
   * A cookie rides along with any cross-site POST, so a cookie-authenticated POST must come from our own pages:
   * Sec-Fetch-Site says so, or (older browsers) the Origin matches this server. A bearer token cannot be forged by
   * another site, so bearer requests need no such check.
   */
  function isSameOrigin(request: HttpRequest): boolean {
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string') return site === 'same-origin';
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || origin === 'null') return false;
    try {
      const from = new URL(origin);
      return from.host === request.headers.host || from.origin === new URL(deps.publicUrl()).origin;
    } catch {
      return false;
    }
  }

  /** Which body types a POST route reads; any other non-empty body is refused with 415. */
  type BodyKinds = 'none' | 'json' | 'json-or-form';

  const admin =
    (handler: (request: HttpRequest) => Promise<HttpResponse>, body: BodyKinds = 'none') =>
    async (request: HttpRequest): Promise<HttpResponse> => {
      const bearer = requireAdmin(request.headers, deps.adminToken);
      if (!bearer && !hasSession(request)) {
        return json(401, {
          error: 'unauthorized',
          message: 'admin token required (Authorization: Bearer $CONNECTOR_ADMIN_TOKEN)',
        });
      }
      if (request.method !== 'POST') return handler(request);
      if (!bearer && !isSameOrigin(request)) {
        deps.logger.warn('cross-site admin request refused', { path: request.path });
        return json(403, { error: 'forbidden', message: 'cross-site request refused (Origin / Sec-Fetch-Site)' });
      }
      const type = String(request.headers['content-type'] ?? '');
      const typeOk = JSON_TYPE.test(type) || (body === 'json-or-form' && FORM_TYPE.test(type));
      if (request.rawBody.length > 0 && !typeOk) {
        return json(415, {
          error: 'unsupported_media_type',
          message: body === 'none' ? 'this route takes no body' : 'send the body as application/json',
        });
      }
      return handler(request);
    };

  async function snapshot(): Promise<StatusSnapshot> {
    const connection = await deps.tokenService.status(deps.clock.now());
    const depth = (name: 'changes' | 'writes') => {
      const d = deps.queue.depth(name);
      return { depth: d.ready + d.inFlight + d.delayed, dead: d.deadLetters };
    };
    const row = (o: ReturnType<SqliteOutcomeLog['recent']>[number]) => ({
      at: o.recordedAt,
      table: o.table,
      id: o.id,
      status: o.status,
      message: o.message,
      xeroId: o.xeroId,
    });
    return {
      mode: deps.mode,
      connection: {
        state: connection.state,
        tenantName: connection.tenantName,
        tenantId: connection.tenantId,
        reason: connection.reason
          ? `${connection.reason}${connection.nextStep ? ` — ${connection.nextStep}` : ''}`
          : undefined,
        refreshedAt: connection.refreshedAt,
        refreshTokenAgeHours:
          connection.refreshTokenAgeSeconds !== undefined ? connection.refreshTokenAgeSeconds / 3600 : undefined,
        tenantPinned: deps.tenantPinned ?? false,
        ...(connection.organisations ? { organisations: connection.organisations } : {}),
      },
      queues: { changes: depth('changes'), writes: depth('writes') },
      counts: deps.outcomes.counts(),
      recent: deps.outcomes.recent(25).map(row),
      failures: deps.outcomes
        .failures(25)
        .filter((o) => o.willRetry === false)
        .map(row),
      connectPath: '/oauth/xero/connect',
      ...(await checksOf(deps.checks)),
    };
  }

  function retryEvent(table: SyncedTable, id: string): ChangeEvent {
    const now = deps.clock.now().toISOString();
    return {
      table,
      id: id.toLowerCase(),
      message: 'Update',
      occurredAt: now,
      dedupeId: `retry:${table}:${id}:${now}`,
      source: 'retry',
    };
  }

  /** Retry one record: a fresh change, plus any of its dead letters moved back so nothing is left behind. */
  async function retry(request: HttpRequest): Promise<HttpResponse> {
    const fields = formOrJson(request);
    const table = fields.table ?? '';
    const id = fields.id ?? '';
    if (!isSyncedTable(table) || !GUID.test(id)) {
      return json(400, {
        error: 'bad_request',
        message: 'expected {"table": "account|contact|product|salesorder", "id": "<GUID>"}',
      });
    }
    await deps.changes.enqueue([retryEvent(table, id)]);
    const group = `${table}:${id.toLowerCase()}`;
    const moved = deps.queue.redrive('changes', { groupId: group });
    deps.logger.info('record queued for retry', { table, id });
    if (isFormPost(request)) return { status: 303, headers: { location: '/' }, body: '' };
    return json(202, { queued: true, message: `Queued ${table} ${id} for another sync.`, redriven: moved });
  }

  async function redrive(request: HttpRequest): Promise<HttpResponse> {
    const fields = formOrJson(request);
    if (fields.queue !== undefined && fields.queue !== 'changes' && fields.queue !== 'writes')
      return json(400, { error: 'bad_request', message: 'queue must be changes or writes' });
    if (fields.table !== undefined && !isSyncedTable(fields.table))
      return json(400, { error: 'bad_request', message: 'unknown table' });
    const queues = fields.queue ? [fields.queue as 'changes' | 'writes'] : (['changes', 'writes'] as const);
    let moved = 0;
    for (const name of queues) {
      // Writes carry no group; a table filter applies to changes, whose group is `table:id`.
      if (fields.table && name === 'writes') continue;
      moved += deps.queue.redrive(name, fields.table ? { groupIdPrefix: `${fields.table}:` } : {});
    }
    return json(200, { moved });
  }

  async function preview(request: HttpRequest): Promise<HttpResponse> {
    const table = request.params.table ?? '';
    const id = request.params.id ?? '';
    if (!isSyncedTable(table) || !GUID.test(id))
      return json(400, { error: 'bad_request', message: 'expected /admin/preview/<table>/<GUID>' });
    try {
      const plan = await deps.planChange({ ...retryEvent(table, id), source: 'manual' });
      if (plan.missing) return json(404, { error: 'not_found', message: plan.missing });
      return json(200, {
        writes: plan.writes,
        forward: plan.forward,
        ...(plan.skipped ? { skipped: plan.skipped } : {}),
      });
    } catch (error) {
      return json(422, { error: 'cannot_map', message: describeError(error) });
    }
  }

  /** Parse a backfill request: `{"tables": "account,contact" | [..], "since": ISO date, "dryRun": bool}`. */
  function backfillRequest(request: HttpRequest): BackfillRequest | string {
    let body: { tables?: unknown; since?: unknown; dryRun?: unknown };
    try {
      body = JSON.parse(request.rawBody.toString('utf8') || '{}');
    } catch {
      return 'body must be JSON';
    }
    const names = Array.isArray(body.tables)
      ? body.tables
      : typeof body.tables === 'string'
        ? body.tables.split(',')
        : [];
    const tables = names.map((t) => String(t).trim()).filter(Boolean);
    if (tables.length === 0 || !tables.every(isSyncedTable))
      return `tables must be a list of ${['account', 'contact', 'product', 'salesorder'].join(', ')}`;
    if (body.since !== undefined && (typeof body.since !== 'string' || Number.isNaN(Date.parse(body.since))))
      return 'since must be an ISO 8601 date';
    return { tables, ...(typeof body.since === 'string' ? { since: new Date(body.since).toISOString() } : {}) };
  }

  async function startBackfill(request: HttpRequest): Promise<HttpResponse> {
    const parsed = backfillRequest(request);
    if (typeof parsed === 'string') return json(400, { error: 'bad_request', message: parsed });
    const dryRun = JSON.parse(request.rawBody.toString('utf8') || '{}').dryRun === true;
    if (dryRun) {
      const estimate = estimateBackfill(await deps.backfill.count(parsed), deps.xeroDayBudget);
      return json(200, { dryRun: true, runId: backfillRunId(parsed), estimate });
    }
    if (backfillJob?.state === 'running')
      return json(409, { error: 'busy', message: 'a backfill is already running', runId: backfillJob.runId });
    const job: BackfillJob = {
      runId: backfillRunId(parsed),
      state: 'running',
      startedAt: deps.clock.now().toISOString(),
      progress: {},
    };
    backfillJob = job;
    deps.backfill
      .run(parsed, (p) => {
        job.progress[p.table] = { listed: p.listed, queued: p.queued };
      })
      .then(() => {
        job.state = 'done';
      })
      .catch((error) => {
        job.state = 'failed';
        job.error = describeError(error);
        deps.logger.warn('backfill failed', { runId: job.runId, error: job.error });
      });
    return json(202, { runId: job.runId, message: 'backfill started; GET /admin/backfill for progress' });
  }

  const wrapConsent =
    (route: keyof ConsentRoutes) =>
    async (request: HttpRequest): Promise<HttpResponse> => {
      // The status page's "Connect Xero" link: a signed-in operator (SameSite=Strict session, so never a cross-site
      // navigation) starts consent as the admin without pasting the token.
      // Likewise the organisation-replacement form, when posted from our own page by a signed-in operator.
      const sessionAdmin = !request.headers.authorization && hasSession(request);
      const asAdmin =
        sessionAdmin &&
        (route === 'connect' || (route === 'chooseTenant' && request.method === 'POST' && isSameOrigin(request)));
      const response = await deps.consent[route]({
        headers: {
          ...(request.headers as Record<string, string | undefined>),
          ...(asAdmin ? { authorization: `Bearer ${deps.adminToken}` } : {}),
        },
        query: request.query,
        ...(request.method === 'POST' ? { body: request.rawBody.toString('utf8') } : {}),
      });
      return { status: response.status, headers: response.headers, body: response.body };
    };

  return [
    { method: 'GET', path: '/health', handler: async () => json(200, { ok: true, mode: deps.mode }) },
    { method: 'GET', path: '/status', handler: admin(async () => json(200, await snapshot())) },
    {
      method: 'GET',
      path: '/',
      handler: async (request): Promise<HttpResponse> => {
        if (!isAdmin(request)) {
          return {
            status: 401,
            headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP },
            body: '<!doctype html><title>Sign in</title><p>This page is for operators. Run <code>npx connector login-link</code> and open the link it prints.</p>',
          };
        }
        return {
          status: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'content-security-policy': PAGE_CSP,
          },
          body: renderStatusPage(await snapshot()),
        };
      },
    },
    {
      method: 'GET',
      path: '/login',
      handler: async (request): Promise<HttpResponse> => {
        const verdict = await deps.signer.verify(request.query.link, 'admin-login', deps.clock.now());
        if (!verdict.ok)
          return {
            status: 401,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
            body: `Login link refused (${verdict.failure}). Ask for a new one with: npx connector login-link`,
          };
        const session = randomBytes(32).toString('base64url');
        sessions.set(session, deps.clock.now().getTime() + SESSION_TTL_MS);
        return {
          status: 302,
          headers: {
            location: '/',
            'set-cookie': `${sessionCookieName()}=${session}; HttpOnly${secureCookies() ? '; Secure' : ''}; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`,
          },
          body: '',
        };
      },
    },
    {
      method: 'POST',
      path: '/admin/login-link',
      handler: admin(async () => {
        const token = deps.signer.sign('admin-login', deps.clock.now(), LOGIN_LINK_TTL_SECONDS);
        return json(200, {
          url: `${deps.publicUrl()}/login?link=${encodeURIComponent(token)}`,
          expiresAt: new Date(deps.clock.now().getTime() + LOGIN_LINK_TTL_SECONDS * 1000).toISOString(),
        });
      }),
    },
    {
      method: 'POST',
      path: '/admin/connect-link',
      handler: admin(async () =>
        json(
          200,
          createConnectLink({ signer: deps.signer, clock: deps.clock }, `${deps.publicUrl()}/oauth/xero/connect`)
        )
      ),
    },
    {
      method: 'POST',
      path: '/admin/disconnect',
      handler: admin(async () => {
        const { revoked } = await deps.tokenService.disconnect();
        return json(200, {
          revoked,
          message: `Disconnected from Xero${revoked ? ' and revoked the token' : ''}. Run \`connector connect-link\` to connect again.`,
        });
      }),
    },
    { method: 'POST', path: '/admin/retry', handler: admin(retry, 'json-or-form') },
    { method: 'POST', path: '/admin/backfill', handler: admin(startBackfill, 'json') },
    { method: 'POST', path: '/admin/reconcile', handler: admin(async () => json(200, await deps.reconcile())) },
    {
      method: 'GET',
      path: '/admin/backfill',
      handler: admin(async () =>
        backfillJob
          ? json(200, backfillJob)
          : json(404, { error: 'not_found', message: 'no backfill has run since start-up' })
      ),
    },
    { method: 'POST', path: '/admin/redrive', handler: admin(redrive, 'json') },
    { method: 'GET', path: '/admin/preview/:table/:id', handler: admin(preview) },
    { method: 'GET', path: '/oauth/xero/connect', handler: wrapConsent('connect') },
    { method: 'GET', path: '/oauth/xero/callback', handler: wrapConsent('callback') },
    { method: 'GET', path: '/oauth/xero/choose', handler: wrapConsent('chooseTenant') },
    // The admin's confirmation that another organisation replaces the connected one (carries the admin token).
    { method: 'POST', path: '/oauth/xero/choose', handler: wrapConsent('chooseTenant') },
    {
      method: 'POST',
      path: '/webhooks/dataverse',
      handler: async (request) => {
        const response = await deps.acceptDataverse({
          headers: request.headers as Record<string, string | undefined>,
          query: request.query,
          rawBody: request.rawBody,
        });
        return {
          status: response.status,
          headers: { 'content-type': 'application/json', ...response.headers },
          body: response.body,
        };
      },
    },
    {
      method: 'POST',
      path: '/webhooks/xero',
      handler: async (request) => {
        if (!deps.acceptXero)
          return json(404, { error: 'not_configured', message: 'Xero webhooks are off: set XERO_WEBHOOK_KEY' });
        const response = await deps.acceptXero({
          headers: request.headers as Record<string, string | undefined>,
          rawBody: request.rawBody,
        });
        return { status: response.status, body: response.body };
      },
    },
  ];
}

function cookie(request: HttpRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function isFormPost(request: HttpRequest): boolean {
  return String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** Fields from a JSON object body or an HTML form post; anything else reads as no fields. */
function formOrJson(request: HttpRequest): Record<string, string | undefined> {
  const text = request.rawBody.toString('utf8');
  if (isFormPost(request)) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  } catch {
    return {};
  }
}

/** The sweep and preflight figures; a store that cannot be read leaves them out rather than failing /status. */
async function checksOf(
  read: (() => Promise<StatusChecks>) | undefined
): Promise<Pick<StatusSnapshot, 'sweep' | 'preflight'>> {
  if (!read) return {};
  try {
    const checks = await read();
    return { sweep: sweepStatusOf(checks), preflight: preflightStatusOf(checks.preflight) };
  } catch {
    return {};
  }
}
