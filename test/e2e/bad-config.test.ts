/**
 * `npm start` with a configuration that cannot work: it must stop at once with exit code 2 and say exactly what is
 * wrong, never fall back to the sandbox silently and never echo a secret it was given.
 */
import { spawnConnector, stopChild, waitForHealthy, type ConnectorChild } from '../helpers/e2e-child';
import { findFreePort } from '../../src/local/sandbox-mode';
import { tempDataDir } from '../helpers/e2e-harness';
import { MISSING_WITH_ONLY_CLIENT_ID } from '../helpers/real-mode-config';

jest.setTimeout(60_000);

const data = tempDataDir('bad-config');
const children: ConnectorChild[] = [];

afterAll(async () => {
  for (const child of children) await stopChild(child);
  data.remove();
});

async function run(env: Record<string, string>): Promise<{ code: number | string; output: string }> {
  const child = spawnConnector({ DATA_DIR: data.dir, ...env });
  children.push(child);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 30_000);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, output: child.output() };
}

it('should exit 2 listing every missing variable when only XERO_CLIENT_ID is set', async () => {
  const { code, output } = await run({ XERO_CLIENT_ID: 'some-client-id', PORT: '0' });
  expect(code).toBe(2);
  for (const name of MISSING_WITH_ONLY_CLIENT_ID) {
    expect(output).toContain(name);
  }
  expect(output).not.toContain('SANDBOX MODE');
});

it('should exit 2 without echoing a secret that was given', async () => {
  const secret = 'very-secret-client-value-0123456789';
  const { code, output } = await run({ XERO_CLIENT_ID: 'id', XERO_CLIENT_SECRET: secret, PORT: '0' });
  expect(code).toBe(2);
  expect(output).toContain('DATAVERSE_URL');
  expect(output).not.toContain(secret);
});

it.each(['not-a-port', '70000'])('should exit 2 for PORT=%s', async (port) => {
  const { code, output } = await run({ PORT: port });
  expect(code).toBe(2);
  expect(output).toContain('PORT');
});

it('should exit 2 for a real-mode admin token that is too short', async () => {
  const { code, output } = await run({
    PORT: '0',
    CONNECTOR_ADMIN_TOKEN: 'short',
    XERO_CLIENT_ID: 'id',
    XERO_CLIENT_SECRET: 'secret-value-for-test',
    XERO_REDIRECT_URI: 'http://127.0.0.1:1/oauth/xero/callback',
    DATAVERSE_URL: 'http://127.0.0.1:1',
    DATAVERSE_ACCESS_TOKEN: 'dataverse-token-for-test',
    DATAVERSE_WEBHOOK_KEY: 'webhook-key-for-test',
  });
  expect(code).toBe(2);
  expect(output).toContain('CONNECTOR_ADMIN_TOKEN');
});

it('should exit 2 on a DATA_DIR other users can read, saying how to fix it, and start once it is 0700', async () => {
  if (process.platform === 'win32') return;
  const { chmodSync, mkdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const open = join(data.dir, 'world-readable');
  mkdirSync(open);
  chmodSync(open, 0o755);
  const refused = await run({ PORT: '0', DATA_DIR: open });
  expect(refused.code).toBe(2);
  expect(refused.output).toContain(`chmod 700 '${open}'`);
  expect(refused.output).not.toContain('SANDBOX MODE');

  // A fresh DATA_DIR is created owner-only.
  const fresh = join(data.dir, 'fresh');
  const port = await findFreePort();
  const child = spawnConnector({ DATA_DIR: fresh, PORT: String(port) });
  children.push(child);
  await waitForHealthy(child, `http://127.0.0.1:${port}`);
  expect(statSync(fresh).mode & 0o777).toBe(0o700);
  expect(statSync(join(fresh, 'sandbox', 'connector.db')).mode & 0o777).toBe(0o600);
});
