/**
 * The token function: the ONLY writer of the Xero token secret and the only reader of the Xero app credentials
 * (reserved concurrency 1). The refresh schedule, the workers (for a fresh access token) and the consent routes
 * (to exchange a code and store a new connection) invoke it with a TokenCommand, each through the alias of its
 * role; a command outside the role is refused. It answers with a TokenCommandResult. Tokens travel only in invoke
 * payloads, never in logs.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
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
import { roleMayRun, tokenRoleOf } from '../contract/token-roles';
import { ConnectorError, PermanentError, ReconnectRequiredError, describeError, dispositionOf } from '../core/errors';
import { clock, secretsManager } from './shared/aws-clients';
import { envFor } from './shared/env';
import { rebuiltOnChange, settingsOf, xeroConfig } from './shared/settings';
import { loggerPort, metrics } from './shared/powertools';

/**
 * Callers that invoke synchronously (workers, consent routes) get every outcome as a typed result. The refresh
 * schedule is different: it only looks at whether the invocation failed. So a scheduled refresh that failed in a
 * way a later attempt may fix (Xero or Secrets Manager unreachable) throws, and EventBridge Scheduler's retry policy
 * and dead-letter queue apply; a connection that needs an operator is answered (`reconnect_required`, or a typed
 * RECONNECT_REQUIRED failure) without throwing, since retrying cannot help and the ReconnectRequired alarm speaks.
 */
export function createHandler(getService: () => Promise<TokenService>) {
  return async (event: unknown, context?: Pick<Context, 'invokedFunctionArn'>): Promise<TokenCommandResult> => {
    let command;
    try {
      command = parseTokenCommand(event);
    } catch (error) {
      return failure(error);
    }
    // The role is the alias Lambda says it was invoked through; IAM lets each caller invoke its own alias only.
    const role = tokenRoleOf(context?.invokedFunctionArn);
    if (!roleMayRun(role, command.action)) {
      loggerPort.warn('token command refused', { action: command.action, role: role ?? 'none' });
      return failure(
        new PermanentError(`the ${role ?? 'unqualified'} caller may not run "${command.action}"`, 'FORBIDDEN')
      );
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
      ...(error instanceof ReconnectRequiredError && error.tenantId !== undefined ? { tenantId: error.tenantId } : {}),
    },
  };
}

const env = envFor('tokenService');
// One service per container while the app credentials stay the same (its cached access token and mutex live
// there); a rotated client secret builds a new one within the settings cache time.
const serviceFor = rebuiltOnChange(
  ({ XERO_CLIENT_ID, XERO_CLIENT_SECRET }: { XERO_CLIENT_ID: string; XERO_CLIENT_SECRET: string }) => {
    const config = xeroConfig(env, XERO_CLIENT_ID);
    return new TokenService({
      store: new SecretsConnectionStore(secretsManager(), env.require('XERO_TOKEN_SECRET_ARN')),
      identity: new XeroIdentityClient({
        clientId: XERO_CLIENT_ID,
        clientSecret: XERO_CLIENT_SECRET,
        identityUrl: config.identityUrl,
        apiUrl: config.apiUrl,
      }),
      clock,
      logger: loggerPort,
      authMode: config.authMode,
      scopes: config.scopes,
      connectUrl: env.require('CONNECT_URL'),
      clientId: XERO_CLIENT_ID,
    });
  }
);
export const handler = createHandler(async () => serviceFor(await settingsOf('xeroApp', env)));
