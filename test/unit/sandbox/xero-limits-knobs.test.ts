import { startSandboxXero, type SandboxXero } from '../../../sandbox/xero-accounting/server';
import { elements, validationMessages, xeroClient } from './xero-test-client';

describe('sandbox Xero limits, idempotency and knobs', () => {
  let now: number;
  let xero: SandboxXero;
  let call: ReturnType<typeof xeroClient>;

  const start = async (options: Parameters<typeof startSandboxXero>[0] = {}) => {
    await xero?.close();
    xero = await startSandboxXero({ clock: () => now, ...options });
    call = xeroClient(xero);
  };

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 15, 10, 0, 10);
    await start();
  });
  afterEach(() => xero.close());

  it('should refuse the 61st call in a minute with Retry-After until the window resets', async () => {
    for (let i = 0; i < 60; i += 1) {
      const ok = await call('GET', '/Organisation');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-minlimit-remaining')).toBe(String(59 - i));
    }
    const refused = await call('GET', '/Organisation');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-rate-limit-problem')).toBe('minute');
    expect(refused.headers.get('retry-after')).toBe('50');
    expect(refused.headers.get('x-daylimit-remaining')).toBe('4940');
    expect(refused.headers.get('x-appminlimit-remaining')).toBe('9940');
    now += 50_000;
    expect((await call('GET', '/Organisation')).status).toBe(200);
  });

  it('should refuse calls beyond the day budget with problem day', async () => {
    await start({ limits: { perDay: 3 } });
    for (let i = 0; i < 3; i += 1) expect((await call('GET', '/Contacts')).status).toBe(200);
    const refused = await call('GET', '/Contacts');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-rate-limit-problem')).toBe('day');
    expect(Number(refused.headers.get('retry-after'))).toBe(Math.ceil((Date.UTC(2026, 0, 16) - now) / 1000));
    xero.knobs.resetLimits();
    expect((await call('GET', '/Contacts')).status).toBe(200);
  });

  it('should refuse a sixth concurrent call with problem concurrent', async () => {
    xero.knobs.pause();
    const held = Array.from({ length: 5 }, () => call('GET', '/Contacts'));
    while (xero.knobs.inFlight() < 5) await new Promise((r) => setTimeout(r, 5));
    const sixth = await call('GET', '/Contacts');
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('x-rate-limit-problem')).toBe('concurrent');
    xero.knobs.resume();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(xero.knobs.inFlight()).toBe(0);
  });

  it('should replay the stored response for a repeated Idempotency-Key and refuse it for another request', async () => {
    const body = { Contacts: [{ Name: 'Once Only' }] };
    const headers = { 'Idempotency-Key': 'contact-once-1' };
    const first = await call('PUT', '/Contacts', body, headers);
    const replay = await call('PUT', '/Contacts', body, headers);
    expect(replay.status).toBe(200);
    expect(elements(replay, 'Contacts')[0]!.ContactID).toBe(elements(first, 'Contacts')[0]!.ContactID);
    expect(xero.state.snapshot().contacts).toHaveLength(1);

    const other = await call('PUT', '/Contacts', { Contacts: [{ Name: 'Different' }] }, headers);
    expect(other.status).toBe(400);
    expect(validationMessages(other)).toEqual(['Idempotency Key: contact-once-1 is used with a different request.']);

    now += 6 * 60_000;
    const expired = await call('PUT', '/Contacts', body, headers);
    expect(expired.status).toBe(400); // the key is forgotten, so the create runs again and meets the unique name
    expect(validationMessages(expired)[0]).toContain('already assigned');
  });

  it('should require a bearer token, honour isValidAccessToken and revocation, and require a known tenant', async () => {
    await start({ isValidAccessToken: (t) => t === 'good' });
    expect((await xeroClient(xero, 'bad')('GET', '/Contacts')).status).toBe(401);
    const good = xeroClient(xero, 'good');
    expect((await good('GET', '/Contacts')).status).toBe(200);
    expect((await good('GET', '/Contacts', undefined, { 'xero-tenant-id': 'someone-else' })).status).toBe(403);
    const noAuth = await fetch(`${xero.apiUrl}/Contacts`, { headers: { 'xero-tenant-id': xero.tenantId } });
    expect(noAuth.status).toBe(401);
    xero.knobs.revokeAllTokens();
    expect((await good('GET', '/Contacts')).status).toBe(401);
    xero.knobs.restoreTokens();
    expect((await good('GET', '/Contacts')).status).toBe(200);
  });

  it('should fail the next requests on demand and then recover', async () => {
    xero.knobs.failNext(2, 429, 7);
    const first = await call('GET', '/Contacts');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    const second = await call('GET', '/Contacts');
    expect(second.status).toBe(429);
    expect((await call('GET', '/Contacts')).status).toBe(200);
    xero.knobs.failNext(1, 503);
    const unavailable = await call('POST', '/Contacts', { Contacts: [{ Name: 'Later' }] });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('x-minlimit-remaining')).toBe('59'); // only the one admitted call was charged
    expect(xero.state.snapshot().contacts).toHaveLength(0);
  });

  it('should leave a hung request unanswered so the client times out', async () => {
    xero.knobs.hangNext(1);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 150);
    await expect(
      fetch(`${xero.apiUrl}/Contacts`, { signal: controller.signal, headers: { authorization: 'Bearer t' } })
    ).rejects.toThrow();
    clearTimeout(timer);
    expect((await call('GET', '/Contacts')).status).toBe(200);
  });

  it('should hold a delayed call in flight for the added latency', async () => {
    xero.knobs.setLatency(300);
    let done = false;
    const pending = call('GET', '/Contacts').then((r) => {
      done = true;
      return r;
    });
    while (!done && xero.knobs.inFlight() === 0) await new Promise((r) => setTimeout(r, 2));
    expect(done).toBe(false);
    expect(xero.knobs.inFlight()).toBe(1);
    expect((await pending).status).toBe(200);
    expect(xero.knobs.inFlight()).toBe(0);
  });

  it('should count calls by route and record every request for assertions', async () => {
    await call('PUT', '/Contacts?summarizeErrors=false', { Contacts: [{ Name: 'Rec' }] });
    await call('GET', '/Contacts');
    await call('GET', '/Contacts/abc');
    expect(xero.knobs.callCounts()).toEqual({ 'PUT /Contacts': 1, 'GET /Contacts': 1, 'GET /Contacts/{id}': 1 });
    const [put] = xero.knobs.requests();
    expect(put).toMatchObject({
      method: 'PUT',
      path: '/api.xro/2.0/Contacts',
      query: { summarizeErrors: 'false' },
      body: { Contacts: [{ Name: 'Rec' }] },
      tenantId: xero.tenantId,
      status: 200,
    });
    xero.knobs.clearRequests();
    expect(xero.knobs.requests()).toEqual([]);
  });

  it('should filter by the If-Modified-Since header', async () => {
    await call('PUT', '/Contacts', { Contacts: [{ Name: 'Early' }] });
    const cutoff = new Date(now).toUTCString();
    now += 5_000;
    await call('PUT', '/Contacts', { Contacts: [{ Name: 'Late' }] });
    const changed = await call('GET', '/Contacts', undefined, { 'If-Modified-Since': cutoff });
    expect(elements(changed, 'Contacts').map((c) => c.Name)).toEqual(['Late']);
  });

  it('should keep data and minute limits per tenant while the app limit is shared', async () => {
    await start({
      tenants: [{ tenantId: 'tenant-a' }, { tenantId: 'tenant-b', baseCurrency: 'GBP' }],
      limits: { perMinute: 2 },
    });
    const asTenant = (tenant: string) => ({ 'xero-tenant-id': tenant });
    await call('PUT', '/Contacts', { Contacts: [{ Name: 'Only in A' }] }, asTenant('tenant-a'));
    const second = await call('GET', '/Contacts', undefined, asTenant('tenant-a'));
    expect(second.headers.get('x-minlimit-remaining')).toBe('0');
    expect((await call('GET', '/Contacts', undefined, asTenant('tenant-a'))).status).toBe(429);
    const other = await call('GET', '/Contacts', undefined, asTenant('tenant-b'));
    expect(other.status).toBe(200);
    expect(elements(other, 'Contacts')).toEqual([]);
    expect(other.headers.get('x-appminlimit-remaining')).toBe('9997');
    expect(xero.state.snapshot('tenant-a').contacts).toHaveLength(1);
  });
});
