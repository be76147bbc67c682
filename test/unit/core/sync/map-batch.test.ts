import { TransientError } from '../../../../lambdas/core/errors';
import type { ChangeEvent, ChangeMessage, SyncedTable } from '../../../../lambdas/core/model/change-event';
import type { XeroWrite } from '../../../../lambdas/core/model/xero-write';
import type { SyncRecord, SyncRecordRef } from '../../../../lambdas/core/ports';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { createMapBatch } from '../../../../lambdas/core/sync/map-batch';
import { changeBatchRunner } from '../../../../lambdas/core/work/work-runners';
import type { WorkMessage } from '../../../../lambdas/core/work/settlement';
import { buildAccount, buildContact, guid } from '../../../helpers/dataverse-factories';
import { InMemoryDataverse } from '../../../helpers/in-memory-dataverse';
import { InMemorySyncState, RecordingOutcomes, recordingLogger } from '../../../helpers/in-memory-ports';

let sequence = 0;
const change = (table: SyncedTable, id: string, message: ChangeMessage = 'Update'): ChangeEvent => ({
  table,
  id,
  message,
  occurredAt: '2026-11-26T10:00:00.000Z',
  dedupeId: `op-${++sequence}`,
  source: 'dataverse-webhook',
});
const messageOf = (event: ChangeEvent): WorkMessage => ({
  id: event.dedupeId,
  body: JSON.stringify(event),
  groupId: `${event.table}:${event.id}`,
});

/** Sync state that counts its calls by method. */
class CountingState extends InMemorySyncState {
  readonly calls: string[] = [];
  override async get(table: SyncedTable, id: string, tenantId?: string) {
    this.calls.push('get');
    return super.get(table, id, tenantId);
  }
  override async put(record: SyncRecord) {
    this.calls.push('put');
    return super.put(record);
  }
  override async getMany(refs: readonly SyncRecordRef[]) {
    this.calls.push('getMany');
    return super.getMany(refs);
  }
  override async putMany(records: readonly SyncRecord[]) {
    this.calls.push('putMany');
    return super.putMany(records);
  }
}

/** Queues that keep each enqueue call, and can refuse the next one. */
class CountingQueue<T> {
  readonly calls: T[][] = [];
  failNext = false;
  async enqueue(items: readonly T[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new TransientError('SQS unavailable');
    }
    this.calls.push([...items]);
  }
}

function mapStage(settings: MappingSettings = DEFAULT_MAPPING_SETTINGS) {
  const dataverse = new InMemoryDataverse();
  const state = new CountingState();
  const writes = new CountingQueue<XeroWrite>();
  const changes = new CountingQueue<ChangeEvent>();
  const run = changeBatchRunner(
    createMapBatch({
      reader: dataverse,
      state,
      settings,
      writes,
      changes,
      outcomes: new RecordingOutcomes(),
      logger: recordingLogger(),
    }),
    recordingLogger()
  );
  return { dataverse, state, writes, changes, run };
}

describe('map batch', () => {
  // Before: one enqueue (one SendMessageBatch on AWS) per change, 10 here.
  it("should send a batch's writes in one enqueue and read no state for account updates", async () => {
    const m = mapStage();
    const events = Array.from({ length: 10 }, (_, i) => {
      m.dataverse.add(buildAccount({ accountid: guid(i + 1), name: `Account ${i + 1}` }));
      return change('account', guid(i + 1));
    });

    const settled = await m.run(events.map(messageOf));

    expect(settled.map((s) => s.settlement.action)).toEqual(Array(10).fill('ack'));
    expect(m.writes.calls.map((call) => call.length)).toEqual([10]);
    expect(m.writes.calls[0]!.map((write) => write.source.id)).toEqual(events.map((e) => e.id));
    expect(m.state.calls).toEqual([]);
  });

  // Before: a get per contact and a get and a put per contact person (8 calls here), and an enqueue per change.
  it("should read the batch's contact state in one getMany and write it in one putMany", async () => {
    const m = mapStage();
    m.dataverse.add(buildAccount({ accountid: guid(1) }));
    m.dataverse.add(buildContact({ contactid: guid(2), parentAccountId: guid(1) }));
    m.dataverse.add(buildContact({ contactid: guid(3), parentAccountId: guid(1) }));
    m.dataverse.add(buildContact({ contactid: guid(4) }));

    const first = change('contact', guid(2));
    const again = change('contact', guid(2));
    const settled = await m.run([first, change('contact', guid(3)), change('contact', guid(4)), again].map(messageOf));

    expect(settled.map((s) => s.settlement.action)).toEqual(['ack', 'ack', 'ack', 'ack']);
    expect(m.state.calls).toEqual(['getMany', 'putMany']);
    expect((await m.state.get('contact', guid(2)))?.xeroKey).toBe(guid(1));
    expect(m.writes.calls.map((call) => call.length)).toEqual([1]);
    expect(m.changes.calls.map((call) => call.map((e) => e.id))).toEqual([[guid(1), guid(1), guid(1)]]);
  });

  it('should retry the changes whose writes could not be sent, holding back their records', async () => {
    const m = mapStage();
    m.dataverse.add(buildAccount({ accountid: guid(1) }));
    m.dataverse.add(buildContact({ contactid: guid(2), parentAccountId: guid(1) }));
    m.writes.failNext = true;

    const settled = await m.run(
      [change('account', guid(1)), change('account', guid(1)), change('contact', guid(2))].map(messageOf)
    );

    // The contact forwarded a change (sent) and wrote no Xero write: it is done.
    expect(settled.map((s) => s.settlement.action)).toEqual(['retry', 'skip', 'ack']);
    expect(m.changes.calls).toHaveLength(1);
  });

  // Before: the batch's state ignored the tenant, so the default organisation's record answered for every other one
  // and an account update went to an organisation it was never in.
  it("should look up a routed record's state per organisation and update it only where it is", async () => {
    const other = 'bbbbbbbb-0000-4000-8000-00000000000b';
    const routing = {
      by: 'currency' as const,
      routes: { EUR: other },
      defaultTenantId: 'aaaaaaaa-0000-4000-8000-00000000000a',
    };
    const m = mapStage({ ...DEFAULT_MAPPING_SETTINGS, routing });
    m.dataverse.add(buildAccount({ accountid: guid(1), name: 'Only In Other' }));
    await m.state.put({
      table: 'account',
      id: guid(1),
      tenantId: other,
      xeroKey: guid(1),
      xeroId: 'c0000000-0000-4000-8000-000000000001',
      status: 'synced',
      updatedAt: '2026-11-26T09:00:00.000Z',
    });

    const settled = await m.run([change('account', guid(1))].map(messageOf));

    expect(settled.map((s) => s.settlement.action)).toEqual(['ack']);
    expect(m.writes.calls.flat().map((write) => write.tenantId)).toEqual([other]);
  });
});
