/**
 * The status page's browser session where no process outlives a request (AWS Lambda): the cookie carries its own
 * expiry, a random id and a MAC under the connector's signing key, so any container can check it without a store.
 * A session is obtained only through a single-use login link (TokenSigner, purpose 'admin-login'); rotating the
 * admin token changes the signing key and so ends every session at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenSigner } from './signed-token';

/** On https the `__Host-` prefix pins the cookie to this origin (Secure, Path=/, no Domain: RFC 6265bis §4.1.3.2). */
export const ADMIN_SESSION_COOKIE = '__Host-connector_session';
export const ADMIN_SESSION_TTL_SECONDS = 8 * 60 * 60;
const LABEL = 'admin-session';

/** A new session value valid for `ttlSeconds` from `now`. */
export function issueAdminSession(signer: TokenSigner, now: Date, ttlSeconds = ADMIN_SESSION_TTL_SECONDS): string {
  const body = `${Math.floor(now.getTime() / 1000) + ttlSeconds}.${randomBytes(18).toString('base64url')}`;
  return `${body}.${signer.derive(LABEL, body)}`;
}

/** True for a value this connector issued that has not expired. */
export function isAdminSession(signer: TokenSigner, value: string | undefined, now: Date): boolean {
  if (!value || value.length > 200) return false;
  const parts = value.split('.');
  if (parts.length !== 3) return false;
  const [expiry, nonce, mac] = parts as [string, string, string];
  const expected = Buffer.from(signer.derive(LABEL, `${expiry}.${nonce}`));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  return /^\d+$/.test(expiry) && Number(expiry) * 1000 > now.getTime();
}

/** The Set-Cookie line: HttpOnly, Secure, SameSite=Strict (never sent on a cross-site request), Path=/. */
export function adminSessionCookie(value: string, ttlSeconds = ADMIN_SESSION_TTL_SECONDS): string {
  return `${ADMIN_SESSION_COOKIE}=${value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${ttlSeconds}`;
}

/** A cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
