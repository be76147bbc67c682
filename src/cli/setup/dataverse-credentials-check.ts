/**
 * Checks the Dataverse values the way the connector will use them: a token from Entra by client credentials (or
 * the static DATAVERSE_ACCESS_TOKEN), then WhoAmI, the cheapest call that needs a working application user
 * (https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/reference/whoami). Its answer, the
 * user's systemuserid, is what the connector ignores to avoid syncing its own writes.
 */
import { ConnectorError, ValidationError } from '../../../lambdas/core/errors';
import { DataverseAdminClient } from '../../../lambdas/adapters/dataverse/dataverse-admin-client';
import {
  createClientCredentialsTokenSource,
  createStaticTokenSource,
} from '../../../lambdas/adapters/dataverse/dataverse-token-source';
import { DataverseSession, normaliseDataverseUrl } from '../../../lambdas/adapters/dataverse/dataverse-writer';
import { SetupInputError, SetupStepError } from './setup-errors';

export interface DataverseCheckOptions {
  readonly values: ReadonlyMap<string, string>;
  /** Entra's authority host; the public cloud unless a test points it elsewhere. */
  readonly authorityHost?: string;
  readonly timeoutMs?: number;
}

export interface CheckedDataverse {
  readonly url: string;
  readonly userId: string;
  readonly admin: DataverseAdminClient;
}

export async function checkDataverseCredentials(options: DataverseCheckOptions): Promise<CheckedDataverse> {
  const get = (name: string) => options.values.get(name) ?? '';
  let url: string;
  try {
    url = normaliseDataverseUrl(get('DATAVERSE_URL'));
  } catch (error) {
    throw new SetupInputError(`DATAVERSE_URL ${(error as Error).message.replace(/^DATAVERSE_URL /, '')}`, [
      'DATAVERSE_URL',
    ]);
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const token = get('DATAVERSE_ACCESS_TOKEN');
  const tokenSource = token
    ? createStaticTokenSource(token)
    : createClientCredentialsTokenSource({
        tenantId: get('DATAVERSE_TENANT_ID'),
        clientId: get('DATAVERSE_CLIENT_ID'),
        clientSecret: get('DATAVERSE_CLIENT_SECRET'),
        serverUrl: url,
        timeoutMs,
        ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
      });
  const session = new DataverseSession({ serverUrl: url, tokenSource, timeoutMs, maxAttempts: 2 });
  const admin = new DataverseAdminClient(session);
  try {
    const { userId } = await admin.whoAmI();
    return { url, userId, admin };
  } catch (error) {
    if (error instanceof ValidationError || (error instanceof ConnectorError && !error.retryable)) {
      const names = token
        ? ['DATAVERSE_ACCESS_TOKEN']
        : ['DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID', 'DATAVERSE_CLIENT_SECRET'];
      throw new SetupInputError(
        `Dataverse refused the credentials (${error.message}). Check ${names.join(', ')}, and that the app is an ` +
          `application user of ${url} with the System Customizer or System Administrator role.`,
        names
      );
    }
    throw new SetupStepError(
      `could not check the Dataverse credentials: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}
