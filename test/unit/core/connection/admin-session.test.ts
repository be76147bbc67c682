import {
  adminSessionCookie,
  cookieValue,
  isAdminSession,
  issueAdminSession,
} from '../../../../lambdas/core/connection/admin-session';
import { InMemoryUsedNonceStore } from '../../../../lambdas/core/connection/memory-stores';
import { deriveSigningKey, TokenSigner } from '../../../../lambdas/core/connection/signed-token';

const NOW = new Date('2026-12-08T10:00:00.000Z');
const signer = (secret = 'admin-token-0123456789') =>
  new TokenSigner(deriveSigningKey(secret), new InMemoryUsedNonceStore(() => NOW));

describe('admin session cookie', () => {
  it('should accept its own value until it expires, any number of times', () => {
    const s = signer();
    const value = issueAdminSession(s, NOW, 60);
    expect(isAdminSession(s, value, NOW)).toBe(true);
    expect(isAdminSession(s, value, new Date(NOW.getTime() + 59_000))).toBe(true);
    expect(isAdminSession(s, value, new Date(NOW.getTime() + 60_000))).toBe(false);
  });

  it('should refuse a value whose expiry was pushed out, one from another admin token, and garbage', () => {
    const s = signer();
    const [expiry, nonce, mac] = issueAdminSession(s, NOW, 60).split('.');
    expect(isAdminSession(s, `${Number(expiry) + 86_400}.${nonce}.${mac}`, NOW)).toBe(false);
    expect(isAdminSession(s, issueAdminSession(signer('another-admin-token-xyz'), NOW), NOW)).toBe(false);
    for (const bad of [undefined, '', 'a.b', 'a.b.c.d', 'x'.repeat(500)])
      expect(isAdminSession(s, bad, NOW)).toBe(false);
  });

  it('should set a __Host- cookie that is HttpOnly, Secure and SameSite=Strict, and read it back', () => {
    const line = adminSessionCookie('v.a.l', 3600);
    expect(line).toBe('__Host-connector_session=v.a.l; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=3600');
    expect(cookieValue('a=1; __Host-connector_session=v.a.l; b=2', '__Host-connector_session')).toBe('v.a.l');
    expect(cookieValue(undefined, '__Host-connector_session')).toBeUndefined();
  });
});
