import { InMemoryUsedNonceStore } from '../../../lambdas/core/connection/memory-stores';
import { TokenSigner, deriveSigningKey } from '../../../lambdas/core/connection/signed-token';
import type { HttpRequest, Route } from '../../../src/local/http-server';
import { buildRoutes, type RouteDeps } from '../../../src/local/routes';
import { CapturingLogger, ManualClock } from '../core/connection/test-helpers';
import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteOutcomeLog } from '../../../lambdas/adapters/local/sqlite-outcome-log';
import { SqliteQueue } from '../../../lambdas/adapters/local/sqlite-queue';

const ADMIN = 'routes-admin-token-0123456789';

function setup(publicUrl = 'http://127.0.0.1:3000') {
  const clock = new ManualClock();
  const signer = new TokenSigner(deriveSigningKey(ADMIN), new InMemoryUsedNonceStore(() => clock.now()));
  const calls = { disconnect: 0, enqueued: 0 };
  const db = openDatabase({ memory: true });
  const queue = new SqliteQueue(db, { maxReceives: 1, now: () => clock.now().getTime() });
  const outcomes = new SqliteOutcomeLog(db, { now: () => clock.now() });
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
    queue,
    outcomes,
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
    dataverseUrl: 'https://org.crm.dynamics.com',
  } as unknown as RouteDeps;
  const routes = buildRoutes(deps);
  const call = (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body = '',
    query: Record<string, string> = {}
  ) => {
    const route = routes.find((r: Route) => r.method === method && r.path === path)!;
    const request: HttpRequest = {
      method,
      path,
      headers: { host: '127.0.0.1:3000', ...headers },
      query,
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
  return { call, login, calls, queue, outcomes, clock };
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

describe('status page routes', () => {
  const bearer = { authorization: `Bearer ${ADMIN}` };
  const ACCOUNT = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';

  /** One dead letter in each of the changes and writes queues. */
  function withDeadLetters(s: ReturnType<typeof setup>) {
    const change = {
      table: 'account',
      id: ACCOUNT,
      message: 'Update',
      occurredAt: 'x',
      dedupeId: 'd',
      source: 'webhook',
    };
    const write = {
      kind: 'upsert-item',
      source: { table: 'product', id: 'p-1', event: 'Update' },
      item: { Code: 'BEAN', Name: 'Beans' },
    };
    s.queue.send('changes', [{ body: JSON.stringify(change), groupId: `account:${ACCOUNT}` }]);
    s.queue.send('writes', [{ body: JSON.stringify(write) }]);
    for (const name of ['changes', 'writes'] as const) {
      const [message] = s.queue.receive(name, 1, 1000);
      s.queue.fail(message!.id, { error: 'Xero said no', permanent: true, receipt: message!.receipt });
    }
    return s.queue;
  }

  it('should serve /status as the snapshot, dead letters named and keyed for Retry', async () => {
    const s = setup();
    withDeadLetters(s);
    await s.outcomes.record({
      table: 'account',
      id: ACCOUNT,
      status: 'synced',
      message: 'ok',
      event: 'Create',
      name: 'Northwind',
    });
    const body = JSON.parse(String((await s.call('GET', '/status', bearer)).body));
    expect(body).toMatchObject({ runtime: 'local', generatedAt: s.clock.now().toISOString() });
    expect(body.warnings).toEqual([expect.stringContaining('XERO_TENANT_ID')]);
    expect(body.hourly).toHaveLength(24);
    expect(body.hourly[23]).toMatchObject({ synced: 1, failed: 0 });
    expect(body.queues.changes).toEqual({ depth: 0, dead: 1 });
    const records = body.deadLetters.map((d: { record: { name: string } }) => d.record.name).sort();
    expect(records).toEqual(['Beans', 'Northwind']);
    expect(body.deadLetters.every((d: { retryKey: string }) => d.retryKey.length > 0)).toBe(true);
  });

  it('should list each failed record once, as it is now, and drop it once it synced', async () => {
    const s = setup();
    const failed = { table: 'account', status: 'failed', event: 'Update', willRetry: false } as const;
    await s.outcomes.record({ ...failed, id: 'a-1', message: 'first', name: 'Old Name' });
    await s.outcomes.record({ ...failed, id: 'a-1', message: 'second' });
    await s.outcomes.record({ ...failed, id: 'a-2', message: 'fixed since' });
    await s.outcomes.record({ table: 'account', id: 'a-2', status: 'synced', message: 'ok', event: 'Update' });
    const body = JSON.parse(String((await s.call('GET', '/status', bearer)).body));
    expect(body.failures).toEqual([
      expect.objectContaining({ id: 'a-1', message: 'second', name: 'Old Name', status: 'failed' }),
    ]);
  });

  it('should retry exactly one dead letter by its retryKey, and refuse an unknown key', async () => {
    const s = setup();
    const queue = withDeadLetters(s);
    const [letter] = queue.deadLetters('writes');
    const json = { ...bearer, 'content-type': 'application/json' };
    const answer = await s.call('POST', '/admin/retry', json, JSON.stringify({ retryKey: letter!.id }));
    expect(answer.status).toBe(202);
    expect(queue.depth('writes')).toMatchObject({ ready: 1, deadLetters: 0 });
    expect(queue.depth('changes').deadLetters).toBe(1);
    const again = await s.call('POST', '/admin/retry', json, JSON.stringify({ retryKey: letter!.id }));
    expect(again.status).toBe(404);
  });

  it("should retry all dead letters, or one table's, sending a form back to the filtered page", async () => {
    const s = setup();
    const queue = withDeadLetters(s);
    const cookie = (await s.login()).split(';')[0]!;
    const form = { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };
    const one = await s.call('POST', '/admin/retry-all', form, 'table=product&back=table%3Dproduct%26outcome%3Dfailed');
    expect(one.status).toBe(303);
    expect(one.headers!.location).toBe('/?table=product&outcome=failed');
    expect(queue.depth('writes').deadLetters).toBe(0);
    expect(queue.depth('changes').deadLetters).toBe(1);
    const all = await s.call('POST', '/admin/retry-all', { ...bearer });
    expect(JSON.parse(String(all.body))).toMatchObject({ moved: 1 });
    expect(queue.depth('changes')).toMatchObject({ ready: 1, deadLetters: 0 });
    expect((await s.call('POST', '/admin/retry-all', form, 'table=systemuser')).status).toBe(400);
  });

  it('should serve the page with a fresh nonce in its CSP and on its script, filtered by the query', async () => {
    const s = setup();
    withDeadLetters(s);
    const first = await s.call('GET', '/', bearer, '', { table: 'product' });
    const second = await s.call('GET', '/', bearer);
    const nonce = /script-src 'nonce-([^']+)'/.exec(first.headers!['content-security-policy']!)?.[1];
    expect(nonce).toBeTruthy();
    expect(first.body).toContain(`<script nonce="${nonce}">`);
    expect(second.headers!['content-security-policy']).not.toContain(nonce);
    expect(first.body).toContain('<option value="product" selected>');
    expect(first.body).toContain('etn=product&amp;id=p-1" target="_blank" rel="noopener noreferrer">Beans</a>');
    expect(first.body).not.toContain(`data-table="account"`);
  });
});
