import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbSyncState } from '../../../lambdas/adapters/aws/dynamodb-sync-state';
import type { SyncRecord } from '../../../lambdas/core/ports';
import { InMemoryXero } from '../../helpers/in-memory-xero';
import { inMemoryPostWrites } from '../../helpers/in-memory-pipeline';
import { guid, upsertContact, upsertInvoice } from '../../helpers/xero-write-builders';
import { useMotoSyncStateTable } from '../../helpers/sync-state-table';

const TABLE = 'sync-state';

const record = (n: number, status: SyncRecord['status'] = 'synced'): SyncRecord => ({
  table: 'account',
  id: guid(n),
  xeroId: `xero-${n}`,
  xeroKey: guid(n),
  version: '2026-11-01T00:00:00.000Z',
  status,
  updatedAt: '2026-11-01T00:00:01.000Z',
});

describe('DynamoDbSyncState batches (moto)', () => {
  const db = useMotoSyncStateTable(TABLE);
  let client: DynamoDBClient;
  beforeAll(() => {
    client = db.client({ recorded: true });
  });
  /** Every DynamoDB operation the adapter sends, with its input. */
  const sent = db.sent;

  const count = (command: string) => sent.filter((s) => s.command === command).length;

  it('should write 130 records in BatchWriteItem calls of 25 and read them back in strongly consistent calls of 100', async () => {
    const state = new DynamoDbSyncState(client, TABLE);
    const records = Array.from({ length: 130 }, (_, i) => record(i + 1));
    // The same record twice in one call: the last one wins (DynamoDB refuses a batch naming a key twice).
    await state.putMany([record(1, 'creating'), ...records]);

    const refs = [...records, record(500), record(501)].map(({ table, id }) => ({ table, id }));
    const found = await state.getMany(refs);

    expect(found.slice(0, 130)).toEqual(records);
    expect(found.slice(130)).toEqual([null, null]);
    expect(count('BatchWriteItemCommand')).toBe(6);
    expect(count('BatchGetItemCommand')).toBe(2);
    const gets = sent.filter((s) => s.command === 'BatchGetItemCommand');
    for (const { input } of gets) {
      const request = (input.RequestItems as Record<string, { ConsistentRead?: boolean }>)[TABLE];
      expect(request?.ConsistentRead).toBe(true);
    }
    expect(await state.get('account', guid(1))).toEqual(records[0]);
  });

  it('should answer a record asked for twice in both places', async () => {
    const state = new DynamoDbSyncState(client, TABLE);
    await state.put(record(3));
    const ref = { table: 'account' as const, id: guid(3) };
    expect(await state.getMany([ref, ref])).toEqual([record(3), record(3)]);
    expect(await state.getMany([])).toEqual([]);
  });

  // Before batching: 150 calls (50 GetItem + 100 PutItem) and 231 calls for these batches.
  it.each([
    // 1 BatchGetItem; 2 BatchWriteItem of creating marks and 2 of results.
    ['50 new accounts', Array.from({ length: 50 }, (_, i) => upsertContact(i + 1)), 5],
    // 1 BatchGetItem; marks: contacts 50 → 2, items 2 → 1, invoices 25 → 1; results 77 records → 4.
    [
      '25 new accounts and 25 orders of new customers',
      [
        ...Array.from({ length: 25 }, (_, i) => upsertContact(i + 1)),
        ...Array.from({ length: 25 }, (_, i) => upsertInvoice(`SO-${i}`, 100 + i, 200 + i, ['A', 'B'])),
      ],
      9,
    ],
  ])('should post a batch of %s in a few batched DynamoDB calls', async (_name, writes, expectedCalls) => {
    const state = new DynamoDbSyncState(client, TABLE);
    const xero = new InMemoryXero();
    const post = inMemoryPostWrites({ xero, state });

    const results = await post(writes);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(count('GetItemCommand') + count('PutItemCommand')).toBe(0);
    expect(count('BatchGetItemCommand')).toBe(1);
    expect(sent).toHaveLength(expectedCalls);
    for (const write of writes) {
      expect((await state.get(write.source.table, write.source.id))?.status).toBe('synced');
    }
  });
});
