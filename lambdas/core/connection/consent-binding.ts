/**
 * Binds a consent to the browser that started it. /oauth/xero/connect sets a random value in an HttpOnly cookie;
 * only its SHA-256 travels inside the signed `state` (and the tenant-choice tokens), so a leaked authorize URL,
 * state or choice link is useless in any other browser. The PKCE code verifier is derived from the same cookie
 * value with the connector's key, so it never appears in a URL either (RFC 7636 §4.1: high-entropy, 43 chars).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TokenSigner } from './signed-token';

/** The cookie on https deployments: the `__Host-` prefix forces Secure, Path=/ and no Domain (RFC 6265bis §4.1.3.2). */
export const SECURE_CONSENT_COOKIE = '__Host-xero_consent';
/**
 * Browsers refuse `__Host-` (and Secure) cookies over plain http, so a loopback run (`npm start`, e2e tests) on
 * http://127.0.0.1 uses this name instead, without Secure. Documented in docs/deploy.md ("Security").
 */
export const PLAIN_CONSENT_COOKIE = 'xero_consent';

export interface ConsentCookie {
  readonly name: string;
  readonly secure: boolean;
}

/** The cookie follows the scheme of the callback URL: that is where the browser must send it back. */
export function consentCookieFor(redirectUri: string): ConsentCookie {
  return redirectUri.toLowerCase().startsWith('https://')
    ? { name: SECURE_CONSENT_COOKIE, secure: true }
    : { name: PLAIN_CONSENT_COOKIE, secure: false };
}

export function newBrowserBinding(): string {
  return randomBytes(32).toString('base64url');
}

export function bindingHash(binding: string): string {
  return createHash('sha256').update(binding).digest('base64url');
}

/** SameSite=Lax: the cookie comes back on Xero's top-level redirect to the callback, never on cross-site POSTs. */
export function setConsentCookie(cookie: ConsentCookie, value: string, maxAgeSeconds: number): string {
  const secure = cookie.secure ? '; Secure' : '';
  return `${cookie.name}=${value}; Path=/; HttpOnly${secure}; SameSite=Lax; Max-Age=${maxAgeSeconds}`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim() || undefined;
  }
  return undefined;
}

/** RFC 7636 §4.1 verifier: 43 base64url characters, computable only with the connector's key and the cookie. */
export function pkceVerifier(signer: TokenSigner, binding: string): string {
  return signer.derive('pkce-verifier', binding);
}

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Reads the access token's `authentication_event_id` claim (Xero access tokens are JWTs); undefined if absent. */
export function authEventIdOf(accessToken: string): string | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const id = claims.authentication_event_id;
    return typeof id === 'string' && id.length > 0 && id.length <= 100 ? id : undefined;
  } catch {
    return undefined;
  }
}
