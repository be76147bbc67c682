/**
 * Several Xero organisations in sandbox mode (issue #16): one consent connects both sandbox organisations, the
 * status lists each with its own state, an organisation removed in Xero pauses on its own while the default one
 * keeps syncing, and a consent that includes it again resumes it.
 *
 * The connector runs on a clock this test moves forward, so the token service's refresh (which rereads Xero's
 * /connections) comes when the test wants it.
 */
import { SqliteChangeQueue } from '../../lambdas/adapters/local/sqlite-change-queue';
import { startConnectorApp, type ConnectorApp } from '../../src/local/connector-app';
import { loadRuntimeConfig } from '../../src/local/runtime-config';
import {
  SANDBOX_EUROPE_TENANT_ID,
  SANDBOX_TENANTS,
  completeSandboxConsent,
  enqueueDemoRecords,
  findFreePort,
  startSandboxSystems,
  type SandboxSystems,
} from '../../src/local/sandbox-mode';
import { SANDBOX_XERO_TENANT_ID } from '../../sandbox/xero-accounting/server';
import { ADMIN_TOKEN, closeQuietly, collectingLogger, getStatus, tempDataDir, waitFor } from '../helpers/e2e-harness';

jest.setTimeout(60_000);

interface Organisation {
  tenantId: string;
  tenantName?: string;
  state: string;
  reason?: string;
}

const data = tempDataDir('several-organisations');
let sandbox: SandboxSystems;
let app: ConnectorApp;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

const organisations = async (): Promise<Organisation[]> =>
  ((await getStatus(app.url)).connection as { organisations?: Organisation[] }).organisations ?? [];

beforeAll(async () => {
  const port = await findFreePort();
  sandbox = await startSandboxSystems({ port, organisations: 2 });
  const config = loadRuntimeConfig({ PORT: String(port), DATA_DIR: data.dir, CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN });
  app = await startConnectorApp({
    config: { ...config, port, xero: sandbox.xero, dataverse: sandbox.dataverse, adminToken: ADMIN_TOKEN },
    logger: collectingLogger().logger,
    clock,
    refreshCheckMs: 50,
    idleMs: 20,
    invoicePollEveryMs: 0,
  });
  expect(await completeSandboxConsent(app.url, ADMIN_TOKEN)).toBe(200);
});

afterAll(async () => {
  await closeQuietly(app, sandbox);
  data.remove();
});

describe('several Xero organisations (sandbox)', () => {
  it('should connect both sandbox organisations with one consent and list each on /status', async () => {
    const status = await getStatus(app.url);
    expect(status.connection).toMatchObject({ state: 'connected', tenantId: SANDBOX_XERO_TENANT_ID });
    expect(await organisations()).toEqual(
      SANDBOX_TENANTS.slice(0, 2).map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, state: 'connected' }))
    );
  });

  it('should pause only an organisation removed in Xero while the default one keeps syncing', async () => {
    sandbox.identity.knobs.removeTenant(SANDBOX_EUROPE_TENANT_ID);
    offsetMs = 20 * 60_000; // the access token is now due: the refresh rereads /connections
    await waitFor('the removed organisation to pause', async () =>
      (await organisations()).some((o) => o.state === 'reconnect_required')
    );
    const [first, second] = await organisations();
    expect(first).toMatchObject({ tenantId: SANDBOX_XERO_TENANT_ID, state: 'connected' });
    expect(second).toMatchObject({
      tenantId: SANDBOX_EUROPE_TENANT_ID,
      state: 'reconnect_required',
      reason: 'tenant_removed',
    });
    expect((await getStatus(app.url)).connection.state).toBe('connected');

    await enqueueDemoRecords(new SqliteChangeQueue(app.queue), clock.now());
    await waitFor('the demo invoices in the default organisation', () => {
      return sandbox.accounting.state.snapshot(SANDBOX_XERO_TENANT_ID).invoices.length === 3;
    });
  });

  it('should resume the organisation with a consent that includes it again', async () => {
    expect(await completeSandboxConsent(app.url, ADMIN_TOKEN)).toBe(200);
    expect((await organisations()).map((o) => o.state)).toEqual(['connected', 'connected']);
  });
});

describe('several Xero organisations chosen on the consent page (no pins)', () => {
  const unpinnedData = tempDataDir('several-organisations-choose');
  let systems: SandboxSystems;
  let unpinned: ConnectorApp;

  beforeAll(async () => {
    const port = await findFreePort();
    systems = await startSandboxSystems({ port, organisations: 2, seed: false });
    const config = loadRuntimeConfig({
      PORT: String(port),
      DATA_DIR: unpinnedData.dir,
      CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    const { pinnedTenantId: _one, pinnedTenantIds: _all, ...xero } = systems.xero;
    unpinned = await startConnectorApp({
      config: { ...config, port, xero, dataverse: systems.dataverse, adminToken: ADMIN_TOKEN },
      logger: collectingLogger().logger,
      idleMs: 20,
      invoicePollEveryMs: 0,
    });
  });

  afterAll(async () => {
    await closeQuietly(unpinned, systems);
    unpinnedData.remove();
  });

  it('should connect both organisations the operator ticks, over HTTP in one browser', async () => {
    // The browser: admin connect → Xero's automatic approval → the callback, carrying the consent cookie.
    let response = await fetch(`${unpinned.url}/oauth/xero/connect`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      redirect: 'manual',
    });
    let cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    while (response.status === 302) {
      const location = response.headers.get('location') ?? '';
      await response.arrayBuffer();
      response = await fetch(new URL(location, unpinned.url), { headers: { cookie }, redirect: 'manual' });
      cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? cookie;
    }
    const page = await response.text();
    expect(page).toContain('Choose Xero organisations');
    const token = /name="token" value="([^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const ticks = [...page.matchAll(/type="checkbox" name="tenantId" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(ticks).toEqual(SANDBOX_TENANTS.slice(0, 2).map((t) => t.tenantId));

    const body = new URLSearchParams([['token', token], ...ticks.map((id): [string, string] => ['tenantId', id])]);
    const chosen = await fetch(`${unpinned.url}/oauth/xero/choose`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(chosen.status).toBe(200);
    const connection = (await getStatus(unpinned.url)).connection as { organisations?: Organisation[] };
    expect(connection.organisations?.map((o) => [o.tenantId, o.state])).toEqual(
      SANDBOX_TENANTS.slice(0, 2).map((t) => [t.tenantId, 'connected'])
    );
  });
});
