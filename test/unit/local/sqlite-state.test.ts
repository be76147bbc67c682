import type { ChangeEvent } from '../../../lambdas/core/model/change-event';
import type { SyncOutcome } from '../../../lambdas/core/ports';
import { ValidationError } from '../../../lambdas/core/errors';
import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteQueue } from '../../../lambdas/adapters/local/sqlite-queue';
import { SqliteSyncStateStore } from '../../../lambdas/adapters/local/sqlite-sync-state';
import { SqliteOutcomeLog } from '../../../lambdas/adapters/local/sqlite-outcome-log';
import { SqliteChangeQueue, parseChangeEventBody } from '../../../lambdas/adapters/local/sqlite-change-queue';
import { recordingLogger } from '../../helpers/in-memory-ports';

function changeEvent(overrides: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    table: 'account',
    id: '5e1a0c2b-0000-4000-8000-000000000001',
    message: 'Update',
    occurredAt: '2026-01-02T03:04:05Z',
    dedupeId: 'op-1:Update',
    source: 'dataverse-webhook',
    ...overrides,
  };
}

function outcome(overrides: Partial<SyncOutcome> = {}): SyncOutcome {
  return { table: 'contact', id: 'c-1', status: 'synced', message: 'Contact saved', event: 'Create', ...overrides };
}

describe('SqliteSyncStateStore', () => {
  it('should write many records in one go, the last of a repeated one winning, and read them back aligned', async () => {
    const store = new SqliteSyncStateStore(openDatabase({ memory: true }));
    const a = { table: 'account' as const, id: 'a', status: 'creating' as const, updatedAt: '2026-01-01T00:00:00Z' };
    const b = { table: 'product' as const, id: 'b', status: 'synced' as const, updatedAt: '2026-01-01T00:00:00Z' };
    const a2 = { ...a, status: 'synced' as const, xeroId: 'x-a' };
    await store.putMany([a, b, a2]);
    expect(await store.getMany([b, { table: 'account', id: 'none' }, a])).toEqual([b, null, a2]);
  });

  it('should return null for a record it has never seen', async () => {
    const store = new SqliteSyncStateStore(openDatabase({ memory: true }));
    expect(await store.get('product', 'nope')).toBeNull();
  });

  it('should round-trip a full record and overwrite it on the next put', async () => {
    const store = new SqliteSyncStateStore(openDatabase({ memory: true }));
    const first = {
      table: 'salesorder' as const,
      id: 'so-1',
      xeroId: 'inv-guid',
      xeroKey: 'ORD-0001',
      version: '2026-01-01T00:00:00Z',
      status: 'synced' as const,
      message: 'Invoice created',
      updatedAt: '2026-01-01T00:00:01Z',
    };
    await store.put(first);
    expect(await store.get('salesorder', 'so-1')).toEqual(first);

    const second = {
      table: 'salesorder' as const,
      id: 'so-1',
      status: 'failed' as const,
      updatedAt: '2026-01-02T00:00:00Z',
    };
    await store.put(second);
    expect(await store.get('salesorder', 'so-1')).toEqual(second);
    expect(await store.get('account', 'so-1')).toBeNull();
    expect(store.countByStatus()).toEqual({ synced: 0, failed: 1, skipped: 0, creating: 0 });
  });
});

describe('SqliteOutcomeLog', () => {
  it('should round-trip outcomes, newest first, with optional fields only when set', async () => {
    let t = Date.parse('2026-03-01T00:00:00Z');
    const log = new SqliteOutcomeLog(openDatabase({ memory: true }), { now: () => new Date((t += 1000)) });
    await log.record(outcome({ id: 'a', xeroId: 'x-1', correlationId: 'corr-1' }));
    await log.record(
      outcome({ id: 'b', status: 'failed', message: 'Xero said no', errorCode: 'XERO_VALIDATION', willRetry: false })
    );
    await log.record(outcome({ id: 'c', status: 'skipped', message: 'not synced table', event: 'Delete' }));

    const recent = log.recent(10);
    expect(recent.map((o) => o.id)).toEqual(['c', 'b', 'a']);
    expect(recent[2]).toMatchObject({ xeroId: 'x-1', correlationId: 'corr-1', recordedAt: '2026-03-01T00:00:01.000Z' });
    expect(recent[2]).not.toHaveProperty('willRetry');
    expect(recent[1]).toMatchObject({ errorCode: 'XERO_VALIDATION', willRetry: false, message: 'Xero said no' });
    expect(log.failures(10).map((o) => o.id)).toEqual(['b']);
    expect(log.counts()).toEqual({ synced: 1, failed: 1, skipped: 1 });
    expect(log.recent(1).map((o) => o.id)).toEqual(['c']);
  });

  it('should never throw when the database fails, and log the failure instead', async () => {
    const db = openDatabase({ memory: true });
    const logger = recordingLogger();
    const log = new SqliteOutcomeLog(db, { logger });
    db.close();
    await expect(log.record(outcome())).resolves.toBeUndefined();
    const errors = logger.entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/could not record/);
  });

  it('should prune all but the newest rows', async () => {
    const log = new SqliteOutcomeLog(openDatabase({ memory: true }), { maxRows: 3 });
    for (let i = 0; i < 5; i += 1) await log.record(outcome({ id: `r${i}` }));
    log.prune();
    expect(log.recent(10).map((o) => o.id)).toEqual(['r4', 'r3', 'r2']);
  });
});

describe('SqliteChangeQueue', () => {
  it('should enqueue events grouped by record and de-duplicated by dedupeId', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    const changes = new SqliteChangeQueue(queue);
    const event = changeEvent();
    await changes.enqueue([event, { ...event }]);

    const leased = queue.receive('changes', 10, 1000);
    expect(leased).toHaveLength(1);
    expect(leased[0]?.groupId).toBe(`account:${event.id}`);
    expect(parseChangeEventBody(leased[0]!.body)).toEqual(event);
    // A change arriving while the first is being worked on waits behind it.
    await changes.enqueue([changeEvent({ dedupeId: 'op-2:Update', occurredAt: '2026-01-02T03:05:00Z' })]);
    queue.ack(leased[0]!.id);
    expect(parseChangeEventBody(queue.receive('changes', 10, 1000)[0]!.body).dedupeId).toBe('op-2:Update');
  });

  it('should coalesce changes of a record that already has an untouched change waiting', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    const changes = new SqliteChangeQueue(queue);
    const other = '00000000-0000-4000-8000-0000000000bb';
    await changes.enqueue([
      changeEvent({ dedupeId: 'op-1' }),
      changeEvent({ dedupeId: 'op-2' }),
      changeEvent({ dedupeId: 'op-3', id: other }),
      changeEvent({ dedupeId: 'op-4' }),
    ]);
    expect(queue.depth('changes').ready).toBe(2);

    // Once the waiting change has failed an attempt it may yet be dead-lettered: a new change is kept after it.
    const [first] = queue.receive('changes', 1, 1000);
    queue.fail(first!.id, { error: 'Dataverse timed out', receipt: first!.receipt });
    await changes.enqueue([changeEvent({ dedupeId: 'op-5' })]);
    expect(queue.depth('changes').ready + queue.depth('changes').delayed).toBe(3);
  });

  it('should reject malformed message bodies with a ValidationError naming the fields', () => {
    expect(() => parseChangeEventBody('not json')).toThrow(ValidationError);
    try {
      parseChangeEventBody(JSON.stringify({ ...changeEvent(), table: 'invoice', message: 'Upsert' }));
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect((error as ValidationError).issues).toEqual(['table', 'message']);
    }
  });
});
