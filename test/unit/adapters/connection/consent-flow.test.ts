import { ReconnectRequiredError, TransientError } from '../../../../lambdas/core/errors';
import { createConnectLink } from '../../../../lambdas/core/connection/connect-link';
import { expectNoSecrets } from '../../core/connection/test-helpers';
import {
  ADMIN_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  TWO_TENANTS,
  startHarness,
  type Harness,
} from './harness';

/** The choose page's form: where it posts, its single-use token and one checkbox per organisation. */
function choiceForm(body: string): { action: string; token: string; tenantIds: string[] } {
  const unescape = (v: string) => v.replace(/&amp;/g, '&');
  return {
    action: unescape(/<form method="post" action="([^"]+)"/.exec(body)?.[1] ?? ''),
    token: unescape(/name="token" value="([^"]+)"/.exec(body)?.[1] ?? ''),
    tenantIds: [...body.matchAll(/type="checkbox" name="tenantId" value="([^"]+)"/g)].map((m) => unescape(m[1]!)),
  };
}

function postChoice(h: Harness, cookie: string, token: string, tenantIds: readonly string[]) {
  const body = new URLSearchParams([['token', token], ...tenantIds.map((id): [string, string] => ['tenantId', id])]);
  return h.routes.chooseTenant({
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    query: {},
    body: body.toString(),
  });
}

describe('Xero consent flow against the fake identity server', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  describe('connect', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('should answer 401 without the admin token or a link', async () => {
      const none = await h.routes.connect({ headers: {}, query: {} });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const wrong = await h.routes.connect({ headers: { authorization: 'Bearer nope' }, query: {} });
      expect(wrong.status).toBe(401);
    });

    it('should redirect an admin to Xero authorize with the consent parameters and a state', async () => {
      const res = await h.routes.connect({ headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, query: {} });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.location ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(`${h.fake.url}/identity/connect/authorize`);
      expect(Object.fromEntries(location.searchParams)).toEqual({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        scope: 'offline_access accounting.contacts accounting.invoices accounting.settings',
        state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
        code_challenge: expect.stringMatching(/^[\w-]{43}$/),
        code_challenge_method: 'S256',
      });
      // The consent cookie binds the flow to this browser; on http it cannot be __Host-/Secure.
      expect(res.headers['set-cookie']).toMatch(
        /^xero_consent=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/
      );
    });

    it('should accept a signed link once and refuse it the second time', async () => {
      const link = createConnectLink(h, 'http://127.0.0.1:3000/oauth/xero/connect');
      const query = { link: new URL(link.url).searchParams.get('link') ?? '' };
      expect((await h.routes.connect({ headers: {}, query })).status).toBe(302);
      expect((await h.routes.connect({ headers: {}, query })).status).toBe(401);
    });

    it('should hand a terminal holding the admin token a signed link for the browser (?format=link)', async () => {
      const res = await h.routes.connect({
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        query: { format: 'link' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
      const { url } = JSON.parse(res.body) as { url: string };
      expect(url.startsWith('http://127.0.0.1:3000/oauth/xero/connect?link=')).toBe(true);
      const browser = await h.routes.connect({ headers: {}, query: { link: new URL(url).searchParams.get('link')! } });
      expect(browser.status).toBe(302);
      expect(browser.headers['set-cookie']).toMatch(/^xero_consent=/);
      const anonymous = await h.routes.connect({ headers: {}, query: { format: 'link' } });
      expect(anonymous.status).toBe(401);
    });

    it('should refuse an expired link', async () => {
      const link = createConnectLink(h, '/oauth/xero/connect', 60);
      h.advance(61_000);
      const query = { link: new URL(link.url, 'http://x').searchParams.get('link') ?? '' };
      expect((await h.routes.connect({ headers: {}, query })).status).toBe(401);
    });
  });

  describe('callback', () => {
    beforeEach(async () => {
      h = await startHarness();
    });

    it('should store the connection and show the organisation name, escaped', async () => {
      const page = await h.consent();
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('Alpha &amp; Sons &lt;Ltd&gt;');
      expect(page.body).not.toContain('<Ltd>');
      const stored = await h.store.load();
      expect(stored?.connection).toMatchObject({ tenantId: 'tenant-a', state: 'connected' });
      await expect(h.tokenService.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-a' });
    });

    it('should refuse a forged state with 400 and store nothing', async () => {
      const start = await h.start();
      const query = await h.authorize(start.location);
      const tokenCalls = h.fake.knobs.calls.token;
      const forged = await h.routes.callback({
        headers: { cookie: start.cookie },
        query: { ...query, state: 'eyJwIjoiY29uc2VudC1zdGF0ZSJ9.AAAA' },
      });
      expect(forged.status).toBe(400);
      const missing = await h.routes.callback({ headers: { cookie: start.cookie }, query: { code: query.code } });
      expect(missing.status).toBe(400);
      expect(h.fake.knobs.calls.token).toBe(tokenCalls);
      await expect(h.store.load()).resolves.toBeNull();
    });

    it('should refuse an expired state with 400 and store nothing', async () => {
      const start = await h.start();
      const query = await h.authorize(start.location);
      h.clock.advance(11 * 60_000);
      const res = await h.routes.callback({ headers: { cookie: start.cookie }, query });
      expect(res.status).toBe(400);
      expect(res.body).toContain('expired');
      await expect(h.store.load()).resolves.toBeNull();
    });

    it('should refuse a reused state with 400 and keep the first connection', async () => {
      const start = await h.start();
      const query = await h.authorize(start.location);
      expect((await h.routes.callback({ headers: { cookie: start.cookie }, query })).status).toBe(200);
      const first = await h.store.load();
      const replay = await h.routes.callback({ headers: { cookie: start.cookie }, query });
      expect(replay.status).toBe(400);
      expect(replay.body).toContain('already used');
      await expect(h.store.load()).resolves.toEqual(first);
    });

    it('should explain a declined consent and store nothing', async () => {
      h.fake.knobs.denyNextConsent();
      const page = await h.consent();
      expect(page.status).toBe(400);
      expect(page.body).toContain('not granted');
      expect(page.body).toContain('Next step');
      await expect(h.store.load()).resolves.toBeNull();
    });
  });

  describe('tenant selection', () => {
    it('should connect the pinned tenant among several', async () => {
      h = await startHarness({ tenants: TWO_TENANTS, env: { XERO_TENANT_ID: 'tenant-b' } });
      const page = await h.consent();
      expect(page.status).toBe(200);
      expect(page.body).toContain('Beta Trading');
      expect((await h.store.load())?.connection.tenantId).toBe('tenant-b');
    });

    it('should refuse a consent without the pinned tenant and store nothing', async () => {
      h = await startHarness({ tenants: TWO_TENANTS, env: { XERO_TENANT_ID: 'tenant-b' } });
      h.fake.knobs.selectTenantsForNextConsent(['tenant-a']);
      const page = await h.consent();
      expect(page.status).toBe(400);
      expect(page.body).toContain('XERO_TENANT_ID');
      await expect(h.store.load()).resolves.toBeNull();
    });

    it('should let the operator choose among several tenants, once', async () => {
      h = await startHarness({ tenants: TWO_TENANTS });
      const start = await h.start();
      const page = await h.routes.callback({
        headers: { cookie: start.cookie },
        query: await h.authorize(start.location),
      });
      expect(page.status).toBe(200);
      expect(page.body).toContain('Choose Xero organisations');
      await expect(h.store.load()).resolves.toBeNull();
      const form = choiceForm(page.body);
      expect(form.action).toBe('choose');
      expect(form.tenantIds).toEqual(['tenant-a', 'tenant-b']);

      const chosen = await postChoice(h, start.cookie, form.token, ['tenant-b']);
      expect(chosen.status).toBe(200);
      expect(chosen.body).toContain('Beta Trading');
      expect((await h.store.load())?.connection.tenantId).toBe('tenant-b');

      const again = await postChoice(h, start.cookie, form.token, ['tenant-a']);
      expect(again.status).toBe(400);
      expect((await h.store.load())?.connection.tenantId).toBe('tenant-b');
    });

    it('should connect every organisation the operator ticks, each usable on its own', async () => {
      h = await startHarness({ tenants: TWO_TENANTS });
      const start = await h.start();
      const page = await h.routes.callback({
        headers: { cookie: start.cookie },
        query: await h.authorize(start.location),
      });
      const form = choiceForm(page.body);
      const none = await postChoice(h, start.cookie, form.token, []);
      expect(none.status).toBe(400);
      const chosen = await postChoice(h, start.cookie, form.token, ['tenant-a', 'tenant-b']);
      expect(chosen.status).toBe(200);
      expect(chosen.body).toContain('Alpha &amp; Sons');
      expect(chosen.body).toContain('Beta Trading');
      const stored = await h.store.load();
      expect(stored?.connection.tenantId).toBe('tenant-a');
      expect(stored?.connection.tenants?.map((t) => [t.tenantId, t.state])).toEqual([
        ['tenant-a', 'connected'],
        ['tenant-b', 'connected'],
      ]);
      await expect(h.tokenService.getAccess('tenant-b')).resolves.toMatchObject({ tenantId: 'tenant-b' });
      await expect(h.tokenService.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-a' });
      const status = await h.tokenService.status();
      expect(status.organisations?.map((o) => o.tenantName)).toEqual(['Alpha & Sons <Ltd>', 'Beta Trading']);
    });

    it('should connect every pinned tenant without asking (XERO_TENANT_ID lists several)', async () => {
      h = await startHarness({ tenants: TWO_TENANTS, env: { XERO_TENANT_ID: 'tenant-b, tenant-a' } });
      const page = await h.consent();
      expect(page.status).toBe(200);
      expect(page.body).not.toContain('Choose Xero organisations');
      const stored = await h.store.load();
      expect(stored?.connection.tenantId).toBe('tenant-b');
      expect(stored?.connection.tenants?.map((t) => t.tenantId)).toEqual(['tenant-b', 'tenant-a']);
    });

    it('should list a pinned tenant missing from the consent as waiting for one', async () => {
      h = await startHarness({ tenants: TWO_TENANTS, env: { XERO_TENANT_ID: 'tenant-b,tenant-a' } });
      h.fake.knobs.selectTenantsForNextConsent(['tenant-a']);
      expect((await h.consent()).status).toBe(200);
      await expect(h.tokenService.getAccess('tenant-a')).resolves.toMatchObject({ tenantId: 'tenant-a' });
      await expect(h.tokenService.getAccess('tenant-b')).rejects.toMatchObject({
        tenantId: 'tenant-b',
        reason: 'pinned_not_in_consent',
      });
    });

    it('should keep the other connected organisation when one is consented again', async () => {
      h = await startHarness({ tenants: TWO_TENANTS });
      const first = await h.start();
      const page = await h.routes.callback({
        headers: { cookie: first.cookie },
        query: await h.authorize(first.location),
      });
      await postChoice(h, first.cookie, choiceForm(page.body).token, ['tenant-a', 'tenant-b']);
      h.fake.knobs.selectTenantsForNextConsent(['tenant-b']);
      const again = await h.consent();
      expect(again.status).toBe(200);
      expect(again.body).not.toContain('Replace the connected');
      // The default organisation stays the same: records without a route keep going where they went.
      expect((await h.store.load())?.connection.tenants?.map((t) => t.tenantId)).toEqual(['tenant-a', 'tenant-b']);
    });

    it('should refuse a tenant choice made in another browser, without using the choice up', async () => {
      h = await startHarness({ tenants: TWO_TENANTS });
      const start = await h.start();
      const page = await h.routes.callback({
        headers: { cookie: start.cookie },
        query: await h.authorize(start.location),
      });
      const { token } = choiceForm(page.body);
      const stranger = await h.routes.chooseTenant({ headers: {}, query: { token, tenantId: 'tenant-a' } });
      expect(stranger.status).toBe(400);
      expect(stranger.body).toContain('another browser');
      await expect(h.store.load()).resolves.toBeNull();
      const link = await h.routes.chooseTenant({
        headers: { cookie: start.cookie },
        query: { token, tenantId: 'tenant-a' },
      });
      expect(link.status).toBe(200);
    });

    it('should refuse a forged choice', async () => {
      h = await startHarness({ tenants: TWO_TENANTS });
      await h.consent();
      const res = await h.routes.chooseTenant({ headers: {}, query: { token: 'x.y', tenantId: 'tenant-a' } });
      expect(res.status).toBe(400);
      await expect(h.store.load()).resolves.toBeNull();
    });
  });

  describe('token custody', () => {
    beforeEach(async () => {
      h = await startHarness({ timeoutMs: 400 });
      expect((await h.consent()).status).toBe(200);
    });

    it('should rotate the refresh token and let the old one work only inside the grace period', async () => {
      const before = await h.store.load();
      h.advance(28 * 60_000);
      await h.tokenService.getAccess();
      const after = await h.store.load();
      expect(after?.tokens.refreshToken).not.toBe(before?.tokens.refreshToken);
      await expect(h.identity.refresh(before!.tokens.refreshToken!)).resolves.toMatchObject({
        accessToken: expect.any(String),
      });
      h.advance(31 * 60_000);
      await expect(h.identity.refresh(before!.tokens.refreshToken!)).rejects.toBeInstanceOf(ReconnectRequiredError);
    });

    it('should survive a lost refresh response by retrying with the old token inside the grace period', async () => {
      const before = await h.store.load();
      h.advance(28 * 60_000);
      h.fake.knobs.failNextTokenCalls(1, 'lose-response');
      const grant = await h.tokenService.getAccess();
      expect(h.fake.knobs.calls.byGrant.refresh_token).toBe(2);
      const after = await h.store.load();
      expect(after?.connection.state).toBe('connected');
      expect(after?.tokens.refreshToken).not.toBe(before?.tokens.refreshToken);
      await expect(h.identity.listConnections(grant.accessToken)).resolves.toHaveLength(1);
    });

    it('should call the identity server exactly once for 20 concurrent getAccess calls', async () => {
      h.advance(28 * 60_000);
      const tokenCalls = h.fake.knobs.calls.token;
      const grants = await Promise.all(Array.from({ length: 20 }, () => h.tokenService.getAccess()));
      expect(h.fake.knobs.calls.token - tokenCalls).toBe(1);
      expect(new Set(grants.map((g) => g.accessToken)).size).toBe(1);
    });

    it('should never turn timeouts or 5xx into reconnect_required', async () => {
      h.advance(28 * 60_000);
      h.fake.knobs.failNextTokenCalls(3, 'hang');
      await expect(h.tokenService.getAccess()).rejects.toBeInstanceOf(TransientError);
      h.fake.knobs.failNextTokenCalls(3, '5xx');
      await expect(h.tokenService.getAccess()).rejects.toMatchObject({ code: 'XERO_IDENTITY_5XX' });
      expect((await h.store.load())?.connection.state).toBe('connected');
      await expect(h.tokenService.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-a' });
    });

    it('should pause on invalid_grant without calling Xero again, until a new consent', async () => {
      h.fake.knobs.revokeAll();
      h.advance(28 * 60_000);
      await expect(h.tokenService.getAccess()).rejects.toBeInstanceOf(ReconnectRequiredError);
      const tokenCalls = h.fake.knobs.calls.token;
      for (let i = 0; i < 5; i += 1) {
        await expect(h.tokenService.getAccess()).rejects.toMatchObject({ reason: 'invalid_grant' });
      }
      await expect(h.tokenService.refreshIfDue()).resolves.toBe('reconnect_required');
      expect(h.fake.knobs.calls.token).toBe(tokenCalls);
      expect((await h.store.load())?.connection).toMatchObject({
        state: 'reconnect_required',
        reason: 'invalid_grant',
      });

      expect((await h.consent()).status).toBe(200);
      expect((await h.store.load())?.connection.state).toBe('connected');
      await expect(h.tokenService.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-a' });
    });

    it('should ask for reconnecting when the tenant was removed', async () => {
      h.fake.knobs.removeTenant('tenant-a');
      h.advance(28 * 60_000);
      await expect(h.tokenService.getAccess()).rejects.toMatchObject({ reason: 'tenant_removed' });
    });

    it('should revoke the refresh token on disconnect', async () => {
      const stored = await h.store.load();
      await expect(h.tokenService.disconnect()).resolves.toEqual({ revoked: true });
      expect(h.fake.knobs.calls.revocation).toBe(1);
      await expect(h.store.load()).resolves.toBeNull();
      await expect(h.identity.refresh(stored!.tokens.refreshToken!)).rejects.toBeInstanceOf(ReconnectRequiredError);
    });

    it('should keep secrets out of every log line, error message and page', async () => {
      const texts: string[] = [];
      const capture = async (work: () => Promise<unknown>) => {
        try {
          const result = await work();
          texts.push(JSON.stringify(result));
        } catch (error) {
          texts.push(String(error), JSON.stringify(error), (error as Error).stack ?? '');
        }
      };
      h.advance(28 * 60_000);
      h.fake.knobs.failNextTokenCalls(1, 'hang');
      await capture(() => h.tokenService.getAccess());
      await capture(() => h.identity.refresh('not-a-real-refresh-token-123'));
      await capture(() => h.identity.listConnections('not-a-real-access-token-456'));
      h.fake.knobs.revokeAll();
      h.advance(28 * 60_000);
      await capture(() => h.tokenService.getAccess());
      await capture(() => h.consent().then((page) => page.body));
      await capture(() => h.tokenService.status());
      expectNoSecrets(
        [...h.logger.lines, ...texts.filter((t) => !t.includes('"accessToken"'))],
        [
          CLIENT_SECRET,
          ADMIN_TOKEN,
          Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'),
          'not-a-real-refresh-token-123',
          'not-a-real-access-token-456',
          ...h.fake.knobs.issuedSecrets(),
        ]
      );
      expect(h.logger.lines.length).toBeGreaterThan(3);
    });
  });

  describe('consent bound to the browser that started it', () => {
    beforeEach(async () => {
      h = await startHarness({ tenants: TWO_TENANTS, env: {} });
      h.fake.knobs.selectTenantsForNextConsent(['tenant-a']);
      expect((await h.consent()).status).toBe(200);
    });

    it('should refuse a leaked authorize URL completed in another browser and keep the connection', async () => {
      const before = await h.store.load();
      const admin = await h.start();
      h.fake.knobs.consentAsUser('intruder');
      h.fake.knobs.selectTenantsForNextConsent(['tenant-b']);
      const query = await h.authorize(admin.location);
      const other = await h.start(); // the intruder's own cookie is no good either
      for (const headers of [{}, { cookie: other.cookie }]) {
        const page = await h.routes.callback({ headers, query });
        expect(page.status).toBe(400);
        expect(page.body).toContain('another browser');
      }
      await expect(h.store.load()).resolves.toEqual(before);
    });

    it('should refuse a state that names no browser when no consent cookie comes back', async () => {
      const before = await h.store.load();
      const state = h.signer.sign('consent-state', h.clock.now(), 600);
      const page = await h.routes.callback({ headers: {}, query: { code: 'some-code', state } });
      expect(page.status).toBe(400);
      await expect(h.store.load()).resolves.toEqual(before);
    });

    it('should exchange the code with the PKCE verifier only the starting browser can produce', async () => {
      const admin = await h.start();
      const query = await h.authorize(admin.location);
      await expect(h.identity.exchangeCode(query.code!, REDIRECT_URI)).rejects.toBeInstanceOf(ReconnectRequiredError);
      const guess = 'x'.repeat(43);
      await expect(h.identity.exchangeCode(query.code!, REDIRECT_URI, guess)).rejects.toBeInstanceOf(
        ReconnectRequiredError
      );
    });

    it('should use only the organisations of this consent, not ones the user connected before', async () => {
      // Same Xero user, this time ticking only tenant-b: /connections would list tenant-a (earlier event) too.
      h.fake.knobs.selectTenantsForNextConsent(['tenant-b']);
      const page = await h.consent();
      expect(page.body).not.toContain('Choose a Xero organisation');
      expect(page.body).toContain('Replace the connected Xero organisation?');
      expect(page.body).toContain('Beta Trading');
    });

    it('should replace the organisation only after the admin confirms, and disconnect the replaced one', async () => {
      const before = await h.store.load();
      h.fake.knobs.selectTenantsForNextConsent(['tenant-b']);
      const start = await h.start();
      const page = await h.routes.callback({
        headers: { cookie: start.cookie },
        query: await h.authorize(start.location),
      });
      const form = Object.fromEntries(
        [...page.body.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')])
      );
      expect(form).toMatchObject({ tenantId: 'tenant-b', confirm: 'replace' });
      const post = (body: Record<string, string>, cookie = start.cookie) =>
        h.routes.chooseTenant({
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          query: {},
          body: new URLSearchParams(body).toString(),
        });

      const noAdmin = await post({ ...form, adminToken: 'not-the-admin-token' });
      expect(noAdmin.status).toBe(401);
      const plainClick = await h.routes.chooseTenant({ headers: { cookie: start.cookie }, query: form });
      expect(plainClick.status).toBe(400);
      await expect(h.store.load()).resolves.toEqual(before);

      const confirmed = await post({ ...form, adminToken: ADMIN_TOKEN });
      expect(confirmed.status).toBe(200);
      expect((await h.store.load())?.connection.tenantId).toBe('tenant-b');
      const access = await h.tokenService.getAccess();
      // Same Xero user: only tenant-a's connection was removed, the new one is intact.
      await expect(h.identity.listConnections(access.accessToken)).resolves.toMatchObject([{ tenantId: 'tenant-b' }]);
    });

    it('should revoke the replaced grant when another Xero user connected the new organisation', async () => {
      const before = await h.store.load();
      h.fake.knobs.consentAsUser('second-admin');
      h.fake.knobs.selectTenantsForNextConsent(['tenant-b']);
      const start = await h.start();
      const page = await h.routes.callback({
        headers: { cookie: start.cookie },
        query: await h.authorize(start.location),
      });
      const form = Object.fromEntries(
        [...page.body.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')])
      );
      const confirmed = await h.routes.chooseTenant({
        headers: {
          cookie: start.cookie,
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        query: {},
        body: new URLSearchParams(form).toString(),
      });
      expect(confirmed.status).toBe(200);
      expect((await h.store.load())?.connection.tenantId).toBe('tenant-b');
      await expect(h.identity.refresh(before!.tokens.refreshToken!)).rejects.toBeInstanceOf(ReconnectRequiredError);
      await expect(h.tokenService.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-b' });
    });
  });

  describe('custom connection', () => {
    it('should get a client-credentials token without a refresh token and find the organisation', async () => {
      h = await startHarness({ env: { XERO_AUTH_MODE: 'custom-connection' } });
      const token = await h.identity.clientCredentials(h.config.scopes);
      expect(token.refreshToken).toBeUndefined();
      await expect(h.identity.listConnections(token.accessToken)).resolves.toMatchObject([{ tenantId: 'tenant-a' }]);
      const connect = await h.routes.connect({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, query: {} });
      expect(connect.status).toBe(400);
    });
  });
});
