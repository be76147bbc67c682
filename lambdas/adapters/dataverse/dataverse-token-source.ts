/**
 * Access tokens for the Dataverse Web API: either OAuth client credentials of an Entra app registered as an
 * application user in the environment (the normal case), or a static bearer token (local runs, sandbox).
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { PermanentError, TransientError, ValidationError } from '../../core/errors';
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
  /** Upper bound on one token request (MSAL's own HTTP client has none). */
  readonly timeoutMs?: number;
}

const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;
/** Entra answers that no retry can fix: wrong secret, unknown app or tenant, app disabled. */
const CREDENTIAL_ERRORS = [
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_grant',
  'invalid_scope',
];

/**
 * Creates the MSAL application once: it caches the token in memory and renews it only near expiry, so calling the
 * returned function before every request costs nothing most of the time.
 */
export function createClientCredentialsTokenSource(options: ClientCredentialsOptions): DataverseTokenSource {
  const authorityHost = (options.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: `${authorityHost}/${options.tenantId}`,
    },
  });
  const scopes = [`${options.serverUrl.replace(/\/+$/, '')}/.default`];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;

  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TransientError(`Dataverse token request timed out after ${timeoutMs} ms`, 'TIMEOUT')),
        timeoutMs
      );
    });
    try {
      const result = await Promise.race([app.acquireTokenByClientCredential({ scopes }), timeout]);
      if (!result?.accessToken) throw new TransientError('Entra returned no Dataverse access token', 'TOKEN_EMPTY');
      return result.accessToken;
    } catch (error) {
      throw classifyTokenError(error);
    } finally {
      clearTimeout(timer);
    }
  };
}

export function createStaticTokenSource(accessToken: string): DataverseTokenSource {
  if (!accessToken.trim()) throw new PermanentError('DATAVERSE_ACCESS_TOKEN is empty', 'DATAVERSE_AUTH');
  return () => Promise.resolve(accessToken.trim());
}

function classifyTokenError(error: unknown): Error {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { errorCode?: unknown }).errorCode : undefined;
  if (typeof code === 'string' && CREDENTIAL_ERRORS.includes(code)) {
    // Only the error code: MSAL messages can echo request details.
    return new PermanentError(
      `Entra refused the Dataverse client credentials (${code}): check DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID ` +
        'and DATAVERSE_CLIENT_SECRET',
      'DATAVERSE_AUTH'
    );
  }
  // No cause attached: MSAL errors can carry request details that must not reach logs.
  return new TransientError(`Dataverse token request failed${typeof code === 'string' ? ` (${code})` : ''}`, 'TOKEN');
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
