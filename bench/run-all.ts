/**
 * Runs every benchmark in turn and prints a short report: throughput into the sandbox Xero at Xero's real limits,
 * webhook ingest latency under load (with the workers running, then the ingest path alone), and the Lambda bundle
 * sizes with cold-init times. Figures, not tests. `npm run bench` (= `tsx bench/run-all.ts`); pick some with
 * `--only=throughput,steady,ingest,bundles,resync,aws` (resync and aws only run when named). About 8 minutes on 2 cores; the
 * 1,820-record throughput runs are bounded to 3 minutes, the 7,220-record steady-state run to 6.
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatAwsThroughputReport, runAwsThroughputBench } from './aws-throughput';
import { formatIngestReport, runIngestBench } from './ingest';
import { formatThroughputReport, runThroughputBench, scaled } from './throughput';

const BENCHES = ['throughput', 'steady', 'ingest', 'bundles', 'resync', 'aws'] as const;
type Bench = (typeof BENCHES)[number];
/**
 * resync takes two throughput passes (≈ 5 min) and aws runs 3,000 accounts through the synthesized stack on moto
 * (≈ 10 min on 2 cores), so they run only when asked for with --only.
 */
const DEFAULT_BENCHES: readonly Bench[] = ['throughput', 'steady', 'ingest', 'bundles'];

function selected(argv: readonly string[]): Bench[] {
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (!only) return [...DEFAULT_BENCHES];
  const wanted = only.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`);
  return BENCHES.filter((name) => wanted.includes(name));
}

/** bench/bundle-size.ts runs as its own process (it builds with esbuild and times fresh `node` processes). */
function runBundleSize(): Promise<string> {
  const tsx = require.resolve('tsx/cli');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsx, path.join(__dirname, 'bundle-size.ts')],
      { timeout: 180_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`bundle-size failed: ${stderr || error.message}`)) : resolve(stdout.trimEnd())
    );
  });
}

function loadAverage(): string {
  const [one = 0, five = 0] = os.loadavg();
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)`;
}

async function main(): Promise<void> {
  const benches = selected(process.argv.slice(2));
  const cpus = os.cpus();
  console.log(
    `Benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}; ${loadAverage()}`
  );
  const failures: string[] = [];
  const section = async (name: Bench, run: () => Promise<string>) => {
    if (!benches.includes(name)) return;
    const started = Date.now();
    try {
      console.log(`\n${await run()}`);
    } catch (error) {
      failures.push(name);
      console.log(`\n${name}: FAILED — ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log(`  (${name} took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  };
  await section('throughput', async () => {
    const live = await runThroughputBench({ scenario: 'live' });
    const backlog = await runThroughputBench({ scenario: 'backlog', probes: 0 });
    return `${formatThroughputReport(live)}\n${formatThroughputReport(backlog)}`;
  });
  // 7,220 records: long enough for a whole rolling minute of steady state after the first minute's burst.
  await section('steady', async () =>
    formatThroughputReport(await runThroughputBench({ scenario: 'live', probes: 0, ...scaled(4) }))
  );
  await section('ingest', async () => {
    const loaded = await runIngestBench();
    const alone = await runIngestBench({ stallMapStage: true });
    return `${formatIngestReport(loaded)}\n${formatIngestReport(alone)}`;
  });
  await section('bundles', runBundleSize);
  await section('resync', async () =>
    formatThroughputReport(await runThroughputBench({ scenario: 'resync', probes: 0 }))
  );
  await section('aws', async () => formatAwsThroughputReport(await runAwsThroughputBench()));
  console.log(`\n${loadAverage()} at the end (other work on the machine skews the latency figures)`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
