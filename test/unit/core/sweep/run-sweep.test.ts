import type { SyncedTable } from '../../../../lambdas/core/model/change-event';
import { judgeFoundChange } from '../../../../lambdas/core/sweep/judge-found-change';
import { MemoryChangeSightings } from '../../../../lambdas/core/sweep/memory-change-sightings';
import type { FoundChange, FoundChanges, ModifiedRecordFinder } from '../../../../lambdas/core/sweep/ports';
import { createSweep } from '../../../../lambdas/core/sweep/run-sweep';
import { noteDeliveredChanges } from '../../../../lambdas/core/sweep/sighting-queue';
import { loadSweepReport, sweepCheckpointName } from '../../../../lambdas/core/sweep/sweep-report';
import { InMemoryCheckpointStore } from '../../../../lambdas/core/writeback/memory-checkpoint-store';
import { TransientError } from '../../../../lambdas/core/errors';
import { parseChangeEvent } from '../../../../lambdas/core/sync/schemas';
import { InMemorySyncState, RecordingQueues, recordingLogger } from '../../../helpers/in-memory-ports';

const NOW = '2026-11-26T10:00:00.000Z';
const ID1 = '00000000-0000-0000-0000-000000000001';
const ID2 = '00000000-0000-0000-0000-000000000002';

/** Serves canned changes per table and remembers the `since` of every query. */
class FakeFinder implements ModifiedRecordFinder {
  readonly queries: Array<{ table: SyncedTable; since: string }> = [];
  constructor(
    private readonly changes: Partial<Record<SyncedTable, FoundChange[]>>,
    private readonly failing: SyncedTable[] = [],
    private readonly truncated = false
  ) {}
  async findModifiedSince(table: SyncedTable, since: string): Promise<FoundChanges> {
    this.queries.push({ table, since });
    if (this.failing.includes(table)) throw new TransientError('Dataverse unavailable', 'DATAVERSE_HTTP_503');
    const changes = (this.changes[table] ?? []).filter((c) => Date.parse(c.modifiedon) >= Date.parse(since));
    return { changes, truncated: this.truncated };
  }
}

function setup(finder: ModifiedRecordFinder, now = NOW) {
  const state = new InMemorySyncState();
  const sightings = new MemoryChangeSightings();
  const queues = new RecordingQueues();
  const checkpoints = new InMemoryCheckpointStore();
  let clockNow = now;
  const sweep = createSweep({
    finder,
    state,
    sightings,
    changes: queues,
    checkpoints,
    clock: { now: () => new Date(clockNow) },
    logger: recordingLogger(),
    syncedTables: ['account', 'salesorder'],
  });
  return { sweep, state, sightings, queues, checkpoints, setNow: (iso: string) => (clockNow = iso) };
}

describe('judgeFoundChange', () => {
  it('should queue and count a change nobody has seen', () => {
    expect(judgeFoundChange('2026-11-26T09:58:00Z', undefined, {})).toEqual({ queue: true, missed: true });
  });

  it('should do nothing when the connector already synced that version or a later one', () => {
    expect(judgeFoundChange('2026-11-26T09:58:00Z', '2026-11-26T09:58:00.000Z', {})).toEqual({
      queue: false,
      missed: false,
    });
  });

  it('should do nothing when a webhook delivered that change (its operation time is at or after modifiedon)', () => {
    expect(judgeFoundChange('2026-11-26T09:58:00Z', undefined, { delivered: '2026-11-26T09:58:00.400Z' })).toEqual({
      queue: false,
      missed: false,
    });
  });

  it('should queue a change newer than the last delivered one and count it as missed', () => {
    const verdict = judgeFoundChange('2026-11-26T09:59:00Z', '2026-11-26T09:50:00Z', {
      delivered: '2026-11-26T09:58:00Z',
    });
    expect(verdict).toEqual({ queue: true, missed: true });
  });

  it("should take the connector's own later write (sync status written back) as seen: no re-sync loop", () => {
    expect(judgeFoundChange('2026-11-26T09:59:00Z', '2026-11-26T09:58:00Z', { own: '2026-11-26T10:00:00Z' })).toEqual({
      queue: false,
      missed: false,
    });
    // A user's change after that write is a change again.
    expect(judgeFoundChange('2026-11-26T10:01:00Z', undefined, { own: '2026-11-26T10:00:00Z' })).toEqual({
      queue: true,
      missed: true,
    });
  });
});

describe('createSweep', () => {
  it('should queue changes no webhook delivered, count them as missed and skip those a webhook delivered', async () => {
    const finder = new FakeFinder({
      account: [
        { id: ID1, modifiedon: '2026-11-26T09:57:00.000Z' },
        { id: ID2, modifiedon: '2026-11-26T09:58:00.000Z' },
      ],
    });
    const { sweep, sightings, queues } = setup(finder);
    // ID2's webhook came through the ingest's queue wrapper.
    await noteDeliveredChanges(queues, sightings, recordingLogger()).enqueue([
      {
        table: 'account',
        id: ID2,
        message: 'Update',
        occurredAt: '2026-11-26T09:58:00.300Z',
        dedupeId: 'op-2:Update',
        source: 'dataverse-webhook',
      },
    ]);
    queues.changes.length = 0;

    const report = await sweep();

    expect(queues.changes).toEqual([
      {
        table: 'account',
        id: ID1,
        message: 'Update',
        occurredAt: '2026-11-26T09:57:00.000Z',
        dedupeId: `sweep:account:${ID1}:2026-11-26T09:57:00.000Z`,
        source: 'sweep',
      },
    ]);
    expect(report).toMatchObject({ found: 2, queued: 1, missed: 1, missedTotal: 1 });
    // The map stage (local worker and Lambda) reads the message back through the same schema.
    expect(parseChangeEvent(JSON.stringify(queues.changes[0]))).toEqual(queues.changes[0]);
    expect(report.tables.map((t) => t.table)).toEqual(['account', 'salesorder']);
  });

  it('should start the first run an hour back and the next at the previous start minus the overlap', async () => {
    const finder = new FakeFinder({});
    const { sweep, checkpoints, setNow } = setup(finder);
    await sweep();
    setNow('2026-11-26T10:05:00.000Z');
    await sweep();
    expect(finder.queries.filter((q) => q.table === 'account').map((q) => q.since)).toEqual([
      '2026-11-26T09:00:00.000Z',
      '2026-11-26T09:55:00.000Z',
    ]);
    expect(await checkpoints.load(sweepCheckpointName('account'))).toBe('2026-11-26T10:05:00.000Z');
  });

  it('should not queue or count a change again when the next run finds it in the overlap', async () => {
    const finder = new FakeFinder({ salesorder: [{ id: ID1, modifiedon: '2026-11-26T09:59:00.000Z' }] });
    const { sweep, queues, setNow } = setup(finder);
    const first = await sweep();
    setNow('2026-11-26T10:02:00.000Z');
    const second = await sweep();
    expect(first.missed).toBe(1);
    expect(second).toMatchObject({ found: 1, queued: 0, missed: 0, missedTotal: 1 });
    expect(queues.changes).toHaveLength(1);
  });

  it('should not queue a change the connector has already synced at that version', async () => {
    const finder = new FakeFinder({ account: [{ id: ID1, modifiedon: '2026-11-26T09:59:00.000Z' }] });
    const { sweep, state, queues } = setup(finder);
    await state.put({
      table: 'account',
      id: ID1,
      status: 'synced',
      version: '2026-11-26T09:59:00.000Z',
      updatedAt: NOW,
    });
    const report = await sweep();
    expect(report.queued).toBe(0);
    expect(queues.changes).toEqual([]);
  });

  it('should keep the checkpoint of a table that failed and still sweep the others', async () => {
    const finder = new FakeFinder({ salesorder: [{ id: ID1, modifiedon: '2026-11-26T09:59:00.000Z' }] }, ['account']);
    const { sweep, checkpoints } = setup(finder);
    const report = await sweep();
    expect(report.tables[0]).toMatchObject({ table: 'account', error: expect.stringContaining('unavailable') });
    expect(report.queued).toBe(1);
    expect(await checkpoints.load(sweepCheckpointName('account'))).toBeUndefined();
    expect(await checkpoints.load(sweepCheckpointName('salesorder'))).toBe(NOW);
    expect(await loadSweepReport(checkpoints)).toEqual(report);
  });

  it('should not advance the checkpoint or note sightings when the queue refuses the changes', async () => {
    const finder = new FakeFinder({ account: [{ id: ID1, modifiedon: '2026-11-26T09:59:00.000Z' }] });
    const { sightings, checkpoints } = setup(finder);
    const sweep = createSweep({
      finder,
      state: new InMemorySyncState(),
      sightings,
      changes: {
        enqueue: async () => {
          throw new TransientError('queue down', 'QUEUE');
        },
      },
      checkpoints,
      clock: { now: () => new Date(NOW) },
      logger: recordingLogger(),
      syncedTables: ['account'],
    });
    const report = await sweep();
    expect(report.tables[0]?.error).toContain('queue down');
    expect(await checkpoints.load(sweepCheckpointName('account'))).toBeUndefined();
    expect(await sightings.get('account', ID1)).toEqual({});
  });

  it('should resume from the last change read when the page budget ran out', async () => {
    const finder = new FakeFinder({ account: [{ id: ID1, modifiedon: '2026-11-26T09:56:30.000Z' }] }, [], true);
    const { sweep, checkpoints, setNow } = setup(finder);
    await sweep();
    expect(await checkpoints.load(sweepCheckpointName('account'))).toBe('2026-11-26T10:01:30.000Z');
    setNow('2026-11-26T10:05:00.000Z');
    await sweep();
    // Next query starts exactly at the last change read, not an overlap before it: progress is certain.
    expect(finder.queries.filter((q) => q.table === 'account').map((q) => q.since)[1]).toBe('2026-11-26T09:56:30.000Z');
  });
});

describe('the sweep with several Xero organisations', () => {
  const DE = '22222222-2222-4222-8222-222222222222';
  const UK = '11111111-1111-4111-8111-111111111111';

  it('should take a record synced to a routed organisation at that version as seen', async () => {
    const finder = new FakeFinder({ salesorder: [{ id: ID1, modifiedon: '2026-11-26T09:58:00Z' }] });
    const state = new InMemorySyncState();
    const queues = new RecordingQueues();
    const sweep = createSweep({
      finder,
      state,
      sightings: new MemoryChangeSightings(),
      changes: queues,
      checkpoints: new InMemoryCheckpointStore(),
      clock: { now: () => new Date(NOW) },
      logger: recordingLogger(),
      syncedTables: ['salesorder'],
      routing: { by: 'currency', routes: { EUR: DE }, defaultTenantId: UK },
    });
    await state.put({
      table: 'salesorder',
      id: ID1,
      tenantId: DE,
      status: 'synced',
      version: '2026-11-26T09:58:00Z',
      updatedAt: NOW,
    });

    await sweep();

    expect(queues.changes).toEqual([]);
  });
});
