import { TransientError } from '../../../../lambdas/core/errors';
import type { SyncRecord, SyncRecordRef } from '../../../../lambdas/core/ports';
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { createPostWrites } from '../../../../lambdas/core/sync/post-writes';
import { InMemoryXero } from '../../../helpers/in-memory-xero';
import { InMemorySyncState, RecordingOutcomes, fixedClock, recordingLogger } from '../../../helpers/in-memory-ports';
import { guid, upsertContact, upsertInvoice } from '../../../helpers/xero-write-builders';

/** Sync state that counts its calls and can refuse the n-th putMany. */
class CountingSyncState extends InMemorySyncState {
  readonly calls = { get: 0, put: 0, getMany: 0, putMany: 0 };
  failPutManyCall?: number;
  override async get(table: SyncRecord['table'], id: string) {
    this.calls.get += 1;
    return super.get(table, id);
  }
  override async put(record: SyncRecord) {
    this.calls.put += 1;
    return super.put(record);
  }
  override async getMany(refs: readonly SyncRecordRef[]) {
    this.calls.getMany += 1;
    return super.getMany(refs);
  }
  override async putMany(records: readonly SyncRecord[]) {
    this.calls.putMany += 1;
    if (this.calls.putMany === this.failPutManyCall) throw new TransientError('state table unavailable');
    return super.putMany(records);
  }
}

function setup() {
  const xero = new InMemoryXero();
  const state = new CountingSyncState();
  const outcomes = new RecordingOutcomes();
  const post = createPostWrites({
    xero,
    state,
    outcomes,
    settings: DEFAULT_MAPPING_SETTINGS,
    clock: fixedClock(),
    logger: recordingLogger(),
  });
  return { xero, state, outcomes, post };
}

describe('postWrites sync-state calls', () => {
  it('should read the whole batch with one getMany and write it with one putMany per phase plus one at the end', async () => {
    const { state, post } = setup();
    // 25 new accounts and 25 orders of other new customers with items: contacts, items and invoices all create.
    const writes = [
      ...Array.from({ length: 25 }, (_, i) => upsertContact(i + 1)),
      ...Array.from({ length: 25 }, (_, i) => upsertInvoice(`SO-${i}`, 100 + i, 200 + i, ['A', 'B'])),
    ];

    const results = await post(writes);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    // creating marks: contacts phase, items phase, invoices phase; then the results once.
    expect(state.calls).toEqual({ get: 0, put: 0, getMany: 1, putMany: 4 });
    expect(state.records.get(`salesorder:${guid(100)}`)?.status).toBe('synced');
    expect(state.records.get(`account:${guid(200)}`)?.status).toBe('synced');
  });

  it('should make the creating marks durable before the Xero call that creates them', async () => {
    const { xero, state, post } = setup();
    const seen: (string | undefined)[] = [];
    const save = xero.saveContacts.bind(xero);
    xero.saveContacts = async (contacts, key) => {
      seen.push(...contacts.map((c) => state.records.get(`account:${c.ContactNumber}`)?.status));
      return save(contacts, key);
    };

    await post([upsertContact(1), upsertContact(2)]);

    expect(seen).toEqual(['creating', 'creating']);
  });

  it('should send the writes back to the queue when their state cannot be written, and create nothing twice on retry', async () => {
    const { xero, state, outcomes, post } = setup();
    state.failPutManyCall = 2; // the marks land, the results do not

    const first = await post([upsertContact(1), upsertContact(2)]);

    expect(first.map((r) => r.status)).toEqual(['retry', 'retry']);
    expect(outcomes.outcomes.map((o) => [o.status, o.willRetry])).toEqual([
      ['failed', true],
      ['failed', true],
    ]);
    expect(state.records.get(`account:${guid(1)}`)?.status).toBe('creating');

    const second = await post([upsertContact(1), upsertContact(2)]);

    expect(second.map((r) => r.status)).toEqual(['done', 'done']);
    expect(xero.contacts.size).toBe(2);
    expect(state.records.get(`account:${guid(1)}`)?.xeroId).toBeDefined();
  });
});
