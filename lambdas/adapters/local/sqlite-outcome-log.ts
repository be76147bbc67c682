/**
 * `OutcomeSink` in SQLite: the local integration log. Recording never throws (a logging failure must not fail or
 * repeat a sync); it is logged instead. Old rows are pruned so the file does not grow without bound.
 */
import type { SyncedTable } from '../../core/model/change-event';
import type { Logger, OutcomeSink, SyncOutcome, SyncStatus } from '../../core/ports';
import { describeError } from '../../core/errors';
import { migrate, type SqliteDatabase } from './sqlite-database';
import { systemNow } from '../system-clock';

const MIGRATIONS = [
  {
    version: 1,
    sql: `
      CREATE TABLE outcome_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        recorded_at TEXT NOT NULL,
        record_table TEXT NOT NULL,
        record_id TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        xero_id TEXT,
        event TEXT NOT NULL,
        correlation_id TEXT,
        error_code TEXT,
        will_retry INTEGER
      );
      CREATE INDEX outcome_log_by_status ON outcome_log (status, seq);`,
  },
  // Routing (several Xero organisations): the organisation a record went to, when routing chose one.
  { version: 2, sql: 'ALTER TABLE outcome_log ADD COLUMN tenant_id TEXT;' },
];

export interface LoggedOutcome extends SyncOutcome {
  readonly seq: number;
  readonly recordedAt: string;
}

export interface OutcomeCounts {
  readonly synced: number;
  readonly failed: number;
  readonly skipped: number;
}

export interface SqliteOutcomeLogOptions {
  readonly logger?: Logger;
  /** Rows kept; older ones are pruned. Default 10 000. */
  readonly maxRows?: number;
  readonly now?: () => Date;
}

interface OutcomeRow {
  seq: number;
  recorded_at: string;
  record_table: SyncedTable;
  record_id: string;
  status: SyncStatus;
  message: string;
  xero_id: string | null;
  event: SyncOutcome['event'];
  correlation_id: string | null;
  error_code: string | null;
  will_retry: number | null;
  tenant_id: string | null;
}

const MAX_MESSAGE_LENGTH = 2000;
const PRUNE_EVERY = 100;

export class SqliteOutcomeLog implements OutcomeSink {
  private readonly maxRows: number;
  private readonly now: () => Date;
  private insertsSincePrune = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteOutcomeLogOptions = {}
  ) {
    this.maxRows = options.maxRows ?? 10_000;
    this.now = options.now ?? systemNow;
    migrate(db, 'outcome-log', MIGRATIONS);
  }

  async record(outcome: SyncOutcome): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO outcome_log (recorded_at, record_table, record_id, status, message, xero_id, event,
             correlation_id, error_code, will_retry, tenant_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          this.now().toISOString(),
          outcome.table,
          outcome.id,
          outcome.status,
          outcome.message.slice(0, MAX_MESSAGE_LENGTH),
          outcome.xeroId ?? null,
          outcome.event,
          outcome.correlationId ?? null,
          outcome.errorCode ?? null,
          outcome.willRetry === undefined ? null : outcome.willRetry ? 1 : 0,
          outcome.tenantId ?? null
        );
      this.insertsSincePrune += 1;
      if (this.insertsSincePrune >= PRUNE_EVERY) this.prune();
    } catch (error) {
      this.options.logger?.error('could not record sync outcome', {
        table: outcome.table,
        id: outcome.id,
        status: outcome.status,
        error: describeError(error),
      });
    }
  }

  /** Newest first. */
  recent(limit = 50): LoggedOutcome[] {
    const rows = this.db.prepare('SELECT * FROM outcome_log ORDER BY seq DESC LIMIT ?').all(limit) as OutcomeRow[];
    return rows.map(toOutcome);
  }

  /** Newest failures first. */
  failures(limit = 50): LoggedOutcome[] {
    const rows = this.db
      .prepare("SELECT * FROM outcome_log WHERE status = 'failed' ORDER BY seq DESC LIMIT ?")
      .all(limit) as OutcomeRow[];
    return rows.map(toOutcome);
  }

  /** Outcomes recorded per status (over the retained rows). */
  counts(): OutcomeCounts {
    const counts = { synced: 0, failed: 0, skipped: 0 };
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM outcome_log GROUP BY status').all() as {
      status: SyncStatus;
      n: number;
    }[];
    for (const row of rows) if (row.status in counts) counts[row.status] = row.n;
    return counts;
  }

  /** Deletes all but the newest `maxRows` rows. */
  prune(): void {
    this.insertsSincePrune = 0;
    this.db.prepare('DELETE FROM outcome_log WHERE seq <= (SELECT MAX(seq) FROM outcome_log) - ?').run(this.maxRows);
  }
}

function toOutcome(row: OutcomeRow): LoggedOutcome {
  return {
    seq: row.seq,
    recordedAt: row.recorded_at,
    table: row.record_table,
    id: row.record_id,
    status: row.status,
    message: row.message,
    event: row.event,
    ...(row.xero_id !== null ? { xeroId: row.xero_id } : {}),
    ...(row.correlation_id !== null ? { correlationId: row.correlation_id } : {}),
    ...(row.error_code !== null ? { errorCode: row.error_code } : {}),
    ...(row.will_retry !== null ? { willRetry: row.will_retry === 1 } : {}),
    ...(row.tenant_id !== null ? { tenantId: row.tenant_id } : {}),
  };
}
