import type { BackfillLedger } from '../../core/backfill/backfill';
import type { SyncedTable } from '../../core/model/change-event';
import { migrate, type SqliteDatabase } from './sqlite-database';

/** Which records a backfill run has queued, so an interrupted run resumes instead of starting over. */
export class SqliteBackfillLedger implements BackfillLedger {
  constructor(private readonly db: SqliteDatabase) {
    migrate(db, 'backfill', [
      {
        version: 1,
        sql: `CREATE TABLE backfill_ledger (run_id TEXT NOT NULL, tbl TEXT NOT NULL, record_id TEXT NOT NULL,
                PRIMARY KEY (run_id, tbl, record_id))`,
      },
    ]);
  }

  async queued(runId: string, table: SyncedTable, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const lookup = this.db.prepare('SELECT 1 FROM backfill_ledger WHERE run_id = ? AND tbl = ? AND record_id = ?');
    for (const id of ids) if (lookup.get(runId, table, id)) found.add(id);
    return found;
  }

  async remember(runId: string, table: SyncedTable, ids: readonly string[]): Promise<void> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO backfill_ledger (run_id, tbl, record_id) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const id of ids) insert.run(runId, table, id);
    })();
  }
}
