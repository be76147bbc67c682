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
  SANDBOX_SECOND_XERO_TENANT_ID,
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
      SANDBOX_TENANTS.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, state: 'connected' }))
    );
  });

  it('should pause only an organisation removed in Xero while the default one keeps syncing', async () => {
    sandbox.identity.knobs.removeTenant(SANDBOX_SECOND_XERO_TENANT_ID);
    offsetMs = 20 * 60_000; // the access token is now due: the refresh rereads /connections
    await waitFor('the removed organisation to pause', async () =>
      (await organisations()).some((o) => o.state === 'reconnect_required')
    );
    const [first, second] = await organisations();
    expect(first).toMatchObject({ tenantId: SANDBOX_XERO_TENANT_ID, state: 'connected' });
    expect(second).toMatchObject({
      tenantId: SANDBOX_SECOND_XERO_TENANT_ID,
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
