import { migrate, openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteSyncStateStore } from '../../../lambdas/adapters/local/sqlite-sync-state';
import { SqliteOutcomeLog } from '../../../lambdas/adapters/local/sqlite-outcome-log';

const DE = '22222222-2222-4222-8222-222222222222';
const at = '2026-01-01T00:00:00Z';

describe('SqliteSyncStateStore with several Xero organisations', () => {
  it('should keep one record per organisation for the same Dataverse record', async () => {
    const store = new SqliteSyncStateStore(openDatabase({ memory: true }));
    const home = { table: 'account' as const, id: 'a', status: 'synced' as const, xeroId: 'x-uk', updatedAt: at };
    const germany = { ...home, tenantId: DE, xeroId: 'x-de' };
    await store.putMany([home, germany]);

    expect(await store.get('account', 'a')).toEqual(home);
    expect(await store.get('account', 'a', DE)).toEqual(germany);
    expect(
      await store.getMany([
        { table: 'account', id: 'a', tenantId: DE },
        { table: 'account', id: 'a' },
      ])
    ).toEqual([germany, home]);
  });

  it('should keep the records written before the tenant joined the key, as the default organisation', async () => {
    const db = openDatabase({ memory: true });
    // The schema as it was (version 1), with a record in it.
    migrate(db, 'sync-state', [
      {
        version: 1,
        sql: `CREATE TABLE sync_state (record_table TEXT NOT NULL, record_id TEXT NOT NULL, xero_id TEXT, xero_key TEXT,
                version TEXT, status TEXT NOT NULL, message TEXT, updated_at TEXT NOT NULL,
                PRIMARY KEY (record_table, record_id));
              CREATE INDEX sync_state_by_status ON sync_state (status, updated_at);`,
      },
    ]);
    db.prepare(
      "INSERT INTO sync_state (record_table, record_id, xero_key, status, updated_at) VALUES ('salesorder', 'o', 'SO-1', 'synced', ?)"
    ).run(at);

    const store = new SqliteSyncStateStore(db);

    expect(await store.get('salesorder', 'o')).toEqual({
      table: 'salesorder',
      id: 'o',
      xeroKey: 'SO-1',
      status: 'synced',
      updatedAt: at,
    });
    expect(await store.get('salesorder', 'o', DE)).toBeNull();
    expect(store.countByStatus().synced).toBe(1);
  });
});

describe('SqliteOutcomeLog with several Xero organisations', () => {
  it('should keep the organisation an outcome was written to', async () => {
    const log = new SqliteOutcomeLog(openDatabase({ memory: true }), { now: () => new Date(at) });

    await log.record({
      table: 'salesorder',
      id: 'o',
      status: 'synced',
      message: 'created',
      event: 'Update',
      tenantId: DE,
    });
    await log.record({ table: 'salesorder', id: 'p', status: 'synced', message: 'created', event: 'Update' });

    expect(log.recent().map((o) => [o.id, o.tenantId])).toEqual([
      ['p', undefined],
      ['o', DE],
    ]);
  });
});
