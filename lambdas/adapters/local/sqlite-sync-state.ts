/** `SyncStateStore` in SQLite: what the connector knows about each synced Dataverse record. */
import type { SyncedTable } from '../../core/model/change-event';
import type { SyncRecord, SyncRecordRef, SyncRecordStatus, SyncStateStore, SyncStatus } from '../../core/ports';
import { migrate, type SqliteDatabase } from './sqlite-database';

const MIGRATIONS = [
  {
    version: 1,
    sql: `
      CREATE TABLE sync_state (
        record_table TEXT NOT NULL,
        record_id TEXT NOT NULL,
        xero_id TEXT,
        xero_key TEXT,
        version TEXT,
        status TEXT NOT NULL,
        message TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (record_table, record_id)
      );
      CREATE INDEX sync_state_by_status ON sync_state (status, updated_at);`,
  },
  {
    // Routing (several Xero organisations): the tenant joins the key. '' is the default (or only) organisation, so
    // every existing row keeps its meaning (core/routing/tenant-state.ts).
    version: 2,
    sql: `
      CREATE TABLE sync_state_v2 (
        record_table TEXT NOT NULL,
        record_id TEXT NOT NULL,
        tenant TEXT NOT NULL DEFAULT '',
        xero_id TEXT,
        xero_key TEXT,
        version TEXT,
        status TEXT NOT NULL,
        message TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (record_table, record_id, tenant)
      );
      INSERT INTO sync_state_v2 (record_table, record_id, tenant, xero_id, xero_key, version, status, message, updated_at)
        SELECT record_table, record_id, '', xero_id, xero_key, version, status, message, updated_at FROM sync_state;
      DROP TABLE sync_state;
      ALTER TABLE sync_state_v2 RENAME TO sync_state;
      CREATE INDEX sync_state_by_status ON sync_state (status, updated_at);`,
  },
];

interface SyncStateRow {
  record_table: SyncedTable;
  record_id: string;
  tenant: string;
  xero_id: string | null;
  xero_key: string | null;
  version: string | null;
  status: SyncRecordStatus;
  message: string | null;
  updated_at: string;
}

export class SqliteSyncStateStore implements SyncStateStore {
  constructor(private readonly db: SqliteDatabase) {
    migrate(db, 'sync-state', MIGRATIONS);
  }

  async get(table: SyncedTable, id: string, tenantId?: string): Promise<SyncRecord | null> {
    const row = this.db
      .prepare('SELECT * FROM sync_state WHERE record_table = ? AND record_id = ? AND tenant = ?')
      .get(table, id, tenantId ?? '') as SyncStateRow | undefined;
    return row ? toRecord(row) : null;
  }

  async put(record: SyncRecord): Promise<void> {
    this.upsert(record);
  }

  private upsert(record: SyncRecord): void {
    this.db
      .prepare(
        `INSERT INTO sync_state (record_table, record_id, tenant, xero_id, xero_key, version, status, message, updated_at)
         VALUES (@table, @id, @tenant, @xeroId, @xeroKey, @version, @status, @message, @updatedAt)
         ON CONFLICT (record_table, record_id, tenant) DO UPDATE SET
           xero_id = excluded.xero_id, xero_key = excluded.xero_key, version = excluded.version,
           status = excluded.status, message = excluded.message, updated_at = excluded.updated_at`
      )
      .run({
        table: record.table,
        id: record.id,
        tenant: record.tenantId ?? '',
        xeroId: record.xeroId ?? null,
        xeroKey: record.xeroKey ?? null,
        version: record.version ?? null,
        status: record.status,
        message: record.message ?? null,
        updatedAt: record.updatedAt,
      });
  }

  async getMany(refs: readonly SyncRecordRef[]): Promise<(SyncRecord | null)[]> {
    return Promise.all(refs.map((ref) => this.get(ref.table, ref.id, ref.tenantId)));
  }

  /** One transaction: a local disk write is cheap, and all or none of the batch lands. */
  async putMany(records: readonly SyncRecord[]): Promise<void> {
    const write = this.db.transaction((all: readonly SyncRecord[]) => {
      for (const record of all) this.upsert(record);
    });
    write(records);
  }

  /** Every record in a status (reconciliation walks the synced ones). */
  listByStatus(status: SyncStatus, limit = 100_000): SyncRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM sync_state WHERE status = ? ORDER BY record_table, record_id LIMIT ?')
      .all(status, limit) as SyncStateRow[];
    return rows.map(toRecord);
  }

  /** How many records are in each status, for the status page. */
  countByStatus(): Record<SyncRecordStatus, number> {
    const counts: Record<SyncRecordStatus, number> = { synced: 0, failed: 0, skipped: 0, creating: 0 };
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM sync_state GROUP BY status').all() as {
      status: SyncRecordStatus;
      n: number;
    }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}

function toRecord(row: SyncStateRow): SyncRecord {
  return {
    table: row.record_table,
    id: row.record_id,
    ...(row.tenant !== '' ? { tenantId: row.tenant } : {}),
    ...(row.xero_id !== null ? { xeroId: row.xero_id } : {}),
    ...(row.xero_key !== null ? { xeroKey: row.xero_key } : {}),
    ...(row.version !== null ? { version: row.version } : {}),
    status: row.status,
    ...(row.message !== null ? { message: row.message } : {}),
    updatedAt: row.updated_at,
  };
}
