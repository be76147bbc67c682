/**
 * `connector setup --local`: the same checks, then `$DATA_DIR/.env` (0600) that `npm start` reads — generated admin
 * token and webhook key, redirect URI, the connector's own Dataverse user — complete enough for real mode.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../../src/cli/main';
import { readDotenvFile } from '../../../../src/local/dotenv-file';
import { loadRuntimeConfig } from '../../../../src/local/runtime-config';
import { startFakeHttpServer, type FakeHttpServer } from '../../../helpers/fake-http-server';
import { withoutProxy } from '../../../helpers/no-proxy';
import { tempDir } from '../../../helpers/temp-dir';
import { startFakeOrg, type FakeOrg } from '../../dataverse-admin/fake-dataverse-org';

withoutProxy();

let org: FakeOrg;
let xero: FakeHttpServer;
let folder: { dir: string; remove(): void };

beforeEach(async () => {
  org = await startFakeOrg();
  xero = await startFakeHttpServer((r) =>
    r.headers.authorization === `Basic ${Buffer.from('app:good-secret').toString('base64')}`
      ? { status: 400, body: { error: 'invalid_grant' } }
      : { status: 401, body: { error: 'invalid_client' } }
  );
  folder = tempDir('setup-local');
});
afterEach(async () => {
  await org.close();
  await xero.close();
  folder.remove();
});

async function setupLocal(extra: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const env = {
    DATA_DIR: join(folder.dir, 'data'),
    XERO_IDENTITY_URL: xero.url,
    XERO_CLIENT_ID: 'app',
    XERO_CLIENT_SECRET: 'good-secret',
    XERO_WEBHOOK_KEY: 'xero-key',
    DATAVERSE_URL: org.url,
    DATAVERSE_ACCESS_TOKEN: 'dv-token',
    ...extra,
  };
  const code = await runCli(['setup', '--local'], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    cwd: folder.dir,
  });
  return { code, stdout, stderr, env };
}

describe('connector setup --local', () => {
  it('should write $DATA_DIR/.env owner-only, with everything npm start needs for real mode', async () => {
    const run = await setupLocal();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const path = join(folder.dir, 'data', '.env');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const written = readDotenvFile(path);
    expect(written).toMatchObject({
      XERO_CLIENT_ID: 'app',
      XERO_CLIENT_SECRET: 'good-secret',
      XERO_REDIRECT_URI: 'http://127.0.0.1:3000/oauth/xero/callback',
      DATAVERSE_CONNECTOR_USER_ID: org.userId,
    });
    expect(written.CONNECTOR_ADMIN_TOKEN!.length).toBeGreaterThanOrEqual(32);
    expect(written.DATAVERSE_WEBHOOK_KEY!.length).toBeGreaterThanOrEqual(32);
    expect(loadRuntimeConfig({ ...written, DATA_DIR: run.env.DATA_DIR }).mode).toBe('real');
    expect(run.stdout).toMatch(/5\/8 Register the Dataverse webhook: skipped\n.*set PUBLIC_URL/);
    expect(run.stdout).toMatch(/8\/8 Connect Xero: skipped\n.*npx connector connect-link/);
    expect(run.stdout).not.toContain('good-secret');
    expect(run.stdout).not.toContain(written.CONNECTOR_ADMIN_TOKEN);
  });

  it('should keep the generated values and change nothing on a second run', async () => {
    await setupLocal();
    const path = join(folder.dir, 'data', '.env');
    const first = readDotenvFile(path);
    const mtime = statSync(path).mtimeMs;
    const again = await setupLocal();
    expect(again.stdout).toMatch(/Nothing changed/);
    expect(readDotenvFile(path)).toEqual(first);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('should register the webhook against PUBLIC_URL when it is https, and keep PUBLIC_URL in the .env', async () => {
    const run = await setupLocal({ PUBLIC_URL: 'https://connector.example.com' });
    expect(run.stdout).toMatch(/5\/8 Register the Dataverse webhook: done/);
    const written = readDotenvFile(join(folder.dir, 'data', '.env'));
    expect(written.PUBLIC_URL).toBe('https://connector.example.com');
    expect(written.XERO_REDIRECT_URI).toBe('https://connector.example.com/oauth/xero/callback');
  });

  it('should exit 2 on a wrong Xero secret and write no .env', async () => {
    const run = await setupLocal({ XERO_CLIENT_SECRET: 'bad' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid_client/);
    expect(() => statSync(join(folder.dir, 'data', '.env'))).toThrow();
  });

  it('should refuse to run without --stage or --local', async () => {
    let stderr = '';
    const code = await runCli(['setup'], { stdout: () => undefined, stderr: (t) => (stderr += t), env: {} });
    expect(code).toBe(2);
    expect(stderr).toMatch(/either --stage <name> or --local/);
  });
});
