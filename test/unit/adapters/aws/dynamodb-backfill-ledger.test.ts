import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbBackfillLedger } from '../../../../lambdas/adapters/aws/dynamodb-backfill-ledger';
import { TransientError } from '../../../../lambdas/core/errors';
import { fixedClock } from '../../../helpers/in-memory-ports';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${i}`);
const NOW = '2026-11-26T10:00:00.000Z';

describe('DynamoDbBackfillLedger', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dynamo.reset());

  const ledger = (attempts?: number) => {
    const sleeps: number[] = [];
    const store = new DynamoDbBackfillLedger(
      new DynamoDBClient({ region: 'eu-west-1' }),
      'sync-state',
      fixedClock(NOW),
      {
        ...(attempts ? { attempts } : {}),
        sleep: async (ms) => void sleeps.push(ms),
      }
    );
    return { store, sleeps };
  };

  it('should remember ids under a run- and table-scoped key that expires after 30 days, 25 per write', async () => {
    dynamo.on(BatchWriteCommand).resolves({});

    await ledger().store.remember('run1', 'account', ids(30));

    const writes = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!['sync-state']!);
    expect(writes.map((w) => w.length)).toEqual([25, 5]);
    const item = writes[0]![0]!.PutRequest!.Item!;
    expect(item).toEqual({ pk: 'backfill#run1#account#id-0', ttl: Date.parse(NOW) / 1000 + 30 * 24 * 3600 });
  });

  it('should answer which ids are already queued, reading at most 100 keys per call', async () => {
    dynamo.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      // Every even id has been queued by an earlier invocation.
      const keys = input.RequestItems['sync-state']!.Keys;
      return { Responses: { 'sync-state': keys.filter((k) => Number(k.pk.split('-').pop()) % 2 === 0) } };
    });

    const found = await ledger().store.queued('run1', 'contact', ids(150));

    expect(found.size).toBe(75);
    expect(found.has('id-148')).toBe(true);
    expect(found.has('id-149')).toBe(false);
    const reads = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!['sync-state']!);
    expect(reads.map((r) => r.Keys!.length)).toEqual([100, 50]);
    expect(reads[0]!.Keys![0]).toEqual({ pk: 'backfill#run1#contact#id-0' });
    expect(reads[0]!.ConsistentRead).toBe(true);
  });

  it('should read unprocessed keys again after a pause', async () => {
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { 'sync-state': [{ pk: 'backfill#r#product#id-0' }] },
        UnprocessedKeys: { 'sync-state': { Keys: [{ pk: 'backfill#r#product#id-1' }] } },
      })
      .resolvesOnce({ Responses: { 'sync-state': [{ pk: 'backfill#r#product#id-1' }] } });
    const { store, sleeps } = ledger();

    const found = await store.queued('r', 'product', ids(3));

    expect([...found].sort()).toEqual(['id-0', 'id-1']);
    const second = dynamo.commandCalls(BatchGetCommand)[1]!.args[0].input.RequestItems!['sync-state']!;
    expect(second.Keys).toEqual([{ pk: 'backfill#r#product#id-1' }]);
    expect(sleeps).toHaveLength(1);
  });

  it('should write unprocessed items again and fail retryably when they never go through', async () => {
    const stuck = { PutRequest: { Item: { pk: 'backfill#r#account#id-2', ttl: 1 } } };
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: { 'sync-state': [stuck] } });
    const { store, sleeps } = ledger(3);

    await expect(store.remember('r', 'account', ids(3))).rejects.toBeInstanceOf(TransientError);

    const calls = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!['sync-state']!);
    expect(calls.map((c) => c.length)).toEqual([3, 1, 1]);
    expect(sleeps).toEqual([100, 200]);
  });
});
