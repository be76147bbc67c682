/**
 * Bundle each Lambda handler exactly as ConnectorFunction does (the shared esbuild options: minified, names kept,
 * node22, AWS SDK external, the bundle aliases) and print its size against the 1 MB target plus a cold-init figure:
 * the time a fresh `node` process takes to `require` the bundle over several runs: the median and the best wall
 * clock, and the median CPU time. On a shared machine the median wall clock mostly measures the other processes (the
 * load average is printed beside it); the best run and the CPU time are the figures that hold up. `--breakdown` adds each bundle's largest packages (from esbuild's metafile).
 * A figure, not a test: run with `npx tsx bench/bundle-size.ts [--breakdown]`.
 */
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { CONNECTOR_ESBUILD_OPTIONS } from '../lib/constructs/connector-function';

const ROOT = path.resolve(__dirname, '..');
const TARGET_BYTES = 1024 * 1024;
const INIT_RUNS = 7;
const BREAKDOWN_TOP = 8;
/** Every handler file, as test/infra/connector-function-bundling.test.ts holds each to the budget. */
const HANDLERS = readdirSync(path.join(ROOT, 'lambdas', 'handlers'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.replace(/\.ts$/, ''));

// The child measures only the require (module evaluation), not node's own start-up. A handler that validates its
// environment at load may throw here (no AWS env); the time until then is still reported, flagged.
const MEASURE_REQUIRE =
  'const t=process.hrtime.bigint(),c=process.cpuUsage();let threw=false;try{require(process.argv[1])}catch{threw=true}' +
  'const u=process.cpuUsage(c);' +
  'process.stdout.write(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,cpuMs:(u.user+u.system)/1e3,threw}))';

/**
 * ConnectorFunction sets NODE_OPTIONS=--enable-source-maps, and Node then reads and parses the bundle's source map
 * while loading it: part of the cold start, so part of the measurement.
 */
const NODE_FLAGS = CONNECTOR_ESBUILD_OPTIONS.sourcemap ? ['--enable-source-maps'] : [];

interface InitTime {
  readonly ms: number;
  readonly cpuMs: number;
  readonly threw: boolean;
}

interface InitSummary extends InitTime {
  /** The fastest run: on a busy machine, the closest to what a quiet one would show. */
  readonly bestMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function coldInit(bundle: string): InitSummary {
  const runs: InitTime[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    // Externals (@aws-sdk/*) resolve from the repository's node_modules, as the Lambda runtime provides them.
    const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
    const out = execFileSync(process.execPath, [...NODE_FLAGS, '-e', MEASURE_REQUIRE, bundle], {
      env,
      timeout: 30_000,
    });
    runs.push(JSON.parse(out.toString()) as InitTime);
  }
  return {
    ms: median(runs.map((run) => run.ms)),
    bestMs: Math.min(...runs.map((run) => run.ms)),
    cpuMs: median(runs.map((run) => run.cpuMs)),
    threw: runs.some((run) => run.threw),
  };
}

/** KB per package (or per top-level source folder) in one output, largest first. */
function packageBreakdown(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      totals.set(pkg, (totals.get(pkg) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([pkg, bytes]) => [pkg, bytes / 1024]);
}

async function main(): Promise<void> {
  const breakdown = process.argv.includes('--breakdown');
  // Outside the repository, so bundles never meet the linter or git.
  const outDir = mkdtempSync(path.join(tmpdir(), 'connector-bundles-'));
  const rows: {
    handler: string;
    kb: string;
    initMs: string;
    initBestMs: string;
    initCpuMs: string;
    verdict: string;
  }[] = [];
  const breakdowns: string[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  for (const handler of HANDLERS) {
    const outfile = path.join(outDir, handler, 'index.js');
    const result = await build({
      ...CONNECTOR_ESBUILD_OPTIONS,
      external: [...CONNECTOR_ESBUILD_OPTIONS.external],
      entryPoints: [path.join(ROOT, 'lambdas', 'handlers', `${handler}.ts`)],
      outfile,
      metafile: breakdown,
      logLevel: 'error',
    });
    const bytes = statSync(outfile).size;
    const init = coldInit(outfile);
    rows.push({
      handler,
      kb: (bytes / 1024).toFixed(1),
      initMs: `${init.ms.toFixed(1)}${init.threw ? ' (threw at load)' : ''}`,
      initBestMs: init.bestMs.toFixed(1),
      initCpuMs: init.cpuMs.toFixed(1),
      verdict: bytes <= TARGET_BYTES ? 'ok' : 'OVER 1 MB',
    });
    if (result.metafile) {
      const top = packageBreakdown(result.metafile).slice(0, BREAKDOWN_TOP);
      breakdowns.push(`${handler}: ${top.map(([pkg, kb]) => `${pkg} ${kb.toFixed(1)}`).join(', ')}`);
    }
  }
  const load = `load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores`;
  console.log(
    `Lambda bundles (minified, names kept, ${CONNECTOR_ESBUILD_OPTIONS.target}, @aws-sdk/* external; target ≤ 1024 KB)`
  );
  console.table(rows);
  if (breakdowns.length > 0) console.log(`Largest packages per bundle (KB):\n${breakdowns.join('\n')}`);
  rmSync(outDir, { recursive: true, force: true });
  console.log(
    `cold init = require() time of the bundle in a fresh node ${NODE_FLAGS.join(' ')} process over ${INIT_RUNS} ` +
      `runs: median and best wall clock, median CPU time (${process.version}; ${load})`
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
