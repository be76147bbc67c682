import {
  PLAIN_CONSENT_COOKIE,
  SECURE_CONSENT_COOKIE,
  authEventIdOf,
  consentCookieFor,
  pkceChallenge,
  readCookie,
  setConsentCookie,
} from '../../../../lambdas/core/connection/consent-binding';

const jwt = (claims: object) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('consent binding', () => {
  it('should use a __Host- Secure cookie on https and the documented plain name on http loopback', () => {
    const secure = consentCookieFor('https://abc.execute-api.eu-west-1.amazonaws.com/prod/oauth/xero/callback');
    expect(secure).toEqual({ name: SECURE_CONSENT_COOKIE, secure: true });
    expect(setConsentCookie(secure, 'v', 600)).toBe(
      '__Host-xero_consent=v; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=600'
    );
    const plain = consentCookieFor('http://127.0.0.1:3000/oauth/xero/callback');
    expect(plain).toEqual({ name: PLAIN_CONSENT_COOKIE, secure: false });
    expect(setConsentCookie(plain, 'v', 600)).not.toContain('Secure');
  });

  it('should read one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; xero_consent=abc-_; b=2', 'xero_consent')).toBe('abc-_');
    expect(readCookie('xero_consent_other=1', 'xero_consent')).toBeUndefined();
    expect(readCookie(undefined, 'xero_consent')).toBeUndefined();
  });

  it('should compute the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
    );
  });

  it("should read the access token's authentication_event_id claim, and nothing from a non-JWT", () => {
    expect(authEventIdOf(jwt({ authentication_event_id: 'e-1', xero_userid: 'u' }))).toBe('e-1');
    expect(authEventIdOf(jwt({ sub: 'x' }))).toBeUndefined();
    expect(authEventIdOf('opaque-token')).toBeUndefined();
    expect(authEventIdOf('a.!!!.c')).toBeUndefined();
  });
});
