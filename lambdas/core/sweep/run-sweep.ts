/**
 * Catch-up sweep: Dataverse retries a webhook only after a 502/503/504, so a throttled, refused or timed-out delivery
 * is gone, and state changes made by messages without a registered step never reach an Update webhook. The sweep
 * finds such changes by `modifiedon` and puts them on the changes queue like any webhook.
 *
 * 1. For each synced table (dependency order), read its checkpoint; without one, look an hour back.
 * 2. Ask Dataverse for records with `modifiedon ge checkpoint − overlap` (overlap absorbs clock skew and transactions
 *    that commit after they stamped modifiedon), oldest first, within a page budget.
 * 3. Judge each found change against the sync state and the sightings (judge-found-change.ts): already handled →
 *    nothing; otherwise queue an Update change (dedupe id `sweep:table:id:modifiedon`), counting the missed ones.
 * 4. Only after the queue accepted them: note them as delivered (a later run does not queue or count them again) and
 *    advance the checkpoint (to the query start, or to the last change read when the page budget ran out).
 * 5. A table that fails keeps its checkpoint and is retried next run; the others go on. Store and return the report.
 */
import type { RoutingSettings } from '../routing/routing-settings';
import { syncedVersionOf } from '../routing/tenant-state';
import { describeError } from '../errors';
import { SYNCED_TABLES, type ChangeEvent, type SyncedTable } from '../model/change-event';
import type { ChangeQueue, Clock, Logger, SyncStateStore } from '../ports';
import type { CheckpointStore } from '../writeback/ports';
import { judgeFoundChange } from './judge-found-change';
import type { ChangeSightings, ModifiedRecordFinder } from './ports';
import {
  loadSweepReport,
  saveSweepReport,
  sweepCheckpointName,
  type SweepReport,
  type SweepTableResult,
} from './sweep-report';

export const DEFAULT_SWEEP_OVERLAP_MS = 5 * 60_000;
/** Without a checkpoint (first run, new table), how far back to look: longer than any sensible sweep period. */
export const DEFAULT_FIRST_RUN_LOOKBACK_MS = 60 * 60_000;

export interface SweepDeps {
  readonly finder: ModifiedRecordFinder;
  readonly state: SyncStateStore;
  readonly sightings: ChangeSightings;
  readonly changes: ChangeQueue;
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly syncedTables: readonly SyncedTable[];
  /** Routing (several Xero organisations): a record synced to any of them counts as seen at that version. */
  readonly routing?: RoutingSettings;
  /** How far before the checkpoint each query starts (default 5 minutes). */
  readonly overlapMs?: number;
  /** Without a checkpoint, start this far back (default 1 hour), so changes since start-up are not skipped. */
  readonly firstRunLookbackMs?: number;
}

export function createSweep(deps: SweepDeps) {
  const overlapMs = deps.overlapMs ?? DEFAULT_SWEEP_OVERLAP_MS;
  const lookbackMs = Math.max(deps.firstRunLookbackMs ?? DEFAULT_FIRST_RUN_LOOKBACK_MS, overlapMs);

  async function sweepTable(table: SyncedTable, startedAt: Date): Promise<SweepTableResult> {
    const checkpoint = await deps.checkpoints.load(sweepCheckpointName(table));
    const since = new Date(
      checkpoint === undefined ? startedAt.getTime() - lookbackMs : Date.parse(checkpoint) - overlapMs
    ).toISOString();
    const found = await deps.finder.findModifiedSince(table, since);
    const queue: ChangeEvent[] = [];
    let missed = 0;
    for (const change of found.changes) {
      const synced = await syncedVersionOf(deps.routing, deps.state, table, change.id);
      const verdict = judgeFoundChange(change.modifiedon, synced, await deps.sightings.get(table, change.id));
      if (!verdict.queue) continue;
      if (verdict.missed) missed += 1;
      queue.push({
        table,
        id: change.id,
        message: 'Update',
        occurredAt: change.modifiedon,
        dedupeId: `sweep:${table}:${change.id}:${change.modifiedon}`,
        source: 'sweep',
      });
    }
    if (queue.length > 0) await deps.changes.enqueue(queue);
    for (const event of queue) await deps.sightings.note(table, event.id, 'delivered', event.occurredAt);
    await deps.checkpoints.save(sweepCheckpointName(table), nextCheckpoint(found, startedAt, overlapMs));
    if (missed > 0) deps.logger.warn('sweep found changes no webhook delivered', { table, missed });
    return { table, found: found.changes.length, queued: queue.length, missed, truncated: found.truncated };
  }

  return async function sweep(): Promise<SweepReport> {
    const startedAt = deps.clock.now();
    const previous = await loadSweepReport(deps.checkpoints).catch(() => undefined);
    const tables: SweepTableResult[] = [];
    for (const table of SYNCED_TABLES.filter((t) => deps.syncedTables.includes(t))) {
      try {
        tables.push(await sweepTable(table, startedAt));
      } catch (error) {
        const message = describeError(error);
        deps.logger.warn('sweep of a table failed', { table, error: message });
        tables.push({ table, found: 0, queued: 0, missed: 0, truncated: false, error: message });
      }
    }
    const sum = (pick: (r: SweepTableResult) => number) => tables.reduce((total, r) => total + pick(r), 0);
    const report: SweepReport = {
      startedAt: startedAt.toISOString(),
      finishedAt: deps.clock.now().toISOString(),
      tables,
      found: sum((r) => r.found),
      queued: sum((r) => r.queued),
      missed: sum((r) => r.missed),
      missedTotal: (previous?.missedTotal ?? 0) + sum((r) => r.missed),
    };
    await saveSweepReport(deps.checkpoints, report);
    return report;
  };
}

/**
 * Where the next run starts (before the overlap). Normally the moment this query started. When the page budget ran
 * out, the last change read plus the overlap, so the next query starts exactly at that change: progress is certain
 * even when the window holds more than a run's budget (those re-read at that instant are already noted, not re-queued).
 */
function nextCheckpoint(
  found: { readonly changes: readonly { modifiedon: string }[]; readonly truncated: boolean },
  startedAt: Date,
  overlapMs: number
): string {
  const last = found.changes[found.changes.length - 1];
  if (!found.truncated || !last) return startedAt.toISOString();
  return new Date(Date.parse(last.modifiedon) + overlapMs).toISOString();
}
