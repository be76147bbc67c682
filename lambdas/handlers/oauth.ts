/**
 * Operator routes on AWS: GET /oauth/xero/connect | /callback | /choose (consent), GET /status (admin), GET /health.
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
import { XeroIdentityClient } from '../adapters/xero/identity-client';
import { createConsentRoutes, type ConsentRoutes } from '../core/connection/consent-routes';
import { deriveSigningKey, isAdminBearer, TokenSigner } from '../core/connection/signed-token';
import type { ConnectionStatus } from '../core/connection/types';
import { describeError } from '../core/errors';
import { clock, dynamo, requireEnv, secretsManager, sqs } from './shared/aws-clients';
import { settings, xeroConfig } from './shared/settings';
import { tokenServiceClient } from './shared/token-deps';
import { jsonResponse, requestOf, response } from './shared/api-gateway';
import { loggerPort } from './shared/powertools';

export interface OperatorDeps {
  readonly consent: ConsentRoutes;
  readonly adminToken: string;
  readonly connectionStatus: () => Promise<ConnectionStatus>;
  readonly queueDepths: () => Promise<Record<string, number>>;
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
      const answer = await deps.consent[route]({ headers: request.headers, query: request.query });
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
        return jsonResponse(200, { connection, queues, ...checks });
      } catch (error) {
        loggerPort.error('status failed', { error: describeError(error) });
        return jsonResponse(503, { error: 'unavailable', message: 'status could not be read; see the function logs' });
      }
    }
    return jsonResponse(404, { error: 'not_found' });
  };
}

async function queueDepths(): Promise<Record<string, number>> {
  const names = ['CHANGES_QUEUE_URL', 'CHANGES_DLQ_URL', 'WRITES_QUEUE_URL', 'WRITES_DLQ_URL'];
  const entries = await Promise.all(
    names.map(async (name) => {
      const result = await sqs().send(
        new GetQueueAttributesCommand({
          QueueUrl: requireEnv(name),
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

let deps: OperatorDeps | undefined;
export const handler = createHandler(async () => {
  if (deps) return deps;
  const s = await settings();
  const config = await xeroConfig();
  const tokens = tokenServiceClient();
  deps = {
    adminToken: s.CONNECTOR_ADMIN_TOKEN,
    consent: createConsentRoutes({
      config,
      signer: new TokenSigner(
        deriveSigningKey(s.CONNECTOR_ADMIN_TOKEN),
        new DynamoDbUsedNonceStore(dynamo(), requireEnv('SYNC_STATE_TABLE'))
      ),
      identity: new XeroIdentityClient({
        clientId: s.XERO_CLIENT_ID,
        clientSecret: s.XERO_CLIENT_SECRET,
        identityUrl: config.identityUrl,
        apiUrl: config.apiUrl,
      }),
      pending: new SecretsPendingConsentStore(secretsManager(), requireEnv('PENDING_CONSENT_SECRET_ARN')),
      connections: { adopt: (record) => tokens.adopt(record) },
      clock,
      logger: loggerPort,
      adminToken: s.CONNECTOR_ADMIN_TOKEN,
    }),
    connectionStatus: () => tokens.status(),
    queueDepths,
    checks: async () => {
      const store = new DynamoDbCheckpointStore(dynamo(), requireEnv('SYNC_STATE_TABLE'));
      return {
        sweep: sweepStatusOf({ sweep: await loadSweepReport(store) }),
        preflight: preflightStatusOf(await loadPreflightReport(store)),
      };
    },
  };
  return deps;
});
