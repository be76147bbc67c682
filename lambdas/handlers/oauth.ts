/**
 * Operator routes on AWS: GET /oauth/xero/connect | /callback | /choose and POST /choose (consent; the POST carries
 * an admin's confirmation that another organisation replaces the connected one), GET /status (admin), GET /health.
 * Thin: the consent use cases are the same the local runtime serves; the new connection is handed to the token
 * function, the only writer of the token secret.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoDbUsedNonceStore } from '../adapters/aws/dynamodb-used-nonce-store';
import { DynamoDbCheckpointStore } from '../adapters/aws/dynamodb-checkpoint-store';
import { loadPreflightReport, preflightStatusOf } from '../core/preflight/preflight-report';
import { loadSweepReport, sweepStatusOf } from '../core/sweep/sweep-report';
import { SecretsPendingConsentStore } from '../adapters/aws/secrets-connection-store';
import { createConsentRoutes, type ConsentRoutes } from '../core/connection/consent-routes';
import { deriveSigningKey, isAdminBearer, TokenSigner } from '../core/connection/signed-token';
import type { ConnectionStatus } from '../core/connection/types';
import { describeError } from '../core/errors';
import { SETTINGS_MAX_AGE_SECONDS } from '../contract/secrets';
import { clock, dynamo, once, secretsManager, sqs } from './shared/aws-clients';
import { consentIdentity } from './shared/consent-identity';
import { envFor } from './shared/env';
import { settingsOf, xeroConfig } from './shared/settings';
import { tokenServiceClient } from './shared/token-deps';
import { jsonResponse, requestOf, response } from './shared/api-gateway';
import { loggerPort } from './shared/powertools';

export interface OperatorDeps {
  readonly consent: ConsentRoutes;
  readonly adminToken: string;
  readonly connectionStatus: () => Promise<ConnectionStatus>;
  readonly queueDepths: () => Promise<Record<string, number>>;
  /** XERO_TENANT_ID is set; /status warns when it is not. */
  readonly tenantPinned?: boolean;
  /** The catch-up sweep's and the Xero preflight's latest results (optional: older wiring has none). */
  readonly checks?: () => Promise<Record<string, unknown>>;
}

export function createHandler(getDeps: () => Promise<OperatorDeps>) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const path = event.resource ?? event.path;
    if (path === '/health') return jsonResponse(200, { ok: true });
    const deps = await getDeps();
    const request = requestOf(event);
    const consentRoute: Record<string, keyof ConsentRoutes> = {
      '/oauth/xero/connect': 'connect',
      '/oauth/xero/callback': 'callback',
      '/oauth/xero/choose': 'chooseTenant',
    };
    const route = consentRoute[path];
    if (route) {
      const answer = await deps.consent[route]({
        headers: request.headers,
        query: request.query,
        // Only the organisation-replacement form POSTs a body (its admin token must not travel in a URL).
        ...(event.httpMethod === 'POST' ? { body: request.rawBody.toString('utf8') } : {}),
      });
      return response(answer.status, answer.body, answer.headers);
    }
    if (path === '/status') {
      if (!isAdminBearer(request.headers.authorization, deps.adminToken))
        return jsonResponse(401, { error: 'unauthorized', message: 'admin token required' });
      try {
        const [connection, queues, checks] = await Promise.all([
          deps.connectionStatus(),
          deps.queueDepths(),
          deps.checks?.().catch(() => ({})) ?? {},
        ]);
        const warnings = deps.tenantPinned
          ? []
          : ['No Xero organisation is pinned (XERO_TENANT_ID unset): a new consent could connect another one.'];
        return jsonResponse(200, { connection, queues, warnings, ...checks });
      } catch (error) {
        loggerPort.error('status failed', { error: describeError(error) });
        return jsonResponse(503, { error: 'unavailable', message: 'status could not be read; see the function logs' });
      }
    }
    return jsonResponse(404, { error: 'not_found' });
  };
}

const env = envFor('oauth');

async function queueDepths(): Promise<Record<string, number>> {
  const names = ['CHANGES_QUEUE_URL', 'CHANGES_DLQ_URL', 'WRITES_QUEUE_URL', 'WRITES_DLQ_URL'] as const;
  const entries = await Promise.all(
    names.map(async (name) => {
      const result = await sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl: env.require(name),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
        { abortSignal: AbortSignal.timeout(5_000) }
      );
      const a = result.Attributes ?? {};
      return [
        name.replace(/_URL$/, '').toLowerCase(),
        Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      ] as const;
    })
  );
  return Object.fromEntries(entries);
}

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

/** Consent routes built for the request, from settings re-read after the cache time (a rotated admin token). */
async function consentRoutes(adminToken: string): Promise<ConsentRoutes> {
  const config = xeroConfig(env, await xeroClientId());
  const tokens = tokenServiceClient(env);
  return createConsentRoutes({
    config,
    signer: new TokenSigner(
      deriveSigningKey(adminToken),
      new DynamoDbUsedNonceStore(dynamo(), env.require('SYNC_STATE_TABLE'))
    ),
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

export const handler = createHandler(async () => {
  const { CONNECTOR_ADMIN_TOKEN: adminToken } = await settingsOf('admin', env);
  const routes = once(() => consentRoutes(adminToken));
  return {
    adminToken,
    consent: {
      connect: async (req) => (await routes()).connect(req),
      callback: async (req) => (await routes()).callback(req),
      chooseTenant: async (req) => (await routes()).chooseTenant(req),
    },
    connectionStatus: () => tokenServiceClient(env).status(),
    queueDepths,
    tenantPinned: await tenantPinned(),
    checks: async () => {
      const store = new DynamoDbCheckpointStore(dynamo(), env.require('SYNC_STATE_TABLE'));
      return {
        sweep: sweepStatusOf({ sweep: await loadSweepReport(store) }),
        preflight: preflightStatusOf(await loadPreflightReport(store)),
      };
    },
  };
});
