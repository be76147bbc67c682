/**
 * Ingest benchmark: webhook acknowledgement latency under load on loopback. The local connector (sandbox mode,
 * workers running) runs in a child process; autocannon drives `POST /webhooks/dataverse?code=KEY` with valid
 * Dataverse RemoteExecutionContext bodies from a pool of distinct operations on the seeded records, for a fixed
 * time and connection count. A figure, not a test: `npx tsx bench/ingest.ts`.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ms, sandboxUpdateDelivery } from './bench-kit';
import type { IngestTargetReady, IngestTargetStats } from './ingest-target';

export interface IngestOptions {
  readonly durationSeconds: number;
  readonly connections: number;
  /** Distinct webhook deliveries (each a new Dataverse operation); the pool repeats after that, then de-duplicated. */
  readonly poolSize: number;
  /** Aim every webhook at the dozen demo records instead of 3,000 distinct ones (deep per-record backlogs). */
  readonly hotRecords: boolean;
  /** Keep the map stage waiting on Dataverse, so the figure is the ingest path alone. */
  readonly stallMapStage: boolean;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  durationSeconds: 10,
  connections: 10,
  poolSize: 10_000,
  hotRecords: false,
  stallMapStage: false,
};
export const INGEST_P99_TARGET_MS = 50;

export interface IngestReport {
  readonly options: IngestOptions;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly statusCodes: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  readonly target: IngestTargetStats | undefined;
  /** 1-minute load average when the load stopped: other processes on the machine skew latency. */
  readonly loadAverage: number;
}

const TSX_CLI = require.resolve('tsx/cli');
const TARGET = path.join(__dirname, 'ingest-target.ts');

export async function runIngestBench(overrides: Partial<IngestOptions> = {}): Promise<IngestReport> {
  const options = { ...DEFAULT_INGEST_OPTIONS, ...overrides };
  const child = spawn(process.execPath, [TSX_CLI, TARGET], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      HOT_RECORDS: options.hotRecords ? '1' : '0',
      STALL_MAP_STAGE: options.stallMapStage ? '1' : '0',
    },
  });
  const lines = createInterface({ input: child.stdout! });
  const messages: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  lines.on('line', (line) => {
    try {
      messages.push(JSON.parse(line) as Record<string, unknown>);
      wake?.();
    } catch {
      // not one of ours (e.g. a stray log line): ignored
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = async (key: string, timeoutMs: number): Promise<unknown> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find((m) => key in m);
      if (found) return found[key];
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`ingest target gave no ${key}`);
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleepMs(250)]);
    }
  };

  try {
    const ready = (await next('ready', 60_000)) as IngestTargetReady;
    const url = new URL(ready.webhookUrl);
    const pool = buildPool(ready, options.poolSize);
    let cursor = 0;
    const result = await autocannon({
      url: `${url.protocol}//${url.host}`,
      connections: options.connections,
      duration: options.durationSeconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const delivery = pool[cursor++ % pool.length]!;
            return { ...request, path: `${url.pathname}${url.search}`, headers: delivery.headers, body: delivery.body };
          },
        },
      ],
    });
    child.stdin!.end();
    const target = (await next('stats', 30_000).catch(() => undefined)) as IngestTargetStats | undefined;
    const statusCodes = Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, Number(stat.count)])
    );
    return {
      options,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      statusCodes,
      errors: result.errors,
      timeouts: result.timeouts,
      target,
      loadAverage: os.loadavg()[0] ?? Number.NaN,
    };
  } finally {
    await stopChild(child, exited);
  }
}

function buildPool(ready: IngestTargetReady, size: number): { body: string; headers: Record<string, string> }[] {
  const pool: { body: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < size; i++) {
    const record = ready.records[i % ready.records.length]!;
    const { body, headers } = sandboxUpdateDelivery(record.table, record.id, { description: `load ${i}` });
    pool.push({ body: JSON.stringify(body), headers });
  }
  return pool;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null) return;
  child.stdin?.end();
  const gone = await Promise.race([exited.then(() => true), sleepMs(30_000).then(() => false)]);
  if (!gone && child.exitCode === null) child.kill('SIGKILL');
}

function sleepMs(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis).unref());
}

export function formatIngestReport(r: IngestReport): string {
  const o = r.options;
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  const verdict = r.latencyMs.p99 < INGEST_P99_TARGET_MS ? 'meets' : 'MISSES';
  return [
    `Ingest — POST /webhooks/dataverse on loopback, autocannon ${o.connections} connections × ${o.durationSeconds} s ` +
      `(connector in a child process; ` +
      `${o.stallMapStage ? 'map stage stalled: ingest path alone' : 'workers running against the in-process fakes'}; ` +
      `${o.hotRecords ? 'the dozen demo records only' : 'webhooks spread over 3,000 records'})`,
    `  requests: ${r.requests} (${r.requestsPerSecond.toFixed(0)}/s); status: ${codes || 'none'}; ` +
      `errors: ${r.errors}, timeouts: ${r.timeouts}; 1-min load average ${r.loadAverage.toFixed(2)}`,
    `  ack latency: p50 ${ms(r.latencyMs.p50)}, p90 ${ms(r.latencyMs.p90)}, p99 ${ms(r.latencyMs.p99)}, ` +
      `max ${ms(r.latencyMs.max)} — ${verdict} the p99 < ${INGEST_P99_TARGET_MS} ms target`,
    r.target
      ? `  changes still queued for the map stage when the load stopped: ${r.target.changesBacklog}; ` +
        `connector warnings ${r.target.warnings}, errors ${r.target.errors}`
      : '  (the connector process gave no figures at shutdown)',
  ].join('\n');
}

if (require.main === module) {
  runIngestBench({
    hotRecords: process.argv.includes('--hot-records'),
    stallMapStage: process.argv.includes('--stall-map-stage'),
  })
    .then((report) => console.log(formatIngestReport(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
