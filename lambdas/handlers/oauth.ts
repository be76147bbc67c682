/**
 * Operator routes on AWS. Consent: GET /oauth/xero/connect | /callback | /choose and POST /choose (the POST carries
 * an admin's confirmation that another organisation replaces the connected one). The status page: GET / for a
 * browser signed in through a single-use link (GET /login?link=…, minted by POST /admin/login-link with the admin
 * bearer: `connector login-link --stage <name>`), with POST /admin/retry (one dead letter) and /admin/retry-all
 * (every DLQ back to its queue). GET /status is the same StatusSnapshot as JSON. GET /health.
 * Thin: the consent use cases are the same the local runtime serves; the new connection is handed to the token
 * function, the only writer of the token secret.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { dynamicsRecordLink, readOutcomeJournal } from '../adapters/aws/outcome-journal-reader';
import {
  DeadLetterRetryError,
  peekDeadLetters,
  queueDepths,
  redriveAll,
  retryDeadLetter,
  type QueuePair,
} from '../adapters/aws/sqs-dead-letters';
import { DynamoDbUsedNonceStore } from '../adapters/aws/dynamodb-used-nonce-store';
import { DynamoDbCheckpointStore } from '../adapters/aws/dynamodb-checkpoint-store';
import { loadPreflightReport, preflightStatusOf } from '../core/preflight/preflight-report';
import { loadSweepReport, sweepStatusOf } from '../core/sweep/sweep-report';
import { SecretsPendingConsentStore } from '../adapters/aws/secrets-connection-store';
import { createConsentRoutes, type ConsentRoutes } from '../core/connection/consent-routes';
import { adminSessionCookie, issueAdminSession } from '../core/connection/admin-session';
import { deriveSigningKey, TokenSigner } from '../core/connection/signed-token';
import type { Clock, Logger } from '../core/ports';
import { filterSnapshot, parseStatusFilter, statusPageLocation, type StatusFilter } from '../core/status/status-filter';
import {
  parseRetryTarget,
  retryChangeEvent,
  RETRY_TARGET_EXPECTED,
  type RetryTarget,
} from '../core/operations/retry-record';
import { SqsChangeQueue } from '../adapters/aws/sqs-queues';
import { renderStatusPage } from '../core/status/status-page';
import type { StatusSnapshot } from '../core/status/status-snapshot';
import { describeError } from '../core/errors';
import { SETTINGS_MAX_AGE_SECONDS } from '../contract/secrets';
import { clock, dynamo, once, secretsManager, sqs } from './shared/aws-clients';
import { consentIdentity } from './shared/consent-identity';
import { envFor } from './shared/env';
import { settingsOf, xeroConfig } from './shared/settings';
import { tokenServiceClient } from './shared/token-deps';
import { jsonResponse, requestOf, response } from './shared/api-gateway';
import { loggerPort } from './shared/powertools';
import {
  callerOf,
  type Caller,
  fieldsOf,
  isFormPost,
  isSameOrigin,
  newNonce,
  pageSecurityHeaders,
  signInPage,
} from './shared/admin-web';
import { awsStatusSnapshot } from './shared/aws-status-snapshot';

export interface OperatorDeps {
  readonly consent: ConsentRoutes;
  readonly adminToken: string;
  /** Signs login links and session cookies (key derived from the admin token). */
  readonly signer: TokenSigner;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Public URL of the API stage, e.g. https://<api>.execute-api.<region>.amazonaws.com/<stage>. */
  readonly publicUrl: string;
  readonly snapshot: () => Promise<StatusSnapshot>;
  /** Sends one dead letter (StatusDeadLetter.retryKey) back to its queue. */
  readonly retry: (retryKey: string) => Promise<void>;
  /** Queues one record for another sync (the failures table's Retry): an Update change on the changes queue. */
  readonly retryRecord: (target: RetryTarget) => Promise<void>;
  /** Moves every dead letter back to its queue; messages waiting per queue when the move started. */
  readonly retryAll: () => Promise<Readonly<Record<string, number>>>;
}

const LOGIN_LINK_TTL_SECONDS = 600;
type Request = ReturnType<typeof requestOf>;

const CONSENT_ROUTES: Readonly<Record<string, keyof ConsentRoutes>> = {
  '/oauth/xero/connect': 'connect',
  '/oauth/xero/callback': 'callback',
  '/oauth/xero/choose': 'chooseTenant',
};

export function createHandler(getDeps: () => Promise<OperatorDeps>) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const path = event.resource ?? event.path;
    if (path === '/health') return jsonResponse(200, { ok: true });
    const deps = await getDeps();
    const request = requestOf(event);
    const caller = callerOf(request.headers, deps.adminToken, deps.signer, deps.clock.now());
    const base = new URL(deps.publicUrl).pathname.replace(/\/+$/, '');
    const stage = event.requestContext?.stage ?? (base.slice(1) || '<stage>');
    const route = CONSENT_ROUTES[path];
    if (route) return consent(deps, route, event, request, caller);
    if (path === '/login') return login(deps, request, base, stage);
    if (path === '/') {
      if (!caller.session && !caller.bearer)
        return signInPage(401, "This page is for the connector's operators.", stage);
      return statusPage(deps, base, parseStatusFilter(request.query));
    }
    if (!caller.bearer && !caller.session)
      return jsonResponse(401, { error: 'unauthorized', message: 'admin token required (Authorization: Bearer …)' });
    if (event.httpMethod === 'POST' && !caller.bearer && !isSameOrigin(request.headers)) {
      deps.logger.warn('cross-site admin request refused', { path });
      return jsonResponse(403, { error: 'forbidden', message: 'cross-site request refused (Origin / Sec-Fetch-Site)' });
    }
    switch (path) {
      case '/status':
        return withSnapshot(deps, (snapshot) => jsonResponse(200, snapshot));
      case '/admin/login-link':
        return jsonResponse(200, loginLink(deps));
      case '/admin/retry':
        return retry(deps, request, base);
      case '/admin/retry-all': {
        const moved = await deps.retryAll();
        deps.logger.info('dead letters redriven', { moved });
        if (isFormPost(request.headers)) return response(303, '', { location: `${base}/` });
        return jsonResponse(200, { moved });
      }
      default:
        return jsonResponse(404, { error: 'not_found' });
    }
  };
}

/**
 * A signed-in operator's browser (SameSite=Strict session, so never a cross-site navigation) starts consent as the
 * admin, and the consent cookie is set on that browser; likewise the replacement form posted from our own page.
 */
async function consent(
  deps: OperatorDeps,
  route: keyof ConsentRoutes,
  event: APIGatewayProxyEvent,
  request: Request,
  caller: Caller
): Promise<APIGatewayProxyResult> {
  const asAdmin =
    !caller.bearer &&
    caller.session &&
    (route === 'connect' || (route === 'chooseTenant' && event.httpMethod === 'POST' && isSameOrigin(request.headers)));
  const answer = await deps.consent[route]({
    headers: { ...request.headers, ...(asAdmin ? { authorization: `Bearer ${deps.adminToken}` } : {}) },
    query: request.query,
    // Only the organisation-replacement form POSTs a body (its admin token must not travel in a URL).
    ...(event.httpMethod === 'POST' ? { body: request.rawBody.toString('utf8') } : {}),
  });
  return response(answer.status, answer.body, answer.headers);
}

async function withSnapshot(
  deps: OperatorDeps,
  answer: (snapshot: StatusSnapshot) => APIGatewayProxyResult
): Promise<APIGatewayProxyResult> {
  try {
    return answer(await deps.snapshot());
  } catch (error) {
    deps.logger.error('status failed', { error: describeError(error) });
    return jsonResponse(503, { error: 'unavailable', message: 'status could not be read; see the function logs' });
  }
}

function statusPage(deps: OperatorDeps, base: string, filter: StatusFilter): Promise<APIGatewayProxyResult> {
  return withSnapshot(deps, (snapshot) => {
    const nonce = newNonce();
    const paths = { page: `${base}/`, retry: `${base}/admin/retry`, retryAll: `${base}/admin/retry-all` };
    const html = renderStatusPage(filterSnapshot(snapshot, filter), { paths, nonce, filter });
    return response(200, html, pageSecurityHeaders(nonce));
  });
}

function loginLink(deps: OperatorDeps): { url: string; expiresAt: string } {
  const now = deps.clock.now();
  const token = deps.signer.sign('admin-login', now, LOGIN_LINK_TTL_SECONDS);
  return {
    url: `${deps.publicUrl}/login?link=${encodeURIComponent(token)}`,
    expiresAt: new Date(now.getTime() + LOGIN_LINK_TTL_SECONDS * 1000).toISOString(),
  };
}

/** A single-use login link becomes an 8-hour session cookie on this browser. */
async function login(
  deps: OperatorDeps,
  request: Request,
  base: string,
  stage: string
): Promise<APIGatewayProxyResult> {
  const now = deps.clock.now();
  const verdict = await deps.signer.verify(request.query.link, 'admin-login', now);
  if (!verdict.ok) {
    deps.logger.warn('login link refused', { reason: verdict.failure });
    return signInPage(401, `That sign-in link cannot be used (${verdict.failure.replace('_', ' ')}).`, stage);
  }
  return response(302, '', {
    location: `${base}/`,
    'set-cookie': adminSessionCookie(issueAdminSession(deps.signer, now)),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
}

async function retry(deps: OperatorDeps, request: Request, base: string): Promise<APIGatewayProxyResult> {
  const fields = fieldsOf(request.headers, request.rawBody.toString('utf8'));
  const { retryKey } = fields;
  const back = statusPageLocation(`${base}/`, fields.back);
  if (!retryKey) {
    const target = parseRetryTarget(fields.table, fields.id);
    if (!target) return jsonResponse(400, { error: 'bad_request', message: RETRY_TARGET_EXPECTED });
    await deps.retryRecord(target);
    deps.logger.info('record queued for retry', { table: target.table, id: target.id });
    if (isFormPost(request.headers)) return response(303, '', { location: back });
    return jsonResponse(202, { queued: true, table: target.table, id: target.id });
  }
  if (retryKey.length > 200) return jsonResponse(400, { error: 'bad_request', message: RETRY_TARGET_EXPECTED });
  try {
    await deps.retry(retryKey);
  } catch (error) {
    if (!(error instanceof DeadLetterRetryError)) throw error;
    return jsonResponse(error.status, { error: 'not_retried', message: error.message });
  }
  deps.logger.info('dead letter retried', { retryKey });
  if (isFormPost(request.headers)) return response(303, '', { location: back });
  return jsonResponse(202, { queued: true, retryKey });
}

const env = envFor('oauth');

/** The Xero client id (public: it is in every authorize URL) from the token function, re-asked like settings. */
let clientId: { value: Promise<string>; until: number } | undefined;
function xeroClientId(): Promise<string> {
  const now = clock.now().getTime();
  if (!clientId || clientId.until <= now) {
    const value = tokenServiceClient(env)
      .consentConfig()
      .then((c) => c.clientId);
    value.catch(() => (clientId = undefined));
    clientId = { value, until: now + SETTINGS_MAX_AGE_SECONDS * 1000 };
  }
  return clientId.value;
}

/** The connector's signer: its key is derived from the admin token; nonces are burnt in the sync-state table. */
function signerFor(adminToken: string): TokenSigner {
  return new TokenSigner(
    deriveSigningKey(adminToken),
    new DynamoDbUsedNonceStore(dynamo(), env.require('SYNC_STATE_TABLE'))
  );
}

/** Consent routes built for the request, from settings re-read after the cache time (a rotated admin token). */
async function consentRoutes(adminToken: string, signer: TokenSigner): Promise<ConsentRoutes> {
  const config = xeroConfig(env, await xeroClientId());
  const tokens = tokenServiceClient(env);
  return createConsentRoutes({
    config,
    signer,
    identity: consentIdentity(tokens, config),
    pending: new SecretsPendingConsentStore(secretsManager(), env.require('PENDING_CONSENT_SECRET_ARN')),
    connections: { adopt: (record) => tokens.adopt(record), status: () => tokens.status() },
    clock,
    logger: loggerPort,
    adminToken,
  });
}

/** XERO_TENANT_ID (or a custom connection, which is one organisation by construction): /status warns otherwise. */
async function tenantPinned(): Promise<boolean> {
  const config = xeroConfig(env, await xeroClientId());
  return Boolean(config.pinnedTenantId) || config.authMode === 'custom-connection';
}

/** The three pipelines whose queues the page shows and whose dead letters it can send back. */
function queuePairs(): QueuePair[] {
  return [
    { name: 'changes', queueUrl: env.require('CHANGES_QUEUE_URL'), deadLetterQueueUrl: env.require('CHANGES_DLQ_URL') },
    { name: 'writes', queueUrl: env.require('WRITES_QUEUE_URL'), deadLetterQueueUrl: env.require('WRITES_DLQ_URL') },
    {
      name: 'xero-events',
      queueUrl: env.require('XERO_EVENTS_QUEUE_URL'),
      deadLetterQueueUrl: env.require('XERO_EVENTS_DLQ_URL'),
    },
  ];
}

/** https://<api>.execute-api.<region>.amazonaws.com/<stage>: the redirect URI without its route. */
function publicUrl(): string {
  return env.require('XERO_REDIRECT_URI').replace(/\/oauth\/xero\/callback$/, '');
}

export const handler = createHandler(async () => {
  const { CONNECTOR_ADMIN_TOKEN: adminToken } = await settingsOf('admin', env);
  const signer = signerFor(adminToken);
  const routes = once(() => consentRoutes(adminToken, signer));
  const table = env.require('SYNC_STATE_TABLE');
  const base = publicUrl();
  return {
    adminToken,
    signer,
    clock,
    logger: loggerPort,
    publicUrl: base,
    consent: {
      connect: async (req) => (await routes()).connect(req),
      callback: async (req) => (await routes()).callback(req),
      chooseTenant: async (req) => (await routes()).chooseTenant(req),
    },
    snapshot: () =>
      awsStatusSnapshot({
        clock,
        logger: loggerPort,
        connection: () => tokenServiceClient(env).status(),
        tenantPinned,
        queues: () => queueDepths(sqs(), queuePairs()),
        deadLetters: () => peekDeadLetters(sqs(), queuePairs()),
        journal: (now) => readOutcomeJournal(dynamo(), table, now, dynamicsRecordLink(env.optional('DATAVERSE_URL'))),
        checks: async () => {
          const store = new DynamoDbCheckpointStore(dynamo(), table);
          return {
            sweep: sweepStatusOf({ sweep: await loadSweepReport(store) }),
            preflight: preflightStatusOf(await loadPreflightReport(store)),
          };
        },
        connectPath: `${new URL(base).pathname.replace(/\/+$/, '')}/oauth/xero/connect`,
      }),
    retry: (retryKey) => retryDeadLetter(sqs(), queuePairs(), retryKey),
    retryRecord: (target) =>
      new SqsChangeQueue(sqs(), env.require('CHANGES_QUEUE_URL')).enqueue([retryChangeEvent(target, clock.now())]),
    retryAll: () => redriveAll(sqs(), queuePairs()),
  };
});
