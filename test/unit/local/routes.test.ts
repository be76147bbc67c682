import { InMemoryUsedNonceStore } from '../../../lambdas/core/connection/memory-stores';
import { TokenSigner, deriveSigningKey } from '../../../lambdas/core/connection/signed-token';
import type { HttpRequest, Route } from '../../../src/local/http-server';
import { buildRoutes, type RouteDeps } from '../../../src/local/routes';
import { CapturingLogger, ManualClock } from '../core/connection/test-helpers';

const ADMIN = 'routes-admin-token-0123456789';

function setup(publicUrl = 'http://127.0.0.1:3000') {
  const clock = new ManualClock();
  const signer = new TokenSigner(deriveSigningKey(ADMIN), new InMemoryUsedNonceStore(() => clock.now()));
  const calls = { disconnect: 0, enqueued: 0 };
  const deps = {
    mode: 'real',
    adminToken: ADMIN,
    clock,
    logger: new CapturingLogger(),
    signer,
    consent: {
      connect: async (req: { headers: Record<string, string | undefined> }) => ({
        status: req.headers.authorization === `Bearer ${ADMIN}` ? 302 : 401,
        headers: {},
        body: '',
      }),
      chooseTenant: async (req: { headers: Record<string, string | undefined> }) => ({
        status: req.headers.authorization === `Bearer ${ADMIN}` ? 200 : 401,
        headers: {},
        body: '',
      }),
    },
    tokenService: {
      disconnect: async () => {
        calls.disconnect += 1;
        return { revoked: true };
      },
      status: async () => ({ state: 'connected', tenantId: 't', tenantName: 'T' }),
    },
    queue: { depth: () => ({ ready: 0, inFlight: 0, delayed: 0, deadLetters: 0 }), redrive: () => 0 },
    outcomes: { counts: () => ({ synced: 0, failed: 0, skipped: 0 }), recent: () => [], failures: () => [] },
    changes: {
      enqueue: async () => {
        calls.enqueued += 1;
      },
    },
    planChange: async () => ({ writes: [], forward: [] }),
    acceptDataverse: async () => ({ status: 202, body: '{}' }),
    publicUrl: () => publicUrl,
    backfill: { count: async () => ({}), run: async () => undefined },
    reconcile: async () => ({ checked: 0, drift: [] }),
    xeroDayBudget: 5000,
  } as unknown as RouteDeps;
  const routes = buildRoutes(deps);
  const call = (method: string, path: string, headers: Record<string, string> = {}, body = '') => {
    const route = routes.find((r: Route) => r.method === method && r.path === path)!;
    const request: HttpRequest = {
      method,
      path,
      headers: { host: '127.0.0.1:3000', ...headers },
      query: {},
      params: {},
      rawBody: Buffer.from(body),
    };
    return route.handler(request);
  };
  const login = async (): Promise<string> => {
    const link = signer.sign('admin-login', clock.now(), 600);
    const route = routes.find((r) => r.path === '/login')!;
    const response = await route.handler({
      method: 'GET',
      path: '/login',
      headers: {},
      query: { link },
      params: {},
      rawBody: Buffer.alloc(0),
    });
    return response.headers!['set-cookie']!;
  };
  return { call, login, calls };
}

describe('local admin routes', () => {
  it('should set a __Host- Secure session cookie when PUBLIC_URL is https, a plain one on http', async () => {
    expect(await setup('https://connector.example.com').login()).toMatch(
      /^__Host-connector_session=[\w-]+; HttpOnly; Secure; SameSite=Strict; Path=\//
    );
    const plain = await setup().login();
    expect(plain).toMatch(/^connector_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\//);
    expect(plain).not.toContain('Secure');
  });

  it('should refuse a cookie-authenticated POST that is not provably same-origin', async () => {
    const s = setup();
    const cookie = (await s.login()).split(';')[0]!;
    const variants: Record<string, string>[] = [
      { cookie },
      { cookie, 'sec-fetch-site': 'cross-site' },
      { cookie, 'sec-fetch-site': 'same-site' },
      { cookie, origin: 'https://evil.example' },
      { cookie, origin: 'null' },
    ];
    for (const headers of variants) {
      expect([JSON.stringify(headers), (await s.call('POST', '/admin/disconnect', headers)).status]).toEqual([
        JSON.stringify(headers),
        403,
      ]);
    }
    expect(s.calls.disconnect).toBe(0);
    expect((await s.call('POST', '/admin/disconnect', { cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await s.call('POST', '/admin/disconnect', { cookie, origin: 'http://127.0.0.1:3000' })).status).toBe(200);
    expect(s.calls.disconnect).toBe(2);
  });

  it('should not need Origin for bearer-authenticated POSTs', async () => {
    const s = setup();
    expect((await s.call('POST', '/admin/disconnect', { authorization: `Bearer ${ADMIN}` })).status).toBe(200);
  });

  it('should answer 415 to a JSON route sent anything but application/json', async () => {
    const s = setup();
    const bearer = { authorization: `Bearer ${ADMIN}` };
    const body = JSON.stringify({ tables: ['account'], dryRun: true });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      expect((await s.call('POST', '/admin/backfill', { ...bearer, 'content-type': type }, body)).status).toBe(415);
    }
    expect((await s.call('POST', '/admin/redrive', bearer, '{}')).status).toBe(415);
    const ok = await s.call('POST', '/admin/backfill', { ...bearer, 'content-type': 'application/json' }, body);
    expect(ok.status).toBe(200);
  });

  it('should take the retry form from the status page (same origin) as well as JSON', async () => {
    const s = setup();
    const cookie = (await s.login()).split(';')[0]!;
    const id = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';
    const form = await s.call(
      'POST',
      '/admin/retry',
      { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
      `table=account&id=${id}`
    );
    expect(form.status).toBe(303);
    const text = await s.call(
      'POST',
      '/admin/retry',
      { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain' },
      'x'
    );
    expect(text.status).toBe(415);
    expect(s.calls.enqueued).toBe(1);
  });

  it("should forbid framing of the status page and the sign-in page (frame-ancestors 'none')", async () => {
    const s = setup();
    const cookie = (await s.login()).split(';')[0]!;
    for (const headers of [{ cookie }, {}] as Record<string, string>[]) {
      const page = await s.call('GET', '/', headers);
      expect(page.headers!['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it("should let a signed-in operator start consent from the status page's link", async () => {
    const s = setup();
    const cookie = (await s.login()).split(';')[0]!;
    expect((await s.call('GET', '/oauth/xero/connect', { cookie })).status).toBe(302);
    expect((await s.call('GET', '/oauth/xero/connect', {})).status).toBe(401);
  });

  it('should count a signed-in operator as the admin on the replacement form only from our own pages', async () => {
    const s = setup();
    const cookie = (await s.login()).split(';')[0]!;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const same = await s.call(
      'POST',
      '/oauth/xero/choose',
      { ...form, cookie, 'sec-fetch-site': 'same-origin' },
      'a=1'
    );
    expect(same.status).toBe(200);
    const cross = await s.call(
      'POST',
      '/oauth/xero/choose',
      { ...form, cookie, 'sec-fetch-site': 'cross-site' },
      'a=1'
    );
    expect(cross.status).toBe(401);
    expect(
      (await s.call('POST', '/oauth/xero/choose', { ...form, 'sec-fetch-site': 'same-origin' }, 'a=1')).status
    ).toBe(401);
  });
});
