/**
 * IdentityClient over fetch: Xero's token, revocation and /connections endpoints. Every call has a real timeout.
 * Errors are typed and secret-free: only status codes and OAuth error codes reach messages, never bodies, the
 * client secret or tokens.
 */
import { PermanentError, RateLimitedError, ReconnectRequiredError, TransientError } from '../../core/errors';
import type { IdentityClient } from '../../core/connection/ports';
import type { TokenSet, XeroTenantConnection } from '../../core/connection/types';
import { systemNow } from '../system-clock';

export interface XeroIdentityClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** e.g. https://identity.xero.com (token + revocation). */
  readonly identityUrl: string;
  /** e.g. https://api.xero.com (/connections). */
  readonly apiUrl: string;
  /** Per call; Xero's own SDK default of 3.5 s loses rotated tokens under load, so default to 10 s. */
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => Date;
}

/** Scopes that only mean something for user consent; a client_credentials request must not carry them. */
const USER_ONLY_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export class XeroIdentityClient implements IdentityClient {
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => Date;

  constructor(private readonly options: XeroIdentityClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? systemNow;
  }

  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet> {
    return this.tokenCall('authorization_code', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
    });
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokenCall('refresh_token', { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  clientCredentials(scopes: readonly string[]): Promise<TokenSet> {
    const scope = scopes.filter((s) => !USER_ONLY_SCOPES.has(s)).join(' ');
    return this.tokenCall('client_credentials', { grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  }

  async revoke(refreshToken: string): Promise<void> {
    const response = await this.send('revocation', `${this.identityBase()}/connect/revocation`, {
      method: 'POST',
      headers: this.formHeaders(),
      body: new URLSearchParams({ token: refreshToken }).toString(),
    });
    if (!response.ok) throw await this.tokenError('revocation', response);
  }

  async deleteConnection(accessToken: string, connectionId: string): Promise<void> {
    const url = `${this.apiBase()}/connections/${encodeURIComponent(connectionId)}`;
    const response = await this.send('connection removal', url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    // 404: already gone, which is what was asked for.
    if (!response.ok && response.status !== 404) throw await this.statusError('connection removal', response);
    await discard(response);
  }

  async listConnections(accessToken: string, authEventId?: string): Promise<XeroTenantConnection[]> {
    const filter = authEventId ? `?authEventId=${encodeURIComponent(authEventId)}` : '';
    const response = await this.send('connections', `${this.apiBase()}/connections${filter}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw new ReconnectRequiredError(`Xero /connections answered ${response.status}`, 'unauthorized');
    }
    if (!response.ok) throw await this.statusError('connections', response);
    const body = await readJson(response, 'connections');
    if (!Array.isArray(body)) throw new TransientError('Xero /connections answered with an unexpected body');
    return body.flatMap((entry: unknown): XeroTenantConnection[] => {
      if (!isRecord(entry) || typeof entry.tenantId !== 'string') return [];
      return [
        {
          id: typeof entry.id === 'string' ? entry.id : '',
          tenantId: entry.tenantId,
          tenantName: typeof entry.tenantName === 'string' ? entry.tenantName : entry.tenantId,
          tenantType: typeof entry.tenantType === 'string' ? entry.tenantType : 'ORGANISATION',
          ...(typeof entry.authEventId === 'string' ? { authEventId: entry.authEventId } : {}),
        },
      ];
    });
  }

  private async tokenCall(what: string, form: Record<string, string>): Promise<TokenSet> {
    const response = await this.send(what, `${this.identityBase()}/connect/token`, {
      method: 'POST',
      headers: this.formHeaders(),
      body: new URLSearchParams(form).toString(),
    });
    if (!response.ok) throw await this.tokenError(what, response);
    const body = await readJson(response, what);
    if (!isRecord(body) || typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new TransientError(`Xero ${what} answered without a usable token set`, 'XERO_IDENTITY_BAD_RESPONSE');
    }
    return {
      accessToken: body.access_token,
      ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
      expiresAt: new Date(this.now().getTime() + body.expires_in * 1000).toISOString(),
      scope: typeof body.scope === 'string' ? body.scope : '',
      ...(typeof body.id_token === 'string' ? { idToken: body.id_token } : {}),
    };
  }

  /** fetch with a timeout; network failures and timeouts become TransientError without the URL's query. */
  private async send(what: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new TransientError(
        timedOut ? `Xero ${what} timed out after ${this.timeoutMs} ms` : `Xero ${what} could not be reached`,
        timedOut ? 'XERO_IDENTITY_TIMEOUT' : 'XERO_IDENTITY_UNREACHABLE'
      );
    }
  }

  private async tokenError(what: string, response: Response): Promise<Error> {
    if (response.status !== 400 && response.status !== 401) return this.statusError(what, response);
    const body = await readJson(response, what).catch(() => undefined);
    const code = isRecord(body) && typeof body.error === 'string' ? safeOAuthCode(body.error) : 'unknown';
    if (code === 'invalid_grant') {
      return new ReconnectRequiredError(`Xero refused the ${what} grant (invalid_grant)`, 'invalid_grant');
    }
    if (code === 'invalid_client' || code === 'unauthorized_client') {
      return new ReconnectRequiredError(
        `Xero refused the app credentials (${code}): check XERO_CLIENT_ID and XERO_CLIENT_SECRET`,
        code
      );
    }
    return new PermanentError(`Xero ${what} was rejected (${response.status} ${code})`, 'XERO_IDENTITY_REJECTED');
  }

  private async statusError(what: string, response: Response): Promise<Error> {
    await discard(response);
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      return new RateLimitedError(
        `Xero ${what} was rate limited`,
        Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000,
        // Xero may capitalise the value ("Day"); the limiter compares lower case.
        (response.headers.get('x-rate-limit-problem') || 'minute').toLowerCase()
      );
    }
    if (response.status >= 500) {
      return new TransientError(`Xero ${what} answered ${response.status}`, 'XERO_IDENTITY_5XX');
    }
    return new PermanentError(`Xero ${what} answered ${response.status}`, 'XERO_IDENTITY_REJECTED');
  }

  private formHeaders(): Record<string, string> {
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    return {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
  }

  private apiBase(): string {
    return this.options.apiUrl.replace(/\/+$/, '');
  }

  private identityBase(): string {
    return this.options.identityUrl.replace(/\/+$/, '');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OAuth error codes are short ASCII words; anything else is not echoed. */
function safeOAuthCode(code: string): string {
  return /^[a-z_]{1,40}$/.test(code) ? code : 'unknown';
}

async function readJson(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new TransientError(`Xero ${what} answered with a body that is not JSON`, 'XERO_IDENTITY_BAD_RESPONSE');
  }
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
