/** Wires the real connection pieces (identity client, SQLite stores, token service, routes) to the fake Xero. */
import { readXeroConnectionConfig } from '../../../../lambdas/core/connection/config';
import { createConsentRoutes, type RouteResponse } from '../../../../lambdas/core/connection/consent-routes';
import { TokenSigner, deriveSigningKey } from '../../../../lambdas/core/connection/signed-token';
import { TokenService } from '../../../../lambdas/core/connection/token-service';
import { XeroIdentityClient } from '../../../../lambdas/adapters/xero/identity-client';
import {
  SqliteConnectionStore,
  SqlitePendingConsentStore,
  SqliteUsedNonceStore,
  openConnectionDatabase,
} from '../../../../lambdas/adapters/local/sqlite-connection-store';
import { startFakeXeroIdentity, type FakeXeroTenant } from '../../../../sandbox/xero-identity/identity-server';
import { CapturingLogger, ManualClock } from '../../core/connection/test-helpers';

export const ADMIN_TOKEN = 'admin-token-for-tests-7f3a9c';
export const CLIENT_ID = 'client-id-demo';
export const CLIENT_SECRET = 'client-secret-never-logged-5d2e';
export const REDIRECT_URI = 'http://127.0.0.1:3000/oauth/xero/callback';

export const TWO_TENANTS: FakeXeroTenant[] = [
  { tenantId: 'tenant-a', tenantName: 'Alpha & Sons <Ltd>' },
  { tenantId: 'tenant-b', tenantName: 'Beta Trading' },
];

export interface HarnessOptions {
  readonly tenants?: FakeXeroTenant[];
  readonly env?: Record<string, string>;
  /** Identity call timeout; short only in tests that make the fake hang. */
  readonly timeoutMs?: number;
}

export async function startHarness(options: HarnessOptions = {}) {
  const fake = await startFakeXeroIdentity({
    clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }],
    tenants: options.tenants ?? [{ tenantId: 'tenant-a', tenantName: 'Alpha & Sons <Ltd>' }],
  });
  // Warm up fetch so the first real call is not slowed by lazy loading.
  await fetch(`${fake.url}/warm-up`).then((r) => r.text());
  const clock = new ManualClock(new Date());
  const logger = new CapturingLogger();
  const config = readXeroConnectionConfig({
    XERO_CLIENT_ID: CLIENT_ID,
    XERO_REDIRECT_URI: REDIRECT_URI,
    XERO_LOGIN_URL: fake.url,
    XERO_IDENTITY_URL: fake.url,
    XERO_API_URL: fake.url,
    ...options.env,
  });
  const identity = new XeroIdentityClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    identityUrl: config.identityUrl,
    apiUrl: config.apiUrl,
    timeoutMs: options.timeoutMs ?? 5000,
    now: () => clock.now(),
  });
  const db = openConnectionDatabase(':memory:');
  const store = new SqliteConnectionStore(db);
  const tokenService = new TokenService({ store, identity, clock, logger, sleep: async () => undefined });
  const signer = new TokenSigner(deriveSigningKey(ADMIN_TOKEN), new SqliteUsedNonceStore(db, () => clock.now()));
  const routes = createConsentRoutes({
    config,
    signer,
    identity,
    pending: new SqlitePendingConsentStore(db),
    connections: tokenService,
    clock,
    logger,
    adminToken: ADMIN_TOKEN,
  });

  /** Play the browser: follow Xero's authorize redirect and return the callback query it lands on. */
  async function authorize(location: string): Promise<Record<string, string>> {
    const response = await fetch(location, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    return Object.fromEntries(back.searchParams.entries());
  }

  /** Starts consent as the admin; returns the authorize URL and the browser's consent cookie header. */
  async function start(): Promise<{ location: string; cookie: string }> {
    const res = await routes.connect({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, query: {} });
    expect(res.status).toBe(302);
    return { location: res.headers.location ?? '', cookie: cookiePair(res) };
  }

  /** Operator connects with the admin token and Xero approves, all in one browser; returns the callback page. */
  async function consent(): Promise<RouteResponse> {
    const { location, cookie } = await start();
    return routes.callback({ headers: { cookie }, query: await authorize(location) });
  }

  function advance(ms: number): void {
    clock.advance(ms);
    fake.knobs.advanceClock(ms);
  }

  return {
    fake,
    clock,
    logger,
    config,
    identity,
    db,
    store,
    tokenService,
    signer,
    routes,
    authorize,
    start,
    consent,
    advance,
    close: async () => {
      db.close();
      await fake.close();
    },
  };
}

/** `name=value` of a route response's Set-Cookie (what the browser sends back). */
export function cookiePair(response: RouteResponse): string {
  return (response.headers['set-cookie'] ?? '').split(';')[0] ?? '';
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
