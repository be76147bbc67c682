/** What one sweep run did, kept for the status page, `connector status` and the SweepMissedChanges metric. */
import type { SyncedTable } from '../model/change-event';
import type { CheckpointStore } from '../writeback/ports';

export interface SweepTableResult {
  readonly table: SyncedTable;
  /** Records whose modifiedon fell in the window. */
  readonly found: number;
  /** Changes put on the changes queue (found and not already handled). */
  readonly queued: number;
  /** Queued changes no webhook had delivered. */
  readonly missed: number;
  /** The page budget ran out: the rest waits for the next run. */
  readonly truncated: boolean;
  /** Why the table could not be swept this time (its checkpoint stays where it was). */
  readonly error?: string;
}

export interface SweepReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly tables: readonly SweepTableResult[];
  readonly found: number;
  readonly queued: number;
  readonly missed: number;
  /** Missed changes over every run since the state was created. */
  readonly missedTotal: number;
}

export const SWEEP_LAST_RUN = 'dataverse-sweep:last-run';
export const sweepCheckpointName = (table: SyncedTable) => `dataverse-sweep:${table}`;

export async function loadSweepReport(store: CheckpointStore): Promise<SweepReport | undefined> {
  const raw = await store.load(SWEEP_LAST_RUN);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as SweepReport;
  } catch {
    return undefined;
  }
}

export async function saveSweepReport(store: CheckpointStore, report: SweepReport): Promise<void> {
  await store.save(SWEEP_LAST_RUN, JSON.stringify(report));
}

export interface SweepStatus {
  readonly intervalSeconds?: number;
  readonly lastRunAt?: string;
  readonly found?: number;
  readonly queued?: number;
  /** Changes the last run found that no webhook had delivered. */
  readonly missedLastRun?: number;
  readonly missedTotal?: number;
  readonly problems?: readonly string[];
}

/** The sweep figures for /status (local and AWS). */
export function sweepStatusOf(checks: {
  readonly sweep?: SweepReport;
  readonly sweepIntervalSeconds?: number;
}): SweepStatus {
  const run = checks.sweep;
  const problems = run?.tables.filter((t) => t.error).map((t) => `${t.table}: ${t.error}`) ?? [];
  return {
    intervalSeconds: checks.sweepIntervalSeconds,
    ...(run && {
      lastRunAt: run.finishedAt,
      found: run.found,
      queued: run.queued,
      missedLastRun: run.missed,
      missedTotal: run.missedTotal,
    }),
    ...(problems.length > 0 && { problems }),
  };
}
