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
  {
    // The status page shows records by name and links into Xero; it counts outcomes per hour and finds the
    // latest name of a record (for dead letters, which carry none).
    version: 2,
    sql: `
      ALTER TABLE outcome_log ADD COLUMN name TEXT;
      ALTER TABLE outcome_log ADD COLUMN xero_short_code TEXT;
      CREATE INDEX outcome_log_by_time ON outcome_log (recorded_at);
      CREATE INDEX outcome_log_by_record ON outcome_log (record_table, record_id, seq);`,
  },
  // Routing (several Xero organisations): the organisation a record went to, when routing chose one.
  { version: 3, sql: 'ALTER TABLE outcome_log ADD COLUMN tenant_id TEXT;' },
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
  name: string | null;
  xero_short_code: string | null;
  tenant_id: string | null;
}

/** Which outcomes a listing returns. */
export interface OutcomeQuery {
  readonly table?: SyncedTable;
  readonly status?: SyncStatus;
}

/** Synced and failed outcomes recorded in one UTC clock hour (`hourStart`: its first instant). */
export interface HourlyOutcomeCount {
  readonly hourStart: string;
  readonly synced: number;
  readonly failed: number;
}

const MAX_MESSAGE_LENGTH = 2000;
const MAX_NAME_LENGTH = 200;
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
             correlation_id, error_code, will_retry, name, xero_short_code, tenant_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
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
          outcome.name?.slice(0, MAX_NAME_LENGTH) ?? null,
          outcome.xeroShortCode ?? null,
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

  /** Newest first, optionally only one table's and/or one status's. */
  recent(limit = 50, query: OutcomeQuery = {}): LoggedOutcome[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM outcome_log WHERE (@table IS NULL OR record_table = @table)
           AND (@status IS NULL OR status = @status) ORDER BY seq DESC LIMIT @limit`
      )
      .all({ table: query.table ?? null, status: query.status ?? null, limit }) as OutcomeRow[];
    return rows.map(toOutcome);
  }

  /** Newest failures first. */
  failures(limit = 50, query: Pick<OutcomeQuery, 'table'> = {}): LoggedOutcome[] {
    return this.recent(limit, { ...query, status: 'failed' });
  }

  /** Synced and failed outcomes per UTC hour recorded at or after `since`, oldest first (hours with none left out). */
  hourly(since: Date): HourlyOutcomeCount[] {
    // recorded_at is an ISO instant (UTC): its first 13 characters name the hour.
    return this.db
      .prepare(
        `SELECT substr(recorded_at, 1, 13) || ':00:00.000Z' AS hourStart,
           SUM(CASE WHEN status = 'synced' THEN 1 ELSE 0 END) AS synced,
           SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
         FROM outcome_log WHERE recorded_at >= ? GROUP BY substr(recorded_at, 1, 13) ORDER BY hourStart`
      )
      .all(since.toISOString()) as HourlyOutcomeCount[];
  }

  /** The latest outcome of each of these records, by `table:id`. */
  latestOf(records: readonly { readonly table: SyncedTable; readonly id: string }[]): Map<string, LoggedOutcome> {
    const statement = this.db.prepare(
      'SELECT * FROM outcome_log WHERE record_table = ? AND record_id = ? ORDER BY seq DESC LIMIT 1'
    );
    const latest = new Map<string, LoggedOutcome>();
    for (const { table, id } of records) {
      const key = `${table}:${id}`;
      if (latest.has(key)) continue;
      const row = statement.get(table, id) as OutcomeRow | undefined;
      if (row) latest.set(key, toOutcome(row));
    }
    return latest;
  }

  /** The latest name recorded for each of these records (those never named are left out). */
  namesOf(records: readonly { readonly table: SyncedTable; readonly id: string }[]): Map<string, string> {
    const statement = this.db.prepare(
      `SELECT name FROM outcome_log WHERE record_table = ? AND record_id = ? AND name IS NOT NULL
       ORDER BY seq DESC LIMIT 1`
    );
    const names = new Map<string, string>();
    for (const { table, id } of records) {
      const key = `${table}:${id}`;
      if (names.has(key)) continue;
      const row = statement.get(table, id) as { name: string } | undefined;
      if (row) names.set(key, row.name);
    }
    return names;
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
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.xero_short_code !== null ? { xeroShortCode: row.xero_short_code } : {}),
    ...(row.tenant_id !== null ? { tenantId: row.tenant_id } : {}),
  };
}
