/**
 * The StatusSnapshot on AWS, assembled from its sources:
 * 1. the connection from the token function (the only reader of the token set), its refresh token's life as dates;
 * 2. queue depths and dead counts (GetQueueAttributes) and the dead letters themselves (a DLQ peek);
 * 3. counts, 24 hourly buckets, recent outcomes and final failures from the outcome journal (DynamoDB);
 * 4. the sweep's and the preflight's latest reports.
 * The connection and the queues must answer; the rest degrades to a warning so the page still shows what it can.
 */
import type { JournalView } from '../../adapters/aws/outcome-journal-reader';
import type { ConnectionStatus } from '../../core/connection/types';
import { describeError } from '../../core/errors';
import type { PreflightStatus } from '../../core/preflight/preflight-report';
import type { Clock, Logger } from '../../core/ports';
import { NO_TENANT_PIN_WARNING, statusConnectionOf } from '../../core/status/status-connection';
import { type StatusDeadLetter, type StatusSnapshot } from '../../core/status/status-snapshot';
import type { SweepStatus } from '../../core/sweep/sweep-report';

interface Checks {
  readonly sweep?: SweepStatus;
  readonly preflight?: PreflightStatus;
}

export interface AwsStatusSources {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly connection: () => Promise<ConnectionStatus>;
  /** XERO_TENANT_ID is set (or a custom connection): a consent can only connect that organisation. */
  readonly tenantPinned: () => Promise<boolean>;
  readonly queues: () => Promise<StatusSnapshot['queues']>;
  readonly deadLetters: () => Promise<StatusDeadLetter[]>;
  readonly journal: (now: Date) => Promise<JournalView>;
  readonly checks?: () => Promise<Checks>;
  /** Where the page's Connect/Reconnect button goes (the stage's /oauth/xero/connect). */
  readonly connectPath: string;
}

const EMPTY_JOURNAL: JournalView = {
  counts: { synced: 0, failed: 0, skipped: 0 },
  hourly: [],
  recent: [],
  failures: [],
  unlisted: 0,
};

export async function awsStatusSnapshot(sources: AwsStatusSources): Promise<StatusSnapshot> {
  const now = sources.clock.now();
  const warnings: string[] = [];
  const optional = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      sources.logger.warn('status source unavailable', { source: what, error: describeError(error) });
      warnings.push(`The ${what} could not be read just now; see the oauth function's logs.`);
      return fallback;
    }
  };
  const [status, pinned, queues, deadLetters, journal, checks] = await Promise.all([
    sources.connection(),
    sources.tenantPinned(),
    sources.queues(),
    optional('dead letters', sources.deadLetters, []),
    optional('outcome journal', () => sources.journal(now), EMPTY_JOURNAL),
    optional<Checks>('sweep and preflight reports', () => sources.checks?.() ?? Promise.resolve({}), {}),
  ]);
  if (!pinned) {
    warnings.unshift(NO_TENANT_PIN_WARNING);
  }
  if (journal.unlisted > 0) {
    warnings.push(`${journal.unlisted} outcomes of the last 24 hours are counted but not listed (a busy hour).`);
  }
  return {
    runtime: 'aws',
    generatedAt: now.toISOString(),
    connection: statusConnectionOf(status, now, { tenantPinned: pinned }),
    queues,
    counts: journal.counts,
    hourly: journal.hourly,
    recent: journal.recent,
    failures: journal.failures,
    deadLetters,
    connectPath: sources.connectPath,
    ...(checks.sweep ? { sweep: checks.sweep } : {}),
    ...(checks.preflight ? { preflight: checks.preflight } : {}),
    warnings,
  };
}
