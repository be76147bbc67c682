/**
 * Throughput benchmark: N Dataverse records (accounts, contacts, products, orders with lines) go through the local
 * runtime — Dataverse webhooks (WebhookKey `?code=`) in, map stage reading the sandbox Dataverse, post stage
 * writing to the sandbox Xero running Xero's real limits (60 calls/min, 5 in flight) on the real clock. It reports
 * records per minute against the 3,000/min ceiling (60 calls × 50 per batch), Xero calls per record (per route),
 * and the latency from webhook to the record appearing in Xero. A figure, not a test:
 * `npx tsx bench/throughput.ts [--backlog | --resync] [--scale=K] [--orgs=3]`. With `--orgs=3` three sandbox
 * organisations are connected and the records, in three currencies, are routed by currency (bench/organisations.ts).
 */
import type { SyncedTable } from '../lambdas/core/model/change-event';
import { DEMO_IDS } from '../sandbox/demo-data';
import type { DataverseState } from '../sandbox/dataverse/state';
import { DEFAULT_RATE_LIMIT_OPTIONS } from '../lambdas/core/rate-limit/tenant-rate-limiter';
import {
  XERO_REAL_LIMITS,
  mapLimited,
  ms,
  percentile,
  sandboxUpdateDelivery,
  sleep,
  startSandboxedConnector,
  type SandboxedConnector,
} from './bench-kit';
import {
  BENCH_CURRENCIES,
  benchCurrency,
  benchRouting,
  benchTenants,
  maxCallsInRollingMinute,
  organisationFigures,
  type OrganisationFigures,
  type TimedRequest,
} from './organisations';

/** Xero allows 60 calls a minute and ≤50 elements per batch: no connector can sync more than this per minute. */
export const CEILING_RECORDS_PER_MINUTE = XERO_REAL_LIMITS.perMinute * 50;

export interface ThroughputOptions {
  readonly accounts: number;
  readonly contacts: number;
  readonly products: number;
  readonly orders: number;
  readonly linesPerOrder: number;
  /** Hard stop, from the first webhook, whatever has reached Xero by then. */
  readonly timeoutMs: number;
  /** How often the sandbox Xero is checked for new records (latency resolution). */
  readonly pollMs: number;
  /** Webhooks in flight at once (Dataverse delivers async steps in parallel too). */
  readonly webhookConcurrency: number;
  /**
   * live: posts start as soon as the first writes are mapped (what a steady stream of webhooks meets).
   * backlog: the sandbox Xero holds its first call until the map stage has drained (≤18 s, inside the gateway's
   * 20 s timeout), so the post stage starts from a full writes queue — what a batching window or a backfill gives.
   * resync: a first, unmeasured pass syncs everything; then every record is edited in Dataverse and the measured
   * pass (held like backlog) sends those updates of records the connector already knows.
   */
  readonly scenario: 'live' | 'backlog' | 'resync';
  /** Single changes sent one at a time on the idle connector before the bulk run (own records, not counted in it). */
  readonly probes: number;
  /** Work around the sandbox's where parser for multi-reference invoice lookups (see where-rewrite-proxy.ts). */
  readonly rewriteWhere: boolean;
  /** Sandbox organisations connected; with 3 the records rotate through three currencies routed one to each. */
  readonly organisations: 1 | 3;
}

export const DEFAULT_THROUGHPUT_OPTIONS: ThroughputOptions = {
  accounts: 1000,
  contacts: 500,
  products: 20,
  orders: 300,
  linesPerOrder: 3,
  timeoutMs: 180_000,
  pollMs: 100,
  webhookConcurrency: 8,
  rewriteWhere: false,
  scenario: 'live',
  probes: 5,
  organisations: 1,
};

const MAX_HOLD_MS = 18_000;

export interface ThroughputReport {
  readonly options: ThroughputOptions;
  readonly records: number;
  readonly recordsInXero: number;
  readonly elapsedMs: number;
  readonly recordsPerMinute: number;
  readonly ceilingRatio: number;
  readonly xeroCalls: number;
  readonly callsPerRecord: number;
  readonly callsByRoute: Record<string, number>;
  /** Records per minute Xero's 60 calls/min would allow at this calls-per-record figure (the sustained bound). */
  readonly sustainedBoundPerMinute: number;
  /** The same at the connector's own throttle (DEFAULT_RATE_LIMIT_OPTIONS.perMinute, below Xero's 60). */
  readonly throttleBoundPerMinute: number;
  /**
   * Records that reached Xero in the second minute after the first one did: a whole rolling-minute window in steady
   * state, free of the first minute's burst. Only when the run lasts that long (use --scale).
   */
  readonly steadyMinuteRecords?: number;
  readonly refused429: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly webhookAckMs: { readonly p50: number; readonly p99: number };
  readonly duplicatesInXero: number;
  readonly deadLetters: number;
  readonly failedOutcomes: number;
  /** Distinct failure messages from the outcome log (record names and ids, never secrets). */
  readonly failureSamples: readonly string[];
  readonly timedOut: boolean;
  /** Invoice lookups whose filter the proxy rewrote (0 when the proxy is off). */
  readonly whereRewrites: number;
  /** backlog scenario: how long Xero was held, and the changes not yet mapped when it was released. */
  readonly hold?: { readonly ms: number; readonly changesLeft: number };
  /** From the release of the hold (or the first webhook) to the last record in Xero: the post stage's own pace. */
  readonly postStageMs: number;
  /** Webhook → record in Xero for single changes on an idle connector (new accounts: a lookup and a save each). */
  readonly idleLatencyMs: readonly number[];
  /** --orgs=3: the figures of each organisation, and the most calls (all of them) in any rolling minute. */
  readonly perOrganisation?: readonly OrganisationFigures[];
  readonly appWideMaxCallsPerMinute?: number;
}

interface BenchRecord {
  readonly table: SyncedTable;
  readonly id: string;
  /** How the record is found in Xero: ContactNumber, Item Code or invoice Reference. */
  readonly xeroKey: string;
  readonly name: string;
  /** The organisation routing sends it to (lower case); the one organisation when there is no routing. */
  readonly tenantId?: string;
}

/** Deterministic GUIDs per table, distinct from the demo data's. */
function benchId(tableDigit: number, index: number): string {
  return `beec000${tableDigit}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

const pad = (n: number) => String(n).padStart(4, '0');

/** Writes the bench records straight into the sandbox Dataverse (no webhooks yet) and lists them in send order. */
export function seedBenchRecords(state: DataverseState, options: ThroughputOptions): BenchRecord[] {
  const usd = { table: 'transactioncurrency', id: DEMO_IDS.currencies.usd };
  const orgs = options.organisations;
  for (const c of orgs > 1 ? BENCH_CURRENCIES : []) {
    state.upsert('transactioncurrency', {
      transactioncurrencyid: c.id,
      isocurrencycode: c.code,
      currencyname: c.name,
      currencysymbol: c.symbol,
      exchangerate: c.rate,
    });
  }
  // One organisation: everything in USD. Several: record i in currency i mod n, routed to organisation i mod n.
  const route = (i: number) =>
    orgs > 1
      ? (({ currency, tenantId }) => ({ currency: { table: 'transactioncurrency', id: currency.id }, tenantId }))(
          benchCurrency(i, orgs)
        )
      : { currency: usd, tenantId: undefined };
  const records: BenchRecord[] = [];
  for (let i = 0; i < options.accounts; i++) {
    const id = benchId(1, i);
    const name = `Bench Wholesale ${pad(i)} Ltd`;
    state.upsert('account', {
      accountid: id,
      name,
      accountnumber: `BW-${pad(i)}`,
      emailaddress1: `accounts${i}@bench-wholesale.example`,
      address1_city: 'Wellington',
      address1_country: 'New Zealand',
      transactioncurrencyid: route(i).currency,
    });
    records.push({ table: 'account', id, xeroKey: id, name, tenantId: route(i).tenantId });
  }
  for (let i = 0; i < options.contacts; i++) {
    const id = benchId(2, i);
    const name = `Robin Bench-${pad(i)}`;
    state.upsert('contact', {
      contactid: id,
      firstname: 'Robin',
      lastname: `Bench-${pad(i)}`,
      emailaddress1: `robin${i}@bench-mail.example`,
      transactioncurrencyid: route(i).currency,
    });
    records.push({ table: 'contact', id, xeroKey: id, name, tenantId: route(i).tenantId });
  }
  const productIds: string[] = [];
  for (let i = 0; i < options.products; i++) {
    const id = benchId(3, i);
    const code = `BENCH-SKU-${pad(i)}`;
    const name = `Bench roast no. ${i}`;
    state.upsert('product', {
      productid: id,
      productnumber: code,
      name,
      price: 10 + (i % 17) * 1.25,
      producttypecode: 1,
      statuscode: 1,
      transactioncurrencyid: route(i).currency,
    });
    productIds.push(id);
    records.push({ table: 'product', id, xeroKey: code, name, tenantId: route(i).tenantId });
  }
  for (let i = 0; i < options.orders; i++) {
    const id = benchId(4, i);
    const ordernumber = `BENCH-ORD-${pad(i)}`;
    const name = `Bench order ${i}`;
    state.upsert('salesorder', {
      salesorderid: id,
      name,
      ordernumber,
      customerid: { table: 'account', id: benchId(1, i % Math.max(1, options.accounts)) },
      transactioncurrencyid: route(i).currency,
    });
    for (let line = 0; line < options.linesPerOrder; line++) {
      const writeIn = line === options.linesPerOrder - 1 && options.linesPerOrder > 1;
      const productId = productIds[(i + line) % Math.max(1, productIds.length)];
      state.upsert('salesorderdetail', {
        salesorderid: { table: 'salesorder', id },
        ...(writeIn || !productId
          ? {
              isproductoverridden: true,
              productdescription: 'Delivery and set-up',
              priceperunit: 15,
              ispriceoverridden: true,
            }
          : { productid: { table: 'product', id: productId } }),
        quantity: 1 + (line % 3),
      });
    }
    records.push({ table: 'salesorder', id, xeroKey: ordernumber, name, tenantId: route(i).tenantId });
  }
  return records;
}

export async function runThroughputBench(overrides: Partial<ThroughputOptions> = {}): Promise<ThroughputReport> {
  const options = { ...DEFAULT_THROUGHPUT_OPTIONS, ...overrides };
  const several = options.organisations > 1;
  if (several && options.scenario === 'resync') throw new Error('--resync runs with one organisation only');
  const connector = await startSandboxedConnector({
    limits: XERO_REAL_LIMITS,
    seed: true,
    rewriteWhere: options.rewriteWhere,
    ...(several ? { organisations: options.organisations, routing: benchRouting(options.organisations) } : {}),
  });
  try {
    const { sandbox, app } = connector;
    const records = seedBenchRecords(sandbox.dataverseServer.state, options);
    const probes = seedProbeAccounts(sandbox.dataverseServer.state, options.probes);
    const books = sandbox.accounting.state.books();
    // Every organisation's books; one organisation is the default books, keyed '' here.
    const tenantBooks = several
      ? benchTenants(options.organisations).map((tenant) => ({ tenant, books: sandbox.accounting.state.books(tenant) }))
      : [{ tenant: '', books }];
    const expected = new Map(records.map((r) => [keyOf(r), r]));
    const sentAt = new Map<string, number>();
    // A record's first appearance in its own organisation (the run ends when every record has one)...
    const seenAt = new Map<string, number>();
    // ...and each bench document's first appearance in each organisation (on-demand copies of customers/items too).
    const seenIn = new Map(tenantBooks.map(({ tenant }) => [tenant, new Map<string, number>()]));
    // When the bench first saw each entry of the sandbox Xero's request log (index-aligned with knobs.requests()).
    let requestSeenAt: number[] = [];
    // resync: a record counts as arrived when its Xero UpdatedDateUTC differs from this baseline.
    const baseline = new Map<string, string>();

    // Watches the sandbox Xero's books (in process, no API calls) for the first appearance of each record.
    const look = () => {
      const now = performance.now();
      const logged = sandbox.accounting.knobs.requests().length;
      while (requestSeenAt.length < logged) requestSeenAt.push(now);
      for (const { tenant, books: tenantBook } of tenantBooks) {
        const seenHere = seenIn.get(tenant);
        const mark = (key: string, updated: unknown) => {
          const record = expected.get(key);
          if (!record) return;
          if (baseline.size > 0 && baseline.get(key) === String(updated)) return;
          if (!seenHere?.has(key)) seenHere?.set(key, now);
          if (seenAt.has(key) || (several && record.tenantId !== tenant)) return;
          seenAt.set(key, now);
        };
        for (const c of tenantBook.listContacts()) mark(`contact:${String(c.ContactNumber)}`, c.UpdatedDateUTC);
        for (const item of tenantBook.listItems()) mark(`item:${String(item.Code)}`, item.UpdatedDateUTC);
        for (const inv of tenantBook.listInvoices()) mark(`inv:${String(inv.Reference)}`, inv.UpdatedDateUTC);
      }
    };
    const watcher = setInterval(look, options.pollMs);
    const fastWatcher = setInterval(() => {
      if (seenAt.size === 0) look();
    }, 10);

    const deliver = async (record: BenchRecord): Promise<number> => {
      const { body, headers } = sandboxUpdateDelivery(record.table, record.id, {
        [record.table === 'contact' ? 'lastname' : 'name']: record.name,
      });
      const t0 = performance.now();
      sentAt.set(keyOf(record), t0);
      const response = await fetch(connector.webhookUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`webhook refused with ${response.status}`);
      return performance.now() - t0;
    };

    // Idle latency first: one change at a time, each waited for in Xero (records of their own, then forgotten).
    const idleLatencyMs: number[] = [];
    for (const probe of probes) {
      expected.set(keyOf(probe), probe);
      await deliver(probe);
      const key = keyOf(probe);
      const probeDeadline = performance.now() + 30_000;
      while (!seenAt.has(key) && performance.now() < probeDeadline) await sleep(10);
      if (seenAt.has(key)) idleLatencyMs.push((seenAt.get(key) ?? 0) - (sentAt.get(key) ?? 0));
      expected.delete(key);
      seenAt.delete(key);
    }
    if (options.scenario === 'resync') {
      await mapLimited(records, options.webhookConcurrency, deliver);
      const firstPassEnds = performance.now() + options.timeoutMs;
      while (seenAt.size < expected.size && performance.now() < firstPassEnds) await sleep(options.pollMs);
      if (seenAt.size < expected.size) throw new Error('resync: the first pass did not complete in time');
      await sleep(1000);
      editEveryRecord(sandbox.dataverseServer.state, records);
      for (const c of books.listContacts())
        baseline.set(`contact:${String(c.ContactNumber)}`, String(c.UpdatedDateUTC));
      for (const i of books.listItems()) baseline.set(`item:${String(i.Code)}`, String(i.UpdatedDateUTC));
      for (const i of books.listInvoices()) baseline.set(`inv:${String(i.Reference)}`, String(i.UpdatedDateUTC));
      seenAt.clear();
      sentAt.clear();
    }
    await sleep(500);
    sandbox.accounting.knobs.clearRequests();
    requestSeenAt = [];
    for (const seen of seenIn.values()) seen.clear();

    const started = performance.now();
    const held = options.scenario !== 'live';
    if (held) sandbox.accounting.knobs.pause();
    const ackMs = await mapLimited(records, options.webhookConcurrency, deliver);

    let hold: ThroughputReport['hold'];
    let postStart = started;
    if (held) {
      const backlog = () => {
        const depth = app.queue.depth('changes');
        return depth.ready + depth.inFlight + depth.delayed;
      };
      while (backlog() > 0 && performance.now() - started < MAX_HOLD_MS) await sleep(100);
      hold = { ms: performance.now() - started, changesLeft: backlog() };
      postStart = performance.now();
      sandbox.accounting.knobs.resume();
    }

    let timedOut = false;
    while (seenAt.size < expected.size) {
      if (performance.now() - started > options.timeoutMs) {
        timedOut = true;
        break;
      }
      await sleep(options.pollMs);
    }
    clearInterval(watcher);
    clearInterval(fastWatcher);
    look();
    // Let the batch in hand settle so the call counts are complete.
    await sleep(500);

    const latencies = [...seenAt.entries()].map(([key, at]) => at - (sentAt.get(key) ?? at));
    const lastSeen = Math.max(...seenAt.values());
    const elapsedMs = (seenAt.size > 0 ? lastSeen : performance.now()) - started;
    const callsByRoute = sandbox.accounting.knobs.callCounts();
    const xeroCalls = Object.values(callsByRoute).reduce((sum, n) => sum + n, 0);
    const refused429 = sandbox.accounting.knobs.requests().filter((r) => r.status === 429).length;
    const recordsPerMinute = seenAt.size / (elapsedMs / 60_000);
    const callsPerRecord = seenAt.size > 0 ? xeroCalls / seenAt.size : Number.NaN;
    const firstSeen = Math.min(...seenAt.values());
    const steadyMinuteRecords =
      lastSeen >= firstSeen + 120_000
        ? [...seenAt.values()].filter((at) => at >= firstSeen + 60_000 && at < firstSeen + 120_000).length
        : undefined;
    const depths = [app.queue.depth('changes'), app.queue.depth('writes')];
    const timed: TimedRequest[] = sandbox.accounting.knobs
      .requests()
      .map((request, i) => ({ request, at: requestSeenAt[i] ?? performance.now() }));
    const perOrganisation = several
      ? tenantBooks.map(({ tenant, books: b }) =>
          organisationFigures({
            tenantId: tenant,
            seen: seenIn.get(tenant) ?? new Map(),
            requests: timed,
            duplicates: duplicatesIn(b),
          })
        )
      : undefined;
    return {
      options,
      records: records.length,
      recordsInXero: seenAt.size,
      elapsedMs,
      recordsPerMinute,
      ceilingRatio: recordsPerMinute / CEILING_RECORDS_PER_MINUTE,
      xeroCalls,
      callsPerRecord,
      callsByRoute,
      sustainedBoundPerMinute: XERO_REAL_LIMITS.perMinute / callsPerRecord,
      throttleBoundPerMinute: DEFAULT_RATE_LIMIT_OPTIONS.perMinute / callsPerRecord,
      ...(steadyMinuteRecords !== undefined ? { steadyMinuteRecords } : {}),
      refused429,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) },
      webhookAckMs: { p50: percentile(ackMs, 50), p99: percentile(ackMs, 99) },
      duplicatesInXero: tenantBooks.reduce((sum, { books: b }) => sum + duplicatesIn(b), 0),
      deadLetters: depths.reduce((sum, d) => sum + d.deadLetters, 0),
      failedOutcomes: app.outcomes.counts().failed,
      failureSamples: [...new Set(app.outcomes.failures(200).map((f) => `${f.table}: ${f.message}`))].slice(0, 3),
      timedOut,
      whereRewrites: connector.proxy?.rewritten ?? 0,
      ...(hold ? { hold } : {}),
      idleLatencyMs,
      postStageMs: (seenAt.size > 0 ? lastSeen : performance.now()) - postStart,
      ...(perOrganisation ? { perOrganisation, appWideMaxCallsPerMinute: maxCallsInRollingMinute(timed) } : {}),
    };
  } finally {
    await connector.stop();
  }
}

/** A small edit per record (new modifiedon), as a bulk update in Dynamics would make. */
function editEveryRecord(state: DataverseState, records: readonly BenchRecord[]): void {
  for (const record of records) {
    const column = record.table === 'contact' ? 'lastname' : 'name';
    const current = state.get(record.table, record.id)?.[column];
    state.update(record.table, record.id, { [column]: `${String(current)} (rev 2)` });
  }
}

function seedProbeAccounts(state: DataverseState, count: number): BenchRecord[] {
  const usd = { table: 'transactioncurrency', id: DEMO_IDS.currencies.usd };
  return Array.from({ length: count }, (_, i) => {
    const id = benchId(5, i);
    const name = `Probe Traders ${pad(i)}`;
    state.upsert('account', { accountid: id, name, transactioncurrencyid: usd });
    return { table: 'account' as const, id, xeroKey: id, name };
  });
}

function keyOf(record: BenchRecord): string {
  const prefix = record.table === 'salesorder' ? 'inv' : record.table === 'product' ? 'item' : 'contact';
  return `${prefix}:${record.xeroKey}`;
}

function countDuplicates(keys: readonly string[]): number {
  return keys.length - new Set(keys).size;
}

/** Documents of one organisation's books that share a key (ContactNumber, Item Code, invoice Reference). */
function duplicatesIn(books: ReturnType<SandboxedConnector['sandbox']['accounting']['state']['books']>): number {
  return (
    countDuplicates(books.listContacts().map((c) => String(c.ContactNumber))) +
    countDuplicates(books.listInvoices().map((i) => String(i.Reference))) +
    countDuplicates(books.listItems().map((i) => String(i.Code)))
  );
}

/** K times the accounts, contacts and orders (products stay), so a run outlasts the first minute's burst of calls. */
export function scaled(scale: number): Partial<ThroughputOptions> {
  const k = Math.max(1, Math.floor(scale));
  const base = DEFAULT_THROUGHPUT_OPTIONS;
  return {
    accounts: base.accounts * k,
    contacts: base.contacts * k,
    orders: base.orders * k,
    timeoutMs: base.timeoutMs + (k - 1) * 60_000,
  };
}

export function formatThroughputReport(r: ThroughputReport): string {
  const o = r.options;
  const routes = Object.entries(r.callsByRoute)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, n]) => `${route} ${n}`)
    .join(', ');
  return [
    `Throughput (${o.scenario}) — sandbox Xero at Xero's real limits (60 calls/min, 5 concurrent), real time (not scaled)`,
    ...(o.scenario === 'resync'
      ? ['  measured pass: updates of records already synced (a first pass created them, not counted)']
      : []),
    `  records: ${r.records} (${o.accounts} accounts, ${o.contacts} contacts, ${o.products} products, ` +
      `${o.orders} orders × ${o.linesPerOrder} lines); in Xero: ${r.recordsInXero}${r.timedOut ? ' (TIMED OUT)' : ''}`,
    `  elapsed (first webhook → last record in Xero): ${(r.elapsedMs / 1000).toFixed(1)} s`,
    ...(r.hold
      ? [
          `  Xero held ${(r.hold.ms / 1000).toFixed(1)} s while the map stage drained (${r.hold.changesLeft} changes left); ` +
            `post stage from release: ${(r.postStageMs / 1000).toFixed(1)} s → ` +
            `${(r.recordsInXero / (r.postStageMs / 60_000)).toFixed(0)} records/min`,
        ]
      : []),
    `  records/min: ${r.recordsPerMinute.toFixed(0)} = ${(r.ceilingRatio * 100).toFixed(1)}% of the ` +
      `${CEILING_RECORDS_PER_MINUTE}/min ceiling`,
    ...(r.steadyMinuteRecords !== undefined
      ? [
          `  steady state (the 2nd minute after the first record reached Xero): ${r.steadyMinuteRecords} records = ` +
            `${((r.steadyMinuteRecords / CEILING_RECORDS_PER_MINUTE) * 100).toFixed(1)}% of the ceiling`,
        ]
      : []),
    `  Xero calls: ${r.xeroCalls} → ${r.callsPerRecord.toFixed(4)} calls/record; sustained bound at Xero's 60 calls/min: ` +
      `${r.sustainedBoundPerMinute.toFixed(0)} records/min (${((r.sustainedBoundPerMinute / CEILING_RECORDS_PER_MINUTE) * 100).toFixed(1)}%), ` +
      `at the connector's own ${DEFAULT_RATE_LIMIT_OPTIONS.perMinute}/min: ${r.throttleBoundPerMinute.toFixed(0)} ` +
      `(${((r.throttleBoundPerMinute / CEILING_RECORDS_PER_MINUTE) * 100).toFixed(1)}%); 429s: ${r.refused429}`,
    `  calls by route: ${routes}`,
    `  webhook → record in Xero: p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, max ${ms(r.latencyMs.max)} ` +
      `(polled every ${o.pollMs} ms; includes waiting behind the whole backlog)`,
    ...(r.idleLatencyMs.length > 0
      ? [
          `  single change on an idle connector (new account: lookup + save), webhook → in Xero: ` +
            `${r.idleLatencyMs.map((v) => v.toFixed(0)).join(', ')} ms (median ${ms(percentile(r.idleLatencyMs, 50))})`,
        ]
      : []),
    `  webhook ack during the run: p50 ${ms(r.webhookAckMs.p50)}, p99 ${ms(r.webhookAckMs.p99)}`,
    `  duplicates in Xero: ${r.duplicatesInXero}; dead letters: ${r.deadLetters}; failed outcomes: ${r.failedOutcomes}`,
    ...(o.rewriteWhere
      ? [
          `  note: ${r.whereRewrites} invoice lookups (whole run) went through bench/where-rewrite-proxy.ts (sandbox where-parser gap)`,
        ]
      : []),
    ...(r.perOrganisation ? formatOrganisations(r.perOrganisation, r.appWideMaxCallsPerMinute ?? 0) : []),
    ...r.failureSamples.map((message) => `    failure: ${message.slice(0, 300)}`),
  ].join('\n');
}

function formatOrganisations(figures: readonly OrganisationFigures[], appWideMax: number): string[] {
  return [
    `  per organisation (from the sandbox Xero's request log by xero-tenant-id, and each organisation's books):`,
    ...figures.map(
      (f) =>
        `    ${f.name}: ${f.documents} documents; steady minute ` +
        (f.steadyMinuteRecords !== undefined
          ? `${f.steadyMinuteRecords} = ${((f.steadyMinuteRecords / CEILING_RECORDS_PER_MINUTE) * 100).toFixed(1)}% of ${CEILING_RECORDS_PER_MINUTE}`
          : 'n/a (its run was shorter than 2 minutes)') +
        `; ${f.xeroCalls} calls = ${f.callsPerRecord.toFixed(4)}/record; 429s ${f.refused429}; duplicates ${f.duplicates}`
    ),
    ...figures.map((f) => `      ${f.name} calls: ${formatRoutes(f.callsByRoute)}`),
    ...figures.flatMap((f) =>
      f.steadyCallsByRoute ? [`      ${f.name} calls in its steady minute: ${formatRoutes(f.steadyCallsByRoute)}`] : []
    ),
    `  app-wide Xero calls, most in any rolling minute (all organisations): ${appWideMax} (Xero allows 10,000)`,
  ];
}

function formatRoutes(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, n]) => `${route} ${n}`)
    .join(', ');
}

if (require.main === module) {
  const scenario = process.argv.includes('--backlog')
    ? 'backlog'
    : process.argv.includes('--resync')
      ? 'resync'
      : 'live';
  const scale = Number(/^--scale=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--scale=')) ?? '')?.[1] ?? 1);
  const organisations = process.argv.includes('--orgs=3') ? 3 : 1;
  runThroughputBench({ scenario, probes: scenario === 'live' ? 5 : 0, ...scaled(scale), organisations })
    .then((report) => console.log(formatThroughputReport(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
