/**
 * `npm start` reads `$DATA_DIR/.env` (what `connector setup --local` writes) before its configuration, and the real
 * environment wins over the file. Shown through start-up's own refusal of a partial configuration, which needs no
 * network: with the file ignored the connector would start the sandbox instead.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeDotenvFile } from '../../../src/local/dotenv-file';
import { tempDir } from '../../helpers/temp-dir';

const REPO_ROOT = join(__dirname, '..', '..', '..');

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'local', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  // A connector that started (the sandbox) would run on: stop it so the test fails instead of hanging.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    })
  );
}

describe('npm start and $DATA_DIR/.env', () => {
  const folder = tempDir('main-dotenv');
  const dataDir = join(folder.dir, 'data');
  beforeAll(() => {
    mkdirSync(dataDir, { mode: 0o700 });
    chmodSync(dataDir, 0o700);
    writeDotenvFile(join(dataDir, '.env'), 'XERO_CLIENT_ID=from-the-file\n');
  });
  afterAll(() => folder.remove());

  it('should read the file: a partial configuration in it stops start-up naming what is missing', async () => {
    const run = await start({ DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/incomplete configuration: set .*XERO_CLIENT_SECRET/);
    expect(run.stderr).toMatch(/unset XERO_CLIENT_ID/);
  }, 30_000);

  it('should add the values of the file to what the environment leaves empty', async () => {
    const run = await start({ DATA_DIR: dataDir, XERO_CLIENT_ID: '', XERO_CLIENT_SECRET: 'from-the-environment' });
    expect(run.code).toBe(2);
    // XERO_CLIENT_ID was empty in the environment, so the file's value filled it; the secret came from the environment.
    expect(run.stderr).toMatch(/unset XERO_CLIENT_ID, XERO_CLIENT_SECRET/);
  }, 30_000);
});
