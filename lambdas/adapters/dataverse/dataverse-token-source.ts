/**
 * Access tokens for the Dataverse Web API: either OAuth client credentials of an Entra app registered as an
 * application user in the environment (the normal case), or a static bearer token (local runs, sandbox).
 */
import { PermanentError, ValidationError } from '../../core/errors';
import { entraClientCredentials } from './entra-client-credentials';
import { normaliseDataverseUrl } from './dataverse-error-policy';

/** Returns a bearer token valid for the next request. Throws typed errors only. */
export type DataverseTokenSource = () => Promise<string>;

export interface ClientCredentialsOptions {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The environment URL, e.g. https://contoso.crm.dynamics.com — the token's audience. */
  readonly serverUrl: string;
  /** Entra authority host; defaults to the public cloud. */
  readonly authorityHost?: string;
  /** Upper bound on one token request. */
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => Date;
}

const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;

/**
 * Client credentials against Entra, created once per container: the token is cached in memory and renewed only near
 * expiry, so calling the returned function before every request costs nothing most of the time.
 */
export function createClientCredentialsTokenSource(options: ClientCredentialsOptions): DataverseTokenSource {
  return entraClientCredentials({
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: `${options.serverUrl.replace(/\/+$/, '')}/.default`,
    authorityHost: options.authorityHost ?? 'https://login.microsoftonline.com',
    timeoutMs: options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS,
    fetchImpl: options.fetchImpl,
    now: options.now,
  });
}

export function createStaticTokenSource(accessToken: string): DataverseTokenSource {
  if (!accessToken.trim()) throw new PermanentError('DATAVERSE_ACCESS_TOKEN is empty', 'DATAVERSE_AUTH');
  return () => Promise.resolve(accessToken.trim());
}

/** The contract's Dataverse environment variables. */
export interface DataverseEnvironment {
  readonly DATAVERSE_URL?: string;
  readonly DATAVERSE_TENANT_ID?: string;
  readonly DATAVERSE_CLIENT_ID?: string;
  readonly DATAVERSE_CLIENT_SECRET?: string;
  readonly DATAVERSE_ACCESS_TOKEN?: string;
}

/**
 * DATAVERSE_URL plus a token source from the environment: a static DATAVERSE_ACCESS_TOKEN wins over client
 * credentials. Throws ValidationError naming every missing variable (never any value).
 */
export function dataverseConnectionFromEnv(env: DataverseEnvironment): {
  serverUrl: string;
  tokenSource: DataverseTokenSource;
} {
  const value = (name: keyof DataverseEnvironment): string | undefined => env[name]?.trim() || undefined;
  const missing: string[] = [];
  const rawUrl = value('DATAVERSE_URL');
  if (!rawUrl) missing.push('DATAVERSE_URL');
  const accessToken = value('DATAVERSE_ACCESS_TOKEN');
  const credentials = ['DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID', 'DATAVERSE_CLIENT_SECRET'] as const;
  if (!accessToken) missing.push(...credentials.filter((name) => !value(name)));
  if (missing.length > 0 || !rawUrl) {
    throw new ValidationError(
      `Dataverse is not configured: missing ${missing.join(', ')}` +
        (accessToken ? '' : ' (or set DATAVERSE_ACCESS_TOKEN instead of the client credentials)'),
      missing
    );
  }
  const serverUrl = normaliseDataverseUrl(rawUrl);
  const tokenSource = accessToken
    ? createStaticTokenSource(accessToken)
    : createClientCredentialsTokenSource({
        tenantId: value('DATAVERSE_TENANT_ID') as string,
        clientId: value('DATAVERSE_CLIENT_ID') as string,
        clientSecret: value('DATAVERSE_CLIENT_SECRET') as string,
        serverUrl,
      });
  return { serverUrl, tokenSource };
}
