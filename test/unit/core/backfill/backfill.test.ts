import { openDatabase } from '../../../../lambdas/adapters/local/sqlite-database';
import { SqliteBackfillLedger } from '../../../../lambdas/adapters/local/sqlite-backfill-ledger';
import { backfillRunId, createBackfill, estimateBackfill } from '../../../../lambdas/core/backfill/backfill';
import type { SyncedTable } from '../../../../lambdas/core/model/change-event';
import { RecordingQueues, fixedClock } from '../../../helpers/in-memory-ports';

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

function lister(records: Partial<Record<SyncedTable, string[]>>, failAfter?: number) {
  let served = 0;
  return {
    async *listRecordIds(table: SyncedTable) {
      for (const id of records[table] ?? []) {
        if (failAfter !== undefined && served++ >= failAfter) throw new Error('Dataverse went away');
        yield id;
      }
    },
  };
}

describe('backfill', () => {
  it('should queue customers and products before orders, whatever order the tables were given in', async () => {
    const queues = new RecordingQueues();
    const backfill = createBackfill({
      lister: lister({ account: ids('a', 2), salesorder: ids('o', 2), product: ids('p', 1) }),
      changes: queues,
      ledger: new SqliteBackfillLedger(openDatabase({ memory: true })),
      clock: fixedClock(),
    });

    await backfill.run({ tables: ['salesorder', 'product', 'account'] });

    expect(queues.changes.map((c) => c.table)).toEqual(['account', 'account', 'product', 'salesorder', 'salesorder']);
    expect(queues.changes.every((c) => c.source === 'backfill')).toBe(true);
  });

  it('should resume an interrupted run without queueing anything twice', async () => {
    const records = { account: ids('a', 250), contact: ids('c', 120) };
    const ledger = new SqliteBackfillLedger(openDatabase({ memory: true }));
    const queues = new RecordingQueues();
    const interrupted = createBackfill({ lister: lister(records, 230), changes: queues, ledger, clock: fixedClock() });
    await expect(interrupted.run({ tables: ['account', 'contact'] })).rejects.toThrow('Dataverse went away');
    expect(queues.changes).toHaveLength(200); // two full batches of 100 were queued before the failure

    const resumed = createBackfill({ lister: lister(records), changes: queues, ledger, clock: fixedClock() });
    const result = await resumed.run({ tables: ['account', 'contact'] });

    expect(queues.changes).toHaveLength(370);
    expect(new Set(queues.changes.map((c) => c.id)).size).toBe(370);
    expect(result.tables).toEqual([
      { table: 'account', listed: 250, queued: 50 },
      { table: 'contact', listed: 120, queued: 120 },
    ]);
  });

  it('should treat the same tables and window as the same run, and a different window as a new one', () => {
    expect(backfillRunId({ tables: ['account', 'contact'] })).toBe(backfillRunId({ tables: ['contact', 'account'] }));
    expect(backfillRunId({ tables: ['account'] })).not.toBe(
      backfillRunId({ tables: ['account'], since: '2026-01-01T00:00:00.000Z' })
    );
  });

  it('should estimate Xero calls and days against the day budget', () => {
    expect(estimateBackfill({ account: 1500, salesorder: 120 }, 1000)).toEqual({
      records: { account: 1500, salesorder: 120 },
      xeroCalls: 30 * 2 + 3 * 4,
      dayBudget: 1000,
      days: 1,
    });
    expect(estimateBackfill({ account: 40_000 }, 1000).days).toBe(2);
    expect(estimateBackfill({}, 1000).days).toBe(0);
  });
});
