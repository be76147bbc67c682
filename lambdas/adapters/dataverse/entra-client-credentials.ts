/**
 * Dataverse access tokens from Microsoft Entra by the OAuth 2.0 client credentials grant, over fetch. This one
 * request was all the connector used @azure/msal-node for, and MSAL was ≈ 245 KB of every Lambda bundle that talks
 * to Dataverse (docs/benchmarks.md, "Lambda bundles"); here it is a real timeout, an in-memory cache and typed errors.
 *
 * The request and its answers, as Microsoft documents them
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow):
 * POST {authority host}/{tenant}/oauth2/v2.0/token with a form of client_id, client_secret, scope and
 * grant_type=client_credentials; success is JSON with access_token and expires_in (seconds); a refusal is JSON with
 * an `error` code (e.g. invalid_client) and a description we never echo, as it can quote the request.
 * Dataverse wants the scope `<environment URL>/.default`
 * (https://learn.microsoft.com/en-us/power-apps/developer/data-platform/authenticate-oauth).
 */
import { PermanentError, TransientError } from '../../core/errors';
import { systemNow } from '../system-clock';

export interface EntraClientCredentialsOptions {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** e.g. `https://contoso.crm.dynamics.com/.default`. */
  readonly scope: string;
  /** e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** Upper bound on one token request. */
  readonly timeoutMs: number;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => Date;
}

/** Renew this long before expiry, as MSAL does by default, so a token never expires mid-request. */
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
/** Entra answers that no retry can fix: wrong secret, unknown app or tenant, app disabled. */
const CREDENTIAL_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_grant',
  'invalid_scope',
]);

interface CachedToken {
  readonly accessToken: string;
  readonly renewAtMs: number;
}

/**
 * Returns a function that yields a valid access token: the cached one until five minutes before it expires, else a
 * new one (concurrent callers share one request). Throws PermanentError for refused credentials, TransientError for
 * everything a later try can fix; messages carry only status and OAuth error codes.
 */
export function entraClientCredentials(options: EntraClientCredentialsOptions): () => Promise<string> {
  const now = options.now ?? systemNow;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  /** After a 429 or 5xx with Retry-After, Entra is not asked again before this time. */
  let notBeforeMs = 0;

  const renew = async (): Promise<CachedToken> => {
    if (now().getTime() < notBeforeMs) {
      throw new TransientError('Dataverse token request failed (throttled by Entra)', 'TOKEN');
    }
    const response = await requestToken(options);
    if (!response.ok) {
      notBeforeMs = now().getTime() + retryAfterMs(response);
      throw await refusal(response);
    }
    const body = await response.json().catch(() => undefined);
    const accessToken = isRecord(body) && typeof body.access_token === 'string' ? body.access_token : '';
    if (!accessToken) throw new TransientError('Entra returned no Dataverse access token', 'TOKEN_EMPTY');
    const lifetimeMs = Number(isRecord(body) ? body.expires_in : undefined) * 1000;
    // A short or missing lifetime (never seen from Entra) is used once rather than cached.
    const renewAtMs = now().getTime() + (Number.isFinite(lifetimeMs) ? lifetimeMs - RENEW_BEFORE_EXPIRY_MS : 0);
    return { accessToken, renewAtMs };
  };

  return async () => {
    if (cached && now().getTime() < cached.renewAtMs) return cached.accessToken;
    pending ??= renew().finally(() => (pending = undefined));
    cached = await pending;
    return cached.accessToken;
  };
}

async function requestToken(options: EntraClientCredentialsOptions): Promise<Response> {
  const missing = (['tenantId', 'clientId', 'clientSecret'] as const).filter((name) => !options[name].trim());
  if (missing.length > 0) {
    throw new PermanentError(
      `Dataverse client credentials are incomplete: ${missing.join(', ')} empty`,
      'DATAVERSE_AUTH'
    );
  }
  const url = `${options.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`;
  const form = new URLSearchParams({
    client_id: options.clientId,
    client_secret: options.clientSecret,
    scope: options.scope,
    grant_type: 'client_credentials',
  });
  try {
    return await (options.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    // Duck-typed: the abort reason is a DOMException, which need not be an `Error` of this realm.
    const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new TransientError(`Dataverse token request timed out after ${options.timeoutMs} ms`, 'TIMEOUT');
    }
    // No cause attached: a fetch error can name the URL and socket details; the reason is enough.
    throw new TransientError('Dataverse token request failed (network)', 'TOKEN');
  }
}

/** A refused request as a typed error: only the OAuth error code (or the HTTP status) reaches the message. */
async function refusal(response: Response): Promise<Error> {
  const body = await response.json().catch(() => undefined);
  const raw = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
  const code = raw && /^[a-z_]{1,40}$/.test(raw) ? raw : undefined;
  if (code && CREDENTIAL_ERRORS.has(code)) {
    return new PermanentError(
      `Entra refused the Dataverse client credentials (${code}): check DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID ` +
        'and DATAVERSE_CLIENT_SECRET',
      'DATAVERSE_AUTH'
    );
  }
  return new TransientError(`Dataverse token request failed (${code ?? `HTTP ${response.status}`})`, 'TOKEN');
}

/** Milliseconds a 429 or 5xx asks us to wait (Retry-After in seconds); 0 for other answers. */
function retryAfterMs(response: Response): number {
  if (response.status !== 429 && response.status < 500) return 0;
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
