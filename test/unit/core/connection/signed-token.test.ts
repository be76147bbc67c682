import { InMemoryUsedNonceStore } from '../../../../lambdas/core/connection/memory-stores';
import { TokenSigner, deriveSigningKey, isAdminBearer } from '../../../../lambdas/core/connection/signed-token';
import { createConnectLink, verifyConnectLink } from '../../../../lambdas/core/connection/connect-link';
import { ManualClock } from './test-helpers';

const ADMIN = 'admin-token-0123456789abcdef';

function setup() {
  const clock = new ManualClock();
  const signer = new TokenSigner(deriveSigningKey(ADMIN), new InMemoryUsedNonceStore(() => clock.now()));
  return { clock, signer };
}

describe('TokenSigner', () => {
  it('should accept a fresh token once and refuse its reuse', async () => {
    const { clock, signer } = setup();
    const token = signer.sign('consent-state', clock.now(), 600, 'payload');
    await expect(signer.verify(token, 'consent-state', clock.now())).resolves.toEqual({ ok: true, data: 'payload' });
    await expect(signer.verify(token, 'consent-state', clock.now())).resolves.toEqual({ ok: false, failure: 'reused' });
  });

  it('should refuse a token presented by the wrong browser without burning it for the right one', async () => {
    const { clock, signer } = setup();
    const token = signer.sign('consent-state', clock.now(), 600, 'hash-of-admin-cookie');
    const stranger = await signer.verify(token, 'consent-state', clock.now(), (d) => d === 'hash-of-other-cookie');
    expect(stranger).toEqual({ ok: false, failure: 'wrong_browser' });
    const owner = await signer.verify(token, 'consent-state', clock.now(), (d) => d === 'hash-of-admin-cookie');
    expect(owner).toEqual({ ok: true, data: 'hash-of-admin-cookie' });
  });

  it('should derive a stable keyed value that differs per input and per key', () => {
    const { signer } = setup();
    const other = new TokenSigner(
      deriveSigningKey('another-admin-token-0123'),
      new InMemoryUsedNonceStore(() => new Date(0))
    );
    expect(signer.derive('pkce-verifier', 'a')).toMatch(/^[\w-]{43}$/);
    expect(signer.derive('pkce-verifier', 'a')).toBe(signer.derive('pkce-verifier', 'a'));
    expect(signer.derive('pkce-verifier', 'a')).not.toBe(signer.derive('pkce-verifier', 'b'));
    expect(signer.derive('pkce-verifier', 'a')).not.toBe(other.derive('pkce-verifier', 'a'));
  });

  it('should refuse an expired token', async () => {
    const { clock, signer } = setup();
    const token = signer.sign('consent-state', clock.now(), 600);
    clock.advance(601_000);
    await expect(signer.verify(token, 'consent-state', clock.now())).resolves.toEqual({
      ok: false,
      failure: 'expired',
    });
  });

  it('should refuse a token signed with another key or tampered with', async () => {
    const { clock, signer } = setup();
    const other = new TokenSigner(
      deriveSigningKey('another-secret-0123456789'),
      new InMemoryUsedNonceStore(() => clock.now())
    );
    const forged = other.sign('consent-state', clock.now(), 600);
    await expect(signer.verify(forged, 'consent-state', clock.now())).resolves.toMatchObject({ ok: false });
    const genuine = signer.sign('consent-state', clock.now(), 600);
    const [body, mac] = genuine.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const stretched = Buffer.from(JSON.stringify({ ...payload, exp: 9_999_999_999 })).toString('base64url');
    await expect(signer.verify(`${stretched}.${mac}`, 'consent-state', clock.now())).resolves.toEqual({
      ok: false,
      failure: 'bad_signature',
    });
    await expect(signer.verify('garbage', 'consent-state', clock.now())).resolves.toEqual({
      ok: false,
      failure: 'malformed',
    });
    await expect(signer.verify(undefined, 'consent-state', clock.now())).resolves.toMatchObject({ ok: false });
  });

  it('should refuse a token minted for another purpose', async () => {
    const { clock, signer } = setup();
    const link = signer.sign('connect-link', clock.now(), 600);
    await expect(signer.verify(link, 'consent-state', clock.now())).resolves.toEqual({
      ok: false,
      failure: 'wrong_purpose',
    });
  });

  it('should refuse a short signing secret', () => {
    expect(() => deriveSigningKey('short')).toThrow(/at least 16/);
  });
});

describe('connect links', () => {
  it('should build a single-use link on the connect URL', async () => {
    const { clock, signer } = setup();
    const { url, expiresAt } = createConnectLink({ signer, clock }, 'http://127.0.0.1:3000/oauth/xero/connect', 300);
    expect(expiresAt).toBe(new Date(clock.now().getTime() + 300_000).toISOString());
    const token = new URL(url).searchParams.get('link') ?? undefined;
    await expect(verifyConnectLink({ signer, clock }, token)).resolves.toBe(true);
    await expect(verifyConnectLink({ signer, clock }, token)).resolves.toBe(false);
  });
});

describe('isAdminBearer', () => {
  it.each([
    [`Bearer ${ADMIN}`, true],
    [`bearer ${ADMIN}`, true],
    [`Bearer ${ADMIN}x`, false],
    [ADMIN, false],
    ['Bearer ', false],
    [undefined, false],
  ])('should judge %p as %p', (header, expected) => {
    expect(isAdminBearer(header, ADMIN)).toBe(expected);
  });

  it('should never accept anything when no admin token is configured', () => {
    expect(isAdminBearer('Bearer ', '')).toBe(false);
    expect(isAdminBearer('Bearer x', '')).toBe(false);
  });
});
