/**
 * Throughput through the Lambda path: the synthesized stack on the AWS tier's harness (test/helpers/aws-stack.ts:
 * functions from their cdk.out bundles, moto for AWS, event source mappings and reserved concurrency from the
 * template, AWS's own timing: time scale 1) against the sandbox Xero at Xero's real limits, answering slowly so that
 * the post containers overlap. A figure, not a test:
 * `npx tsx bench/aws-throughput.ts [--accounts=3000] [--latency=500] [--timeout=900]`.
 *
 * The stages run one after the other so each AWS API call is attributed to its stage: webhooks in (ingest only),
 * then the map stage drains the changes queue, then the post stage drains the writes queue. On two cores the
 * emulator, not the product, bounds the wall clock: judge the design by the counts and the limits under
 * contention, with the emulator's share of the time beside them.
 */
import { consentInBrowser, startScenario, type Scenario } from '../test/helpers/aws-scenario';
import type { AwsStack } from '../test/helpers/aws-stack';
import { XERO_REAL_LIMITS, mapLimited, sandboxUpdateDelivery, sleep } from './bench-kit';
import { CEILING_RECORDS_PER_MINUTE, DEFAULT_THROUGHPUT_OPTIONS, seedBenchRecords } from './throughput';

export interface AwsThroughputOptions {
  readonly accounts: number;
  /** Added to every sandbox Xero API call while it counts as in flight. */
  readonly xeroLatencyMs: number;
  /** Per stage. */
  readonly timeoutMs: number;
  readonly webhookConcurrency: number;
}

export const DEFAULT_AWS_THROUGHPUT_OPTIONS: AwsThroughputOptions = {
  accounts: 3000,
  xeroLatencyMs: 500,
  timeoutMs: 15 * 60_000,
  webhookConcurrency: 8,
};

interface StageFigures {
  readonly ms: number;
  readonly awsCalls: Record<string, number>;
  readonly emulatorMs: number;
}

export interface AwsThroughputReport {
  readonly options: AwsThroughputOptions;
  readonly postConcurrency: number;
  readonly ingest: StageFigures;
  readonly map: StageFigures;
  /** Writes queued when the map stage ended: fewer than the accounts when it timed out. */
  readonly mappedRecords: number;
  readonly post: StageFigures;
  readonly recordsInXero: number;
  readonly duplicatesInXero: number;
  readonly deadLetters: number;
  readonly xeroCalls: number;
  /** Xero calls by route, e.g. `{"PUT /Contacts": 6}`. */
  readonly xeroCallsByRoute: Record<string, number>;
  readonly xero429s: number;
  readonly maxXeroInFlight: number;
  readonly maxXeroCallsPerRollingMinute: number;
  /** Records that reached Xero in the busiest full minute of the post stage. */
  readonly steadyMinuteRecords?: number;
  readonly timedOut: boolean;
}

export async function runAwsThroughputBench(
  overrides: Partial<AwsThroughputOptions> = {}
): Promise<AwsThroughputReport> {
  const options = { ...DEFAULT_AWS_THROUGHPUT_OPTIONS, ...overrides };
  const s = await startScenario({ timeScale: 1, limits: XERO_REAL_LIMITS });
  try {
    if ((await consentInBrowser(s)).status !== 200) throw new Error('consent did not complete');
    const { stack } = s;
    const postFn = stack.fn(/Post/);
    const mapping = (pattern: RegExp) => stack.mappingOf(stack.fn(pattern));
    const records = seedBenchRecords(s.sandbox.dataverseServer.state, {
      ...DEFAULT_THROUGHPUT_OPTIONS,
      accounts: options.accounts,
      contacts: 0,
      products: 0,
      orders: 0,
    });
    await mapping(/Map/).stop();
    await mapping(/Post/).stop();
    s.sandbox.accounting.knobs.setLatency(options.xeroLatencyMs);

    const ingest = await stage(
      stack,
      async () => {
        await mapLimited(records, options.webhookConcurrency, (record) => deliver(s, record.id, record.name));
      },
      'ingest'
    );
    let timedOut = false;
    const map = await stage(
      stack,
      async () => {
        mapping(/Map/).start();
        // Drained first: `timedOut ||= !(await …)` would skip the wait once an earlier stage timed out.
        const mapDrained = await drained(stack, /Map/, options.timeoutMs);
        timedOut ||= !mapDrained;
      },
      'map'
    );

    // What the map stage handed on (one write per account): the map figures are per record it mapped.
    const writesQueue = stack.queues.find((q) => q.arn === mapping(/Post/).spec.queueArn)!;
    const mappedRecords = await stack.depth(writesQueue);
    s.sandbox.accounting.knobs.clearRequests();
    const watch = watchXero(s);
    const post = await stage(
      stack,
      async () => {
        mapping(/Post/).start();
        const postDrained = await drained(stack, /Post/, options.timeoutMs);
        timedOut ||= !postDrained;
      },
      'post'
    );
    const watched = watch.stop();

    const contacts = s.sandbox.accounting.state.books().listContacts();
    const wanted = new Set(records.map((r) => r.id));
    const numbers = contacts.map((c) => String(c.ContactNumber)).filter((n) => wanted.has(n));
    const deadLetters = await Promise.all(
      stack.queues.filter((q) => stack.queues.some((src) => src.deadLetterArn === q.arn)).map((q) => stack.depth(q))
    );
    const requests = s.sandbox.accounting.knobs.requests();
    return {
      options,
      postConcurrency: postFn.reservedConcurrency ?? Number.NaN,
      ingest,
      map,
      mappedRecords,
      post,
      recordsInXero: new Set(numbers).size,
      duplicatesInXero: numbers.length - new Set(numbers).size,
      deadLetters: deadLetters.reduce((a, b) => a + b, 0),
      xeroCalls: requests.length,
      xeroCallsByRoute: countBy(requests.map((r) => r.route)),
      xero429s: requests.filter((r) => r.status === 429).length,
      ...watched,
      timedOut,
    };
  } finally {
    await s.close();
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function deliver(s: Scenario, id: string, name: string): Promise<void> {
  const { body, headers } = sandboxUpdateDelivery('account', id, { name });
  const url = new URL(`${s.stack.api.url}/webhooks/dataverse`);
  url.searchParams.set('code', s.webhookKey);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`webhook refused with ${response.status}`);
}

/** Runs one stage and returns its wall clock and the AWS API calls the functions made meanwhile, by action. */
async function stage(stack: AwsStack, work: () => Promise<void>, name: string): Promise<StageFigures> {
  const before = new Map(stack.endpoint.calls);
  const emulatorBefore = stack.endpoint.emulatorMs.total;
  const started = performance.now();
  await work();
  const awsCalls: Record<string, number> = {};
  for (const [action, n] of stack.endpoint.calls) {
    const delta = n - (before.get(action) ?? 0);
    if (delta > 0) awsCalls[action] = delta;
  }
  const figures = {
    ms: performance.now() - started,
    awsCalls,
    emulatorMs: stack.endpoint.emulatorMs.total - emulatorBefore,
  };
  // On stderr as each stage ends, so a run stopped by a wall-clock limit still leaves its figures.
  console.error(`stage ${name} done: ${JSON.stringify(figures)}`);
  return figures;
}

/** Waits until the queue feeding the function is empty and its mapping holds no batch, three checks in a row. */
async function drained(stack: AwsStack, fn: RegExp, timeoutMs: number): Promise<boolean> {
  const mapping = stack.mappingOf(stack.fn(fn));
  const queue = stack.queues.find((q) => q.arn === mapping.spec.queueArn)!;
  const deadline = performance.now() + timeoutMs;
  let streak = 0;
  while (performance.now() < deadline) {
    streak = !mapping.busy && (await stack.depth(queue)) === 0 ? streak + 1 : 0;
    if (streak >= 3) return true;
    await sleep(500);
  }
  return false;
}

/** Samples the sandbox Xero: most calls in flight, most calls in any rolling minute, records per minute. */
function watchXero(s: Scenario) {
  const { knobs } = s.sandbox.accounting;
  const books = s.sandbox.accounting.state.books();
  const samples: { at: number; calls: number; contacts: number }[] = [];
  let maxInFlight = 0;
  const inFlight = setInterval(() => (maxInFlight = Math.max(maxInFlight, knobs.inFlight())), 5);
  const counts = setInterval(
    () =>
      samples.push({ at: performance.now(), calls: knobs.requests().length, contacts: books.listContacts().length }),
    250
  );
  return {
    stop() {
      clearInterval(inFlight);
      clearInterval(counts);
      const inWindow = (pick: (x: (typeof samples)[number]) => number) => {
        let best = 0;
        let from = 0;
        for (const sample of samples) {
          while (samples[from]!.at < sample.at - 60_000) from++;
          best = Math.max(best, pick(sample) - pick(samples[from]!));
        }
        return best;
      };
      const span = samples.length > 0 ? samples.at(-1)!.at - samples[0]!.at : 0;
      return {
        maxXeroInFlight: maxInFlight,
        maxXeroCallsPerRollingMinute: inWindow((x) => x.calls),
        ...(span >= 60_000 ? { steadyMinuteRecords: inWindow((x) => x.contacts) } : {}),
      };
    },
  };
}

export function formatAwsThroughputReport(r: AwsThroughputReport): string {
  const n = r.options.accounts;
  const perRecord = (f: StageFigures, records = n) =>
    Object.values(f.awsCalls).reduce((a, b) => a + b, 0) / Math.max(1, records);
  const byAction = (f: StageFigures) =>
    Object.entries(f.awsCalls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, count]) => `${action.replace(/^(AmazonSQS|DynamoDB_20120810|secretsmanager)\./, '')} ${count}`)
      .join(', ');
  const stageLine = (name: string, f: StageFigures, records = n) =>
    `  ${name}: ${(f.ms / 1000).toFixed(1)} s; AWS API calls ${perRecord(f, records).toFixed(2)}/record (${byAction(f)}); ` +
    `emulator busy ${(f.emulatorMs / 1000).toFixed(1)} s summed over concurrent calls`;
  const xeroBoundMs = (r.xeroCalls / XERO_REAL_LIMITS.perMinute) * 60_000;
  return [
    `AWS tier throughput — ${n} accounts through the synthesized stack (post function reserved concurrency ` +
      `${r.postConcurrency}), sandbox Xero at Xero's real limits answering in +${r.options.xeroLatencyMs} ms, time scale 1`,
    stageLine('ingest (API Gateway → webhook function → changes queue)', r.ingest),
    stageLine(
      `map (changes queue → map function → writes queue; ${r.mappedRecords} records mapped)`,
      r.map,
      r.mappedRecords
    ),
    stageLine('post (writes queue → post function → Xero)', r.post),
    `  in Xero: ${r.recordsInXero}/${n}${r.timedOut ? ' (TIMED OUT)' : ''}; duplicates ${r.duplicatesInXero}; ` +
      `dead letters ${r.deadLetters}`,
    `  Xero calls: ${r.xeroCalls} → ${(r.xeroCalls / Math.max(1, r.recordsInXero)).toFixed(4)}/record; 429s ${r.xero429s}; ` +
      `most in flight ${r.maxXeroInFlight} (limit ${XERO_REAL_LIMITS.concurrent}); most in a rolling minute ` +
      `${r.maxXeroCallsPerRollingMinute} (limit ${XERO_REAL_LIMITS.perMinute})`,
    `  Xero calls by route: ${Object.entries(r.xeroCallsByRoute)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, count]) => `${route} ${count}`)
      .join(', ')}`,
    ...(r.steadyMinuteRecords !== undefined
      ? [
          `  busiest minute of the post stage: ${r.steadyMinuteRecords} records = ` +
            `${((r.steadyMinuteRecords / CEILING_RECORDS_PER_MINUTE) * 100).toFixed(1)}% of the ${CEILING_RECORDS_PER_MINUTE}/min ceiling`,
        ]
      : []),
    `  wall clock of the post stage ÷ what Xero's 60 calls/min alone would need for its ${r.xeroCalls} calls: ` +
      `${(r.post.ms / Math.max(1, xeroBoundMs)).toFixed(2)}`,
  ].join('\n');
}

function flag(name: string): number | undefined {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return raw === undefined ? undefined : Number(raw);
}

if (require.main === module) {
  const accounts = flag('accounts');
  const latency = flag('latency');
  const timeout = flag('timeout');
  runAwsThroughputBench({
    ...(accounts !== undefined ? { accounts } : {}),
    ...(latency !== undefined ? { xeroLatencyMs: latency } : {}),
    ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
  })
    .then((report) => console.log(formatAwsThroughputReport(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
