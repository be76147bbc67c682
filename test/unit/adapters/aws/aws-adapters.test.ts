import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbSyncState } from '../../../../lambdas/adapters/aws/dynamodb-sync-state';
import { DynamoDbUsedNonceStore } from '../../../../lambdas/adapters/aws/dynamodb-used-nonce-store';
import { SqsChangeQueue, SqsWriteQueue } from '../../../../lambdas/adapters/aws/sqs-queues';
import { TransientError } from '../../../../lambdas/core/errors';
import type { ChangeEvent } from '../../../../lambdas/core/model/change-event';

const region = { region: 'eu-west-1' };

describe('DynamoDbUsedNonceStore', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dynamo.reset());

  it('should burn a nonce with a conditional put and refuse its reuse', async () => {
    dynamo
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    const store = new DynamoDbUsedNonceStore(new DynamoDBClient(region), 'sync-state');

    expect(await store.consume('n1', new Date('2026-11-26T10:10:00Z'))).toBe(true);
    expect(await store.consume('n1', new Date('2026-11-26T10:10:00Z'))).toBe(false);
    const input = dynamo.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TableName: 'sync-state', ConditionExpression: 'attribute_not_exists(pk)' });
    expect(input.Item!.pk).toBe('nonce#n1');
    expect(Number(input.Item!.ttl)).toBeGreaterThan(Date.parse('2026-11-26T10:10:00Z') / 1000);
  });
});

describe('DynamoDbSyncState', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dynamo.reset());

  it('should store a record under table#id and read it back without the key', async () => {
    dynamo.on(GetCommand).resolves({
      Item: { pk: 'account#a1', table: 'account', id: 'a1', xeroId: 'x1', status: 'synced', updatedAt: 't' },
    });
    const state = new DynamoDbSyncState(new DynamoDBClient(region), 'sync-state');

    await state.put({ table: 'account', id: 'a1', xeroId: 'x1', status: 'synced', updatedAt: 't', message: undefined });
    const read = await state.get('account', 'a1');

    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item!.pk).toBe('account#a1');
    expect(read).toEqual({ table: 'account', id: 'a1', xeroId: 'x1', status: 'synced', updatedAt: 't' });
  });

  it("should key a routed organisation's record by table#id#tenant and leave the default's key as it was", async () => {
    const tenant = '22222222-2222-4222-8222-222222222222';
    dynamo.on(GetCommand).resolves({});
    const state = new DynamoDbSyncState(new DynamoDBClient(region), 'sync-state');

    await state.put({ table: 'account', id: 'a1', tenantId: tenant, status: 'synced', updatedAt: 't' });
    await state.get('account', 'a1', tenant);
    await state.get('account', 'a1');

    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      pk: `account#a1#${tenant}`,
      tenantId: tenant,
    });
    expect(dynamo.commandCalls(GetCommand).map((call) => call.args[0].input.Key)).toEqual([
      { pk: `account#a1#${tenant}` },
      { pk: 'account#a1' },
    ]);
  });
});

describe('SqsChangeQueue', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());
  const event = (n: number): ChangeEvent => ({
    table: 'account',
    id: `id-${n}`,
    message: 'Update',
    occurredAt: 't',
    dedupeId: `op-${n}:Update`,
    source: 'dataverse-webhook',
  });

  it('should group by record and de-duplicate by a hash of the event id, 10 per call', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SqsChangeQueue(new SQSClient(region), 'https://sqs/changes.fifo').enqueue(
      Array.from({ length: 12 }, (_, n) => event(n))
    );

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 2]);
    expect(calls[0]!.Entries![3]).toMatchObject({
      MessageGroupId: 'account:id-3',
      MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('should fail loudly (retryable) when SQS refuses part of a batch', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(new SqsChangeQueue(new SQSClient(region), 'q').enqueue([event(1)])).rejects.toBeInstanceOf(
      TransientError
    );
  });
});

describe('SqsWriteQueue', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());
  const write = (n: number, padding: number) =>
    ({
      kind: 'stop-selling-item',
      source: { table: 'product', id: `p${n}`, event: 'Delete' },
      code: 'x'.repeat(padding),
    }) as const;

  // Before: 10 messages a request whatever their size; SQS refuses a request over 256 KiB.
  it('should pack messages in requests of at most 10 and 256 KiB, in order, with ids unique per request', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const writes = [
      write(1, 100_000),
      write(2, 100_000),
      write(3, 100_000),
      ...Array.from({ length: 12 }, (_, n) => write(n + 4, 10)),
    ];
    await new SqsWriteQueue(new SQSClient(region), 'https://sqs/writes').enqueue(writes);

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(calls.map((entries) => entries.length)).toEqual([2, 10, 3]);
    for (const entries of calls) {
      expect(entries.reduce((bytes, e) => bytes + Buffer.byteLength(e.MessageBody!), 0)).toBeLessThanOrEqual(
        256 * 1024
      );
      expect(new Set(entries.map((e) => e.Id)).size).toBe(entries.length);
    }
    expect(calls.flat().map((e) => JSON.parse(e.MessageBody!).source.id)).toEqual(writes.map((w) => w.source.id));
  });
});

describe('DynamoDbSyncState.listByStatus', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dynamo.reset());

  it('should page through the table and return only records, without their keys', async () => {
    dynamo
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{ pk: 'account#a1', table: 'account', id: 'a1', status: 'synced', updatedAt: 't' }],
        LastEvaluatedKey: { pk: 'account#a1' },
      })
      .resolvesOnce({ Items: [{ pk: 'product#p1', table: 'product', id: 'p1', status: 'synced', updatedAt: 't' }] });

    const records = await new DynamoDbSyncState(new DynamoDBClient(region), 'sync-state').listByStatus('synced');

    expect(records.map((r) => `${r.table}:${r.id}`)).toEqual(['account:a1', 'product:p1']);
    const scans = dynamo.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(scans[1]!.ExclusiveStartKey).toEqual({ pk: 'account#a1' });
    expect(scans[0]!.ExpressionAttributeValues).toEqual({ ':status': 'synced' });
  });
});
