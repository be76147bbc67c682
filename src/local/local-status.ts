/**
 * The local runtime's StatusSnapshot, read from SQLite: the connection from the token service, queue depths and
 * dead letters from the queue, outcomes (with names), the hourly chart and counts from the outcome log, and the
 * sweep and preflight figures. Records link into Dynamics (the Dataverse URL) and into Xero (the ShortCode the
 * outcome carried, else the one the preflight read).
 */
import type { SqliteOutcomeLog, LoggedOutcome } from '../../lambdas/adapters/local/sqlite-outcome-log';
import type { DeadLetter, QueueName, SqliteQueue } from '../../lambdas/adapters/local/sqlite-queue';
import { parseChangeEventBody } from '../../lambdas/adapters/local/sqlite-change-queue';
import type { ConnectionStatus } from '../../lambdas/core/connection/types';
import { isSyncedTable, type SyncedTable } from '../../lambdas/core/model/change-event';
import type { XeroWrite } from '../../lambdas/core/model/xero-write';
import type { Clock } from '../../lambdas/core/ports';
import { firstChartHour, lastDayHours } from '../../lambdas/core/status/hourly';
import { statusRecordOf, type RecordLinkOptions } from '../../lambdas/core/status/record-links';
import { statusConnectionOf, statusWarnings } from '../../lambdas/core/status/status-connection';
import type { StatusFilter } from '../../lambdas/core/status/status-filter';
import type { StatusDeadLetter, StatusOutcome, StatusSnapshot } from '../../lambdas/core/status/status-snapshot';
import { recordNameOf } from '../../lambdas/core/sync/record-name';
import { preflightStatusOf, sweepStatusOf, type StatusChecks } from './status-checks';

export interface LocalStatusDeps {
  readonly mode: 'real' | 'sandbox';
  readonly clock: Clock;
  readonly tokenService: { status(now: Date): Promise<ConnectionStatus> };
  readonly queue: Pick<SqliteQueue, 'depth' | 'deadLetters'>;
  readonly outcomes: Pick<SqliteOutcomeLog, 'counts' | 'recent' | 'failures' | 'hourly' | 'namesOf' | 'latestOf'>;
  readonly tenantPinned?: boolean;
  readonly checks?: () => Promise<StatusChecks>;
  /** The Dataverse organisation URL: records then link into Dynamics 365. */
  readonly dataverseUrl?: string;
  readonly connectPath: string;
}

const ROWS = 25;
const DEAD_LETTERS_PER_QUEUE = 50;
const QUEUES: readonly QueueName[] = ['changes', 'writes', 'xero-events'];

export async function localStatusSnapshot(deps: LocalStatusDeps, filter: StatusFilter = {}): Promise<StatusSnapshot> {
  const now = deps.clock.now();
  const checks = await checksOf(deps.checks);
  const links: RecordLinkOptions = {
    ...(deps.dataverseUrl ? { dataverseUrl: deps.dataverseUrl } : {}),
    ...(checks.preflight?.organisation?.shortCode ? { xeroShortCode: checks.preflight.organisation.shortCode } : {}),
  };
  const queues = Object.fromEntries(
    QUEUES.map((name) => {
      const d = deps.queue.depth(name);
      return [name, { depth: d.ready + d.inFlight + d.delayed, dead: d.deadLetters }];
    })
  );
  const connection = statusConnectionOf(await deps.tokenService.status(now), now, {
    tenantPinned: deps.tenantPinned ?? false,
  });
  const rows = (outcomes: readonly LoggedOutcome[]) => withNames(deps, outcomes).map((o) => outcomeOf(o, links));
  return {
    runtime: deps.mode === 'sandbox' ? 'sandbox' : 'local',
    generatedAt: now.toISOString(),
    connection,
    queues,
    counts: deps.outcomes.counts(),
    hourly: lastDayHours(now, deps.outcomes.hourly(firstChartHour(now))),
    recent: rows(
      deps.outcomes.recent(ROWS, {
        ...(filter.table && { table: filter.table }),
        ...(filter.outcome && { status: filter.outcome }),
      })
    ),
    failures: filter.outcome && filter.outcome !== 'failed' ? [] : rows(openFailures(deps, filter)),
    deadLetters: deadLettersOf(deps, links).filter((d) => !filter.table || d.record?.table === filter.table),
    connectPath: deps.connectPath,
    ...checks,
    warnings: statusWarnings(connection),
  };
}

/**
 * Failures that still need a person: not retried, and still the latest outcome of their record (a record synced
 * since, or failing again on a retry, shows once, as it is now).
 */
function openFailures(deps: LocalStatusDeps, filter: StatusFilter): LoggedOutcome[] {
  const failures = deps.outcomes.failures(ROWS * 4, filter.table ? { table: filter.table } : {});
  const latest = deps.outcomes.latestOf(failures);
  return failures
    .filter((o) => o.willRetry === false && latest.get(`${o.table}:${o.id}`)?.seq === o.seq)
    .slice(0, ROWS);
}

/** Failures logged before the write (map stage) carry no name: take the latest one the record had. */
function withNames(deps: LocalStatusDeps, outcomes: readonly LoggedOutcome[]): LoggedOutcome[] {
  const unnamed = outcomes.filter((o) => !o.name);
  if (unnamed.length === 0) return [...outcomes];
  const names = deps.outcomes.namesOf(unnamed);
  return outcomes.map((o) =>
    o.name ? o : { ...o, ...(names.has(`${o.table}:${o.id}`) && { name: names.get(`${o.table}:${o.id}`) }) }
  );
}

function outcomeOf(o: LoggedOutcome, links: RecordLinkOptions): StatusOutcome {
  return {
    ...statusRecordOf(o, links),
    at: o.recordedAt,
    status: o.status,
    message: o.message,
    ...(o.xeroId ? { xeroId: o.xeroId } : {}),
  };
}

/** Every queue's dead letters, newest first, each named by its message id (the retryKey). */
function deadLettersOf(deps: LocalStatusDeps, links: RecordLinkOptions): StatusDeadLetter[] {
  const letters = QUEUES.flatMap((queue) => deps.queue.deadLetters(queue, DEAD_LETTERS_PER_QUEUE)).sort(
    (a, b) => b.deadAt.getTime() - a.deadAt.getTime()
  );
  const records = letters.map(recordOfDeadLetter);
  const names = deps.outcomes.namesOf(records.filter((r): r is NonNullable<typeof r> => r !== undefined && !r.name));
  return letters.map((letter, i) => {
    const found = records[i];
    const name = found?.name ?? (found ? names.get(`${found.table}:${found.id}`) : undefined);
    return {
      queue: letter.queue,
      retryKey: letter.id,
      ...(found ? { record: statusRecordOf({ ...found, ...(name && { name }) }, links) } : {}),
      reason: letter.lastError,
      at: letter.deadAt.toISOString(),
    };
  });
}

/** The record a dead letter is about: a change names it, a Xero write carries its source (and its name). */
export function recordOfDeadLetter(
  letter: Pick<DeadLetter, 'queue' | 'body'>
): { table: SyncedTable; id: string; name?: string } | undefined {
  try {
    if (letter.queue === 'changes') {
      const event = parseChangeEventBody(letter.body);
      return { table: event.table, id: event.id };
    }
    if (letter.queue === 'writes') {
      const write = JSON.parse(letter.body) as XeroWrite;
      if (!write?.source || !isSyncedTable(write.source.table) || typeof write.source.id !== 'string') return undefined;
      const name = recordNameOf(write);
      return { table: write.source.table, id: write.source.id, ...(name && { name }) };
    }
  } catch {
    // A body that cannot be read is still listed (and retried) by its id and reason.
  }
  return undefined;
}

/** The sweep and preflight figures; a store that cannot be read leaves them out rather than failing /status. */
async function checksOf(
  read: (() => Promise<StatusChecks>) | undefined
): Promise<Pick<StatusSnapshot, 'sweep' | 'preflight'>> {
  if (!read) return {};
  try {
    const checks = await read();
    const preflight = preflightStatusOf(checks.preflight);
    return { sweep: sweepStatusOf(checks), ...(preflight ? { preflight } : {}) };
  } catch {
    return {};
  }
}
