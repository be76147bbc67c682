import { migrate, openDatabase, type SqliteDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteOutcomeLog } from '../../../lambdas/adapters/local/sqlite-outcome-log';
import type { SyncOutcome } from '../../../lambdas/core/ports';

const outcome = (overrides: Partial<SyncOutcome> = {}): SyncOutcome => ({
  table: 'account',
  id: 'a-1',
  status: 'synced',
  message: 'ok',
  event: 'Update',
  ...overrides,
});

describe('SqliteOutcomeLog for the status page', () => {
  const open: SqliteDatabase[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });

  function makeLog() {
    const clock = { now: new Date('2026-12-08T01:20:00.000Z') };
    const db = openDatabase({ memory: true });
    open.push(db);
    return { log: new SqliteOutcomeLog(db, { now: () => clock.now }), clock, db };
  }

  it('should keep the name and ShortCode of each outcome', async () => {
    const { log } = makeLog();
    await log.record(outcome({ name: 'Northwind Roasters', xeroId: 'x-1', xeroShortCode: '!AbC' }));
    expect(log.recent(1)[0]).toMatchObject({ name: 'Northwind Roasters', xeroId: 'x-1', xeroShortCode: '!AbC' });
  });

  it('should count synced and failed outcomes per UTC hour since a time', async () => {
    const { log, clock } = makeLog();
    await log.record(outcome({ status: 'synced' })); // 01:20, before `since`
    clock.now = new Date('2026-12-08T02:05:00.000Z');
    await log.record(outcome({ status: 'synced' }));
    await log.record(outcome({ status: 'failed' }));
    await log.record(outcome({ status: 'skipped' }));
    clock.now = new Date('2026-12-08T03:59:59.999Z');
    await log.record(outcome({ status: 'synced' }));
    expect(log.hourly(new Date('2026-12-08T02:00:00.000Z'))).toEqual([
      { hourStart: '2026-12-08T02:00:00.000Z', synced: 1, failed: 1 },
      { hourStart: '2026-12-08T03:00:00.000Z', synced: 1, failed: 0 },
    ]);
  });

  it("should list one table's or one status's outcomes, and find each record's latest name", async () => {
    const { log } = makeLog();
    await log.record(outcome({ table: 'product', id: 'p-1', name: 'Beans (old)' }));
    await log.record(outcome({ table: 'product', id: 'p-1', name: 'Beans' }));
    await log.record(outcome({ table: 'product', id: 'p-1', status: 'failed' }));
    await log.record(outcome({ table: 'account', id: 'a-1', status: 'failed' }));
    expect(log.recent(10, { table: 'product' }).map((o) => o.status)).toEqual(['failed', 'synced', 'synced']);
    expect(log.recent(10, { status: 'failed' }).map((o) => o.table)).toEqual(['account', 'product']);
    expect(log.failures(10, { table: 'account' }).map((o) => o.id)).toEqual(['a-1']);
    const names = log.namesOf([
      { table: 'product', id: 'p-1' },
      { table: 'account', id: 'a-1' },
    ]);
    expect([...names]).toEqual([['product:p-1', 'Beans']]);
  });

  it('should migrate a log written before names were kept, keeping its rows', async () => {
    const db = openDatabase({ memory: true });
    open.push(db);
    // The first version of the schema, as an existing connector.db has it.
    migrate(db, 'outcome-log', [
      {
        version: 1,
        sql: `CREATE TABLE outcome_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL,
          record_table TEXT NOT NULL, record_id TEXT NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
          xero_id TEXT, event TEXT NOT NULL, correlation_id TEXT, error_code TEXT, will_retry INTEGER);`,
      },
    ]);
    db.prepare(
      "INSERT INTO outcome_log (recorded_at, record_table, record_id, status, message, event) VALUES ('2026-12-08T01:00:00.000Z', 'account', 'old', 'synced', 'ok', 'Create')"
    ).run();
    const log = new SqliteOutcomeLog(db, { now: () => new Date('2026-12-08T02:00:00.000Z') });
    await log.record(outcome({ id: 'new', name: 'New Co' }));
    expect(log.recent(5).map((o) => [o.id, o.name])).toEqual([
      ['new', 'New Co'],
      ['old', undefined],
    ]);
  });
});
