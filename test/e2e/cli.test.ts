/**
 * The operator CLI against a running connector (sandbox mode, in process): status, preview, retry and redrive,
 * with the documented exit codes (0 ok, 1 connector failure, 2 usage, 3 unreachable).
 */
import type { LocalConnector } from '../../src/local/local-connector';
import { startLocalConnector } from '../../src/local/local-connector';
import { findFreePort } from '../../src/local/sandbox-mode';
import { runCli } from '../../src/cli/main';
import { DEMO_IDS } from '../../sandbox/demo-data';
import {
  ADMIN_TOKEN,
  closeQuietly,
  collectingLogger,
  getStatus,
  tempDataDir,
  waitFor,
  waitForDrain,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const data = tempDataDir('cli');
let connector: LocalConnector;
let url: string;

beforeAll(async () => {
  connector = await startLocalConnector(
    { PORT: '0', DATA_DIR: data.dir, CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN },
    { logger: collectingLogger().logger, idleMs: 20 }
  );
  url = connector.app.url;
  await waitForDrain(url);
});

afterAll(async () => {
  await closeQuietly(connector);
  data.remove();
});

async function cli(args: string[], token = ADMIN_TOKEN) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args, '--url', url, '--token', token], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
  });
  return { code, stdout, stderr };
}

it('should print the connection, organisation and counts for `status`', async () => {
  const status = await getStatus(url);
  const { code, stdout } = await cli(['status']);
  expect(code).toBe(0);
  expect(stdout).toContain(`Xero: Connected to ${status.connection.tenantName}`);
  expect(stdout).toMatch(
    /Refresh token: renewed (just now|\d+ min ago), expires \d{1,2} [A-Z][a-z]{2} \d{4} if unused/
  );
  expect(stdout).toContain(`Outcomes: ${status.counts.synced} synced, ${status.counts.failed} failed`);
  const json = await cli(['status', '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ runtime: 'sandbox', counts: status.counts });
});

it('should print the Xero invoice JSON for `preview salesorder <id>` without writing anything', async () => {
  const before = connector.sandbox?.accounting.knobs.requests().filter((r) => r.method !== 'GET').length;
  const { code, stdout } = await cli(['preview', 'salesorder', DEMO_IDS.orders.harbourview]);
  expect(code).toBe(0);
  const preview = JSON.parse(stdout) as { writes: { kind: string; invoice?: Record<string, unknown> }[] };
  const invoice = preview.writes.find((w) => w.kind === 'upsert-invoice')?.invoice;
  expect(invoice).toMatchObject({ Type: 'ACCREC', Reference: 'ORD-01001-HVP' });
  expect(connector.sandbox?.accounting.knobs.requests().filter((r) => r.method !== 'GET').length).toBe(before);
});

it('should exit 1 naming the record when `preview` asks for one Dataverse does not have', async () => {
  const missing = '0f0e0d0c-0b0a-4909-8807-060504030201';
  const { code, stderr } = await cli(['preview', 'salesorder', missing]);
  expect(code).toBe(1);
  expect(stderr).toContain(`salesorder ${missing} not found in Dataverse`);
});

it('should queue a record for `retry` (exit 0) and refuse bad input (exit 2 usage, exit 1 from the server)', async () => {
  const outcomesOf = () => connector.app.outcomes.recent(200).filter((o) => o.id === DEMO_IDS.accounts.northwind);
  const before = outcomesOf().length;
  const ok = await cli(['retry', 'account', DEMO_IDS.accounts.northwind]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain(DEMO_IDS.accounts.northwind);
  await waitFor('a new outcome for the retried account', () => outcomesOf().length > before);
  expect((await cli(['retry', 'invoice', DEMO_IDS.accounts.northwind])).code).toBe(2);
  const badId = await cli(['retry', 'account', 'not-a-guid']);
  expect(badId.code).toBe(1);
  expect(badId.stderr).toContain('400');
});

it('should move dead letters back for `redrive` (exit 0) and reject an unknown queue (exit 2)', async () => {
  const ok = await cli(['redrive']);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/Moved \d+ dead letters? back/);
  expect((await cli(['redrive', '--queue', 'elsewhere'])).code).toBe(2);
  expect((await cli(['redrive', '--table', 'invoice'])).code).toBe(2);
});

it('should exit 1 with a wrong token and 3 when the connector cannot be reached', async () => {
  const wrong = await cli(['status'], 'not-the-admin-token-sorry');
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain('401');
  const port = await findFreePort();
  let stderr = '';
  const code = await runCli(['status', '--url', `http://127.0.0.1:${port}`, '--token', ADMIN_TOKEN], {
    stdout: () => undefined,
    stderr: (text) => (stderr += text),
    env: {},
  });
  expect(code).toBe(3);
  expect(stderr).not.toContain(ADMIN_TOKEN);
});
