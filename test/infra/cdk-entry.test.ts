import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SKIP_BUNDLING } from './synth-helpers';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Runs bin/connector.ts the way `cdk synth -c stage=NAME` does: context arrives in CDK_CONTEXT_JSON and the assembly
 * goes to CDK_OUTDIR. No AWS credentials or region are set, proving synth is offline-safe. Bundling is skipped.
 */
async function synthEntry(context: Record<string, unknown>): Promise<{ code: number; stderr: string; outdir: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-entry-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CDK_OUTDIR: outdir };
  env.CDK_CONTEXT_JSON = JSON.stringify({ ...SKIP_BUNDLING, ...context });
  try {
    const { stderr } = await run(TSX, ['bin/connector.ts'], { cwd: ROOT, env, timeout: 120_000 });
    return { code: 0, stderr, outdir };
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? -1, stderr: failure.stderr ?? '', outdir };
  }
}

describe('bin/connector.ts', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('should synthesize the dev stage offline with cdk-nag passing', async () => {
    // Act
    const result = await synthEntry({ stage: 'dev' });
    outdirs.push(result.outdir);

    // Assess
    expect(result.stderr).not.toMatch(/AwsSolutions-/);
    expect(result.code).toBe(0);
    const template = JSON.parse(readFileSync(join(result.outdir, 'D365Xero-dev.template.json'), 'utf8')) as {
      Resources: Record<string, unknown>;
    };
    expect(Object.keys(template.Resources).length).toBeGreaterThan(50);
    expect(existsSync(join(result.outdir, 'D365Xero-prod.template.json'))).toBe(false);
  }, 120_000);

  it('should exit with a message naming the choices when the stage is unknown', async () => {
    // Act
    const result = await synthEntry({ stage: 'qa' });
    outdirs.push(result.outdir);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stage must be one of dev, prod (got "qa")');
  }, 60_000);
});
