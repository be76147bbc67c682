import { DeadLetterRetryError } from '../../../lambdas/adapters/aws/sqs-dead-letters';
import type { ConsentRoutes, RouteRequest } from '../../../lambdas/core/connection/consent-routes';
import type { Clock } from '../../../lambdas/core/ports';
import { createHandler, type OperatorDeps } from '../../../lambdas/handlers/oauth';
import { apiGatewayEvent } from '../../helpers/api-gateway-events';
import { ADMIN, operatorDeps, PUBLIC_URL } from '../../helpers/operator-deps';

const BEARER = { authorization: `Bearer ${ADMIN}` };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function setup(overrides: Partial<OperatorDeps> = {}) {
  let now = new Date('2026-11-26T10:00:00.000Z');
  const clock: Clock = { now: () => now };
  const deps = operatorDeps({ clock, ...overrides });
  const handler = createHandler(async () => deps);
  const call = (
    resource: string,
    init: { method?: string; headers?: Record<string, string>; query?: Record<string, string>; body?: string } = {}
  ) => handler(apiGatewayEvent({ resource, ...init }));
  /** A login link minted with the bearer and opened: the browser's session cookie (`name=value`). */
  const signIn = async (): Promise<string> => {
    const minted = await call('/admin/login-link', { method: 'POST', headers: BEARER });
    const link = new URL(JSON.parse(minted.body).url as string).searchParams.get('link')!;
    const opened = await call('/login', { query: { link } });
    return String(opened.headers!['set-cookie']).split(';')[0]!;
  };
  return { deps, call, signIn, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('oauth handler: the status page behind a login link', () => {
  it('should mint a 10-minute login link for the admin bearer only', async () => {
    const { call } = setup();
    const refused = await call('/admin/login-link', { method: 'POST' });
    const minted = await call('/admin/login-link', { method: 'POST', headers: BEARER });
    expect(refused.statusCode).toBe(401);
    const body = JSON.parse(minted.body);
    expect(body.url).toMatch(new RegExp(`^${PUBLIC_URL}/login\\?link=`));
    expect(body.expiresAt).toBe('2026-11-26T10:10:00.000Z');
  });

  it('should turn a login link into an 8-hour __Host- session cookie once, and refuse it the second time', async () => {
    const { call } = setup();
    const minted = await call('/admin/login-link', { method: 'POST', headers: BEARER });
    const link = new URL(JSON.parse(minted.body).url).searchParams.get('link')!;
    const first = await call('/login', { query: { link } });
    const second = await call('/login', { query: { link } });
    expect(first.statusCode).toBe(302);
    expect(first.headers!.location).toBe('/dev/');
    expect(first.headers!['set-cookie']).toMatch(
      /^__Host-connector_session=[^;]+; HttpOnly; Secure; SameSite=Strict; Path=\/; Max-Age=28800$/
    );
    expect(second.statusCode).toBe(401);
    expect(second.body).toContain('npx connector login-link --stage dev');
  });

  it('should show the page to a signed-in browser with a CSP nonce and escaped names, and nobody else', async () => {
    const { call, signIn } = setup();
    const anonymous = await call('/');
    const forged = await call('/', { headers: { cookie: '__Host-connector_session=9999999999.abc.def' } });
    const page = await call('/', { headers: { cookie: await signIn() } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('npx connector login-link --stage dev');
    expect(forged.statusCode).toBe(401);
    expect(page.statusCode).toBe(200);
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(page.headers!['content-security-policy']))?.[1];
    expect(nonce).toBeTruthy();
    expect(page.body).toContain(`nonce="${nonce}"`);
    expect(page.body).toContain('Fabrikam &lt;Ltd&gt;');
    expect(page.body).not.toContain('Fabrikam <Ltd>');
    expect(page.body).toContain('action="/dev/admin/retry"');
  });

  it('should end the session after 8 hours', async () => {
    const { call, signIn, later } = setup();
    const cookie = await signIn();
    later(8 * 3600 * 1000 + 1000);
    expect((await call('/', { headers: { cookie } })).statusCode).toBe(401);
  });

  it('should answer /status with the snapshot as JSON to the bearer and to the session', async () => {
    const { call, signIn } = setup();
    const bearer = await call('/status', { headers: BEARER });
    const session = await call('/status', { headers: { cookie: await signIn() } });
    expect(JSON.parse(bearer.body)).toMatchObject({ runtime: 'aws', deadLetters: [{ retryKey: 'changes:m-1' }] });
    expect(session.body).toBe(bearer.body);
  });

  it("should retry one dead letter from the page's form and send the browser back to the page", async () => {
    const { call, signIn, deps } = setup();
    const answer = await call('/admin/retry', {
      method: 'POST',
      headers: { cookie: await signIn(), 'sec-fetch-site': 'same-origin', ...FORM },
      body: 'retryKey=changes%3Am-1',
    });
    expect([answer.statusCode, answer.headers!.location]).toEqual([303, '/dev/']);
    expect(deps.retried).toEqual(['changes:m-1']);
  });

  it("should queue a failed record again from the failures table's Retry (table and id), keeping the filter", async () => {
    const { call, signIn, deps } = setup();
    const answer = await call('/admin/retry', {
      method: 'POST',
      headers: { cookie: await signIn(), 'sec-fetch-site': 'same-origin', ...FORM },
      body: 'table=account&id=8F3C2A10-0B1D-4E5F-9A7B-6C5D4E3F2A10&back=table%3Daccount',
    });
    const bad = await call('/admin/retry', {
      method: 'POST',
      headers: { ...BEARER, 'content-type': 'application/json' },
      body: JSON.stringify({ table: 'invoice', id: 'not-a-guid' }),
    });
    expect([answer.statusCode, answer.headers!.location]).toEqual([303, '/dev/?table=account']);
    expect(deps.retried).toEqual(['account:8f3c2a10-0b1d-4e5f-9a7b-6c5d4e3f2a10']);
    expect([bad.statusCode, JSON.parse(bad.body).error]).toEqual([400, 'bad_request']);
  });

  it('should refuse a cookie-authenticated retry from another site, and accept the bearer from anywhere', async () => {
    const { call, signIn, deps } = setup();
    const cookie = await signIn();
    const crossSite = await call('/admin/retry', {
      method: 'POST',
      headers: { cookie, 'sec-fetch-site': 'cross-site', ...FORM },
      body: 'retryKey=changes%3Am-1',
    });
    const foreignOrigin = await call('/admin/retry-all', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', host: 'abc123.execute-api.eu-west-2.amazonaws.com' },
    });
    expect([crossSite.statusCode, foreignOrigin.statusCode]).toEqual([403, 403]);
    expect(deps.retried).toEqual([]);
    const bearer = await call('/admin/retry', {
      method: 'POST',
      headers: { ...BEARER, 'content-type': 'application/json' },
      body: JSON.stringify({ retryKey: 'writes:m-2' }),
    });
    expect(bearer.statusCode).toBe(202);
    expect(deps.retried).toEqual(['writes:m-2']);
  });

  it('should say so when the dead letter is no longer there, and redrive every queue on Retry all', async () => {
    const { call, signIn } = setup({
      retry: async () => {
        throw new DeadLetterRetryError('That dead letter is no longer waiting', 404);
      },
    });
    const cookie = await signIn();
    const gone = await call('/admin/retry', {
      method: 'POST',
      headers: { ...BEARER, 'content-type': 'application/json' },
      body: '{"retryKey":"changes:gone"}',
    });
    const missing = await call('/admin/retry', { method: 'POST', headers: BEARER });
    const all = await call('/admin/retry-all', {
      method: 'POST',
      headers: { cookie, 'sec-fetch-site': 'same-origin', ...FORM },
    });
    expect([gone.statusCode, JSON.parse(gone.body).message]).toEqual([404, 'That dead letter is no longer waiting']);
    expect(missing.statusCode).toBe(400);
    expect([all.statusCode, all.headers!.location]).toEqual([303, '/dev/']);
  });

  it("should start consent as the admin for a signed-in browser, keeping that browser's cookies", async () => {
    const seen: RouteRequest[] = [];
    const consent = {
      connect: async (req: RouteRequest) => {
        seen.push(req);
        return { status: 302, headers: { location: 'https://login.xero.com/authorize' }, body: '' };
      },
    } as unknown as ConsentRoutes;
    const { call, signIn } = setup({ consent });
    const cookie = await signIn();
    await call('/oauth/xero/connect', { headers: { cookie } });
    await call('/oauth/xero/connect');
    expect(seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${ADMIN}`, undefined]);
    expect(seen[0]!.headers.cookie).toBe(cookie);
  });
});
