/**
 * Bundle each Lambda handler exactly as ConnectorFunction does (esbuild, minified, node22, AWS SDK external) and
 * print its size against the 1 MB target plus a cold-init figure: the time a fresh `node` process takes to
 * `require` the bundle (median of several runs). A figure, not a test: run with `npx tsx bench/bundle-size.ts`.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CONNECTOR_ESBUILD_OPTIONS } from '../lib/constructs/connector-function';

const ROOT = path.resolve(__dirname, '..');
const TARGET_BYTES = 1024 * 1024;
const INIT_RUNS = 5;
const HANDLERS = [
  'dataverse-webhook',
  'xero-webhook',
  'oauth',
  'map-changes',
  'post-xero-writes',
  'token-service',
  'xero-writeback',
  'reconcile',
  'operations',
];

// The child measures only the require (module evaluation), not node's own start-up. A handler that validates its
// environment at load may throw here (no AWS env); the time until then is still reported, flagged.
const MEASURE_REQUIRE =
  'const t=process.hrtime.bigint();let threw=false;try{require(process.argv[1])}catch{threw=true}' +
  'process.stdout.write(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,threw}))';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function coldInit(bundle: string): { ms: number; threw: boolean } {
  const runs: number[] = [];
  let threw = false;
  for (let i = 0; i < INIT_RUNS; i++) {
    // Externals (@aws-sdk/*) resolve from the repository's node_modules, as the Lambda runtime provides them.
    const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
    const out = execFileSync(process.execPath, ['-e', MEASURE_REQUIRE, bundle], { env, timeout: 30_000 });
    const run = JSON.parse(out.toString()) as { ms: number; threw: boolean };
    runs.push(run.ms);
    threw ||= run.threw;
  }
  return { ms: median(runs), threw };
}

async function main(): Promise<void> {
  // Outside the repository, so bundles never meet the linter or git.
  const outDir = mkdtempSync(path.join(tmpdir(), 'connector-bundles-'));
  const rows: { handler: string; kb: string; initMs: string; verdict: string }[] = [];
  for (const handler of HANDLERS) {
    const outfile = path.join(outDir, handler, 'index.js');
    await build({
      ...CONNECTOR_ESBUILD_OPTIONS,
      external: [...CONNECTOR_ESBUILD_OPTIONS.external],
      entryPoints: [path.join(ROOT, 'lambdas', 'handlers', `${handler}.ts`)],
      outfile,
      logLevel: 'error',
    });
    const bytes = statSync(outfile).size;
    const init = coldInit(outfile);
    rows.push({
      handler,
      kb: (bytes / 1024).toFixed(1),
      initMs: `${init.ms.toFixed(1)}${init.threw ? ' (threw at load)' : ''}`,
      verdict: bytes <= TARGET_BYTES ? 'ok' : 'OVER 1 MB',
    });
  }
  console.log(`Lambda bundles (minified, ${CONNECTOR_ESBUILD_OPTIONS.target}, @aws-sdk/* external; target ≤ 1024 KB)`);
  console.table(rows);
  rmSync(outDir, { recursive: true, force: true });
  console.log(`cold init = median require() time in a fresh node process over ${INIT_RUNS} runs (${process.version})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
