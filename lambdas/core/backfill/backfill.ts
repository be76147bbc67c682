/**
 * Backfill: page through Dataverse and queue every record of the chosen tables as a change, in dependency order
 * (customers and products before orders). Resumable: a ledger remembers what a run already queued, so an
 * interrupted run picks up where it stopped. It never duplicates in Xero either way — queued changes go through the
 * normal sync, which looks records up by their natural key before creating them.
 */
import { createHash } from 'node:crypto';
import { SYNCED_TABLES, type ChangeEvent, type SyncedTable } from '../model/change-event';
import type { ChangeQueue, Clock } from '../ports';

export interface RecordLister {
  listRecordIds(table: SyncedTable, since?: string): AsyncIterable<string>;
}

/** What a run has already queued (SQLite locally). */
export interface BackfillLedger {
  queued(runId: string, table: SyncedTable, ids: readonly string[]): Promise<Set<string>>;
  remember(runId: string, table: SyncedTable, ids: readonly string[]): Promise<void>;
}

export interface BackfillRequest {
  readonly tables: readonly SyncedTable[];
  /** Only records modified at or after this instant (ISO 8601). */
  readonly since?: string;
}

export interface BackfillEstimate {
  readonly records: Readonly<Partial<Record<SyncedTable, number>>>;
  /**
   * Xero calls the sync needs at most: a lookup and a save per batch of 50, more for invoices (customer, items).
   * Records new to Xero usually cost less — the key index replaces their lookups with one listing per kind.
   */
  readonly xeroCalls: number;
  readonly dayBudget: number;
  /** Days of Xero's day budget the calls take (at least 1 when there is anything to do). */
  readonly days: number;
}

export interface BackfillProgress {
  readonly table: SyncedTable;
  readonly listed: number;
  readonly queued: number;
}

export interface BackfillRunOptions {
  /**
   * Asked before each batch and each table: true stops the run cleanly after the last batch it queued (a Lambda
   * nearing its timeout). The ledger lets the next run with the same request carry on from there.
   */
  readonly shouldStop?: () => boolean;
}

export interface BackfillRunResult {
  readonly runId: string;
  readonly tables: BackfillProgress[];
  /** False when `shouldStop` ended the run before every table was listed to the end. */
  readonly complete: boolean;
}

const BATCH = 100;
const CALLS_PER_BATCH: Record<SyncedTable, number> = { account: 2, contact: 2, product: 2, salesorder: 4 };

/** Same tables and window → same run: re-running an interrupted backfill resumes it. */
export function backfillRunId(request: BackfillRequest): string {
  const tables = [...request.tables].sort().join(',');
  return createHash('sha256')
    .update(`${tables}|${request.since ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

export function orderedTables(tables: readonly SyncedTable[]): SyncedTable[] {
  return SYNCED_TABLES.filter((table) => tables.includes(table));
}

export function estimateBackfill(records: Partial<Record<SyncedTable, number>>, dayBudget: number): BackfillEstimate {
  let xeroCalls = 0;
  for (const [table, count] of Object.entries(records) as [SyncedTable, number][]) {
    xeroCalls += Math.ceil(count / 50) * CALLS_PER_BATCH[table];
  }
  return { records, xeroCalls, dayBudget, days: xeroCalls === 0 ? 0 : Math.max(1, Math.ceil(xeroCalls / dayBudget)) };
}

export function createBackfill(deps: {
  lister: RecordLister;
  changes: ChangeQueue;
  ledger: BackfillLedger;
  clock: Clock;
}) {
  async function count(request: BackfillRequest): Promise<Partial<Record<SyncedTable, number>>> {
    const records: Partial<Record<SyncedTable, number>> = {};
    for (const table of orderedTables(request.tables)) {
      let n = 0;
      for await (const _id of deps.lister.listRecordIds(table, request.since)) n++;
      records[table] = n;
    }
    return records;
  }

  async function run(
    request: BackfillRequest,
    onProgress: (progress: BackfillProgress) => void = () => undefined,
    options: BackfillRunOptions = {}
  ): Promise<BackfillRunResult> {
    const runId = backfillRunId(request);
    const totals: BackfillProgress[] = [];
    const shouldStop = options.shouldStop ?? (() => false);
    for (const table of orderedTables(request.tables)) {
      if (shouldStop()) return { runId, tables: totals, complete: false };
      let listed = 0;
      let queued = 0;
      let batch: string[] = [];
      const flush = async () => {
        const already = await deps.ledger.queued(runId, table, batch);
        const fresh = batch.filter((id) => !already.has(id));
        if (fresh.length > 0) {
          await deps.changes.enqueue(fresh.map((id) => changeOf(table, id, runId, deps.clock.now())));
          await deps.ledger.remember(runId, table, fresh);
          queued += fresh.length;
        }
        batch = [];
        onProgress({ table, listed, queued });
      };
      for await (const id of deps.lister.listRecordIds(table, request.since)) {
        listed++;
        batch.push(id);
        if (batch.length >= BATCH) {
          await flush();
          // Only between batches: everything listed so far is queued and remembered, so nothing is half done.
          if (shouldStop()) {
            totals.push({ table, listed, queued });
            return { runId, tables: totals, complete: false };
          }
        }
      }
      await flush();
      totals.push({ table, listed, queued });
    }
    return { runId, tables: totals, complete: true };
  }

  return { count, run };
}

function changeOf(table: SyncedTable, id: string, runId: string, now: Date): ChangeEvent {
  return {
    table,
    id,
    message: 'Update',
    occurredAt: now.toISOString(),
    dedupeId: `backfill:${runId}:${table}:${id}`,
    source: 'backfill',
  };
}
