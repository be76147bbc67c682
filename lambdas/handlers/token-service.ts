/**
 * The token function: the ONLY writer of the Xero token secret (reserved concurrency 1). The refresh schedule,
 * the workers (for a fresh access token) and the consent routes (to store a new connection) invoke it with a
 * TokenCommand; it answers with a TokenCommandResult. Tokens travel only in invoke payloads, never in logs.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsConnectionStore } from '../adapters/aws/secrets-connection-store';
import { XeroIdentityClient } from '../adapters/xero/identity-client';
import {
  SCHEDULED_REFRESH_SOURCE,
  parseTokenCommand,
  runTokenCommand,
  type TokenCommand,
  type TokenCommandResult,
} from '../core/connection/token-commands';
import { TokenService } from '../core/connection/token-service';
import type { ConnectionStatus } from '../core/connection/types';
import { ConnectorError, ReconnectRequiredError, describeError, dispositionOf } from '../core/errors';
import { clock, requireEnv, secretsManager } from './shared/aws-clients';
import { settings, xeroConfig } from './shared/settings';
import { loggerPort, metrics } from './shared/powertools';

/**
 * Callers that invoke synchronously (workers, consent routes) get every outcome as a typed result. The refresh
 * schedule is different: it only looks at whether the invocation failed. So a scheduled refresh that failed in a
 * way a later attempt may fix (Xero or Secrets Manager unreachable) throws, and EventBridge Scheduler's retry policy
 * and dead-letter queue apply; a connection that needs an operator is answered (`reconnect_required`, or a typed
 * RECONNECT_REQUIRED failure) without throwing, since retrying cannot help and the ReconnectRequired alarm speaks.
 */
export function createHandler(getService: () => Promise<TokenService>) {
  return async (event: unknown): Promise<TokenCommandResult> => {
    let command;
    try {
      command = parseTokenCommand(event);
    } catch (error) {
      return failure(error);
    }
    try {
      const service = await getService();
      const value = await runTokenCommand(service, command);
      if (command.action === 'refresh') publishConnectionMetrics((value as { status: ConnectionStatus }).status);
      return { ok: true, value };
    } catch (error) {
      if (command.action === 'refresh') metrics.addMetric('TokenRefreshFailed', MetricUnit.Count, 1);
      if (error instanceof ReconnectRequiredError) metrics.addMetric('ReconnectRequired', MetricUnit.Count, 1);
      loggerPort.warn('token command failed', { action: command.action, error: describeError(error) });
      if (isScheduledRefresh(command) && dispositionOf(error) === 'retry') throw error;
      return failure(error);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

function isScheduledRefresh(command: TokenCommand): boolean {
  return command.action === 'refresh' && command.source === SCHEDULED_REFRESH_SOURCE;
}

function publishConnectionMetrics(status: ConnectionStatus) {
  if (status.refreshTokenAgeSeconds !== undefined)
    metrics.addMetric('RefreshTokenAgeHours', MetricUnit.Count, status.refreshTokenAgeSeconds / 3600);
  if (status.state === 'reconnect_required') metrics.addMetric('ReconnectRequired', MetricUnit.Count, 1);
}

function failure(error: unknown): TokenCommandResult {
  return {
    ok: false,
    error: {
      name: error instanceof Error ? error.name : 'Error',
      code: error instanceof ConnectorError ? error.code : 'UNEXPECTED',
      disposition: dispositionOf(error),
      message: error instanceof Error ? error.message : 'unexpected error',
      ...(error instanceof ReconnectRequiredError ? { reason: error.reason } : {}),
    },
  };
}

let service: TokenService | undefined;
export const handler = createHandler(async () => {
  if (service) return service;
  const s = await settings();
  const config = await xeroConfig();
  service = new TokenService({
    store: new SecretsConnectionStore(secretsManager(), requireEnv('XERO_TOKEN_SECRET_ARN')),
    identity: new XeroIdentityClient({
      clientId: s.XERO_CLIENT_ID,
      clientSecret: s.XERO_CLIENT_SECRET,
      identityUrl: config.identityUrl,
      apiUrl: config.apiUrl,
    }),
    clock,
    logger: loggerPort,
    authMode: config.authMode,
    scopes: config.scopes,
    connectUrl: process.env.CONNECT_URL,
  });
  return service;
});
