/**
 * Checks a Xero app's client id and secret without a user and without changing anything: one refresh-token request
 * to Xero's token endpoint with the client credentials and a refresh token that cannot exist.
 *
 * Why this tells the two apart: the token endpoint authenticates the client before it looks at the grant. RFC 6749
 * §5.2 (https://www.rfc-editor.org/rfc/rfc6749#section-5.2) names the answers: `invalid_client` when client
 * authentication failed (wrong id or secret), `invalid_grant` when the client is fine but the refresh token is not.
 * Xero's token endpoint is `POST {identity}/connect/token` with HTTP Basic client authentication and
 * `grant_type=refresh_token` (https://developer.xero.com/documentation/guides/oauth2/auth-flow, "Refreshing access
 * and refresh tokens"); its error bodies carry the RFC's `error` codes
 * (https://developer.xero.com/documentation/guides/oauth2/troubleshooting).
 */
import { SetupInputError, SetupStepError } from './setup-errors';

export interface XeroCheckOptions {
  /** e.g. https://identity.xero.com (XERO_IDENTITY_URL overrides it). */
  readonly identityUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** A refresh token no server issued: only the client authentication can decide the answer. */
const PROBE_REFRESH_TOKEN = 'connector-setup-credential-check-not-a-token';

export async function checkXeroClientCredentials(options: XeroCheckOptions): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
  let response: Response;
  try {
    response = await doFetch(`${options.identityUrl.replace(/\/+$/, '')}/connect/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: PROBE_REFRESH_TOKEN }).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    // Duck-typed: the abort reason is a DOMException, which need not be an `Error` of this realm.
    const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
    const reason = name === 'TimeoutError' ? 'timed out' : 'unreachable';
    throw new SetupStepError(`could not check the Xero app credentials: Xero's identity server is ${reason}`);
  }
  const body = (await response.json().catch(() => undefined)) as { error?: unknown } | undefined;
  const code = typeof body?.error === 'string' ? body.error : undefined;
  if (code === 'invalid_grant') return;
  if (code === 'invalid_client' || code === 'unauthorized_client') {
    throw new SetupInputError(
      'Xero refused the app credentials (invalid_client): XERO_CLIENT_ID or XERO_CLIENT_SECRET is wrong. ' +
        'Copy both again from developer.xero.com → My Apps → your app → Configuration (generate a new secret if needed).',
      ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET']
    );
  }
  throw new SetupStepError(
    `could not check the Xero app credentials: Xero answered ${response.status}${code ? ` (${code})` : ''}; try again`
  );
}
