import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, batchPutAll } from '../../../../lambdas/adapters/aws/dynamodb-batch';
import { TransientError } from '../../../../lambdas/core/errors';

const TABLE = 't';

/** A document client that answers each call with the next scripted response and records the requests. */
function scripted(responses: Record<string, unknown>[]) {
  const requests: Record<string, unknown>[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) => {
      requests.push(command.input);
      signals.push(options?.abortSignal);
      return responses.shift() ?? {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, requests, signals };
}

const sleeps: number[] = [];
const options = { sleep: async (ms: number) => void sleeps.push(ms), baseDelayMs: 10, attempts: 3 };

beforeEach(() => (sleeps.length = 0));

describe('batchGetAll', () => {
  it('should send the unprocessed keys again after a backoff until all are read', async () => {
    const keys = [{ pk: 'a' }, { pk: 'b' }, { pk: 'c' }];
    const { client, requests, signals } = scripted([
      { Responses: { [TABLE]: [{ pk: 'a' }] }, UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'b' }, { pk: 'c' }] } } },
      { Responses: { [TABLE]: [{ pk: 'b' }, { pk: 'c' }] } },
    ]);

    const found = await batchGetAll(client, TABLE, keys, options);

    expect(found.map((item) => item.pk)).toEqual(['a', 'b', 'c']);
    expect(requests).toEqual([
      { RequestItems: { [TABLE]: { Keys: keys, ConsistentRead: true } } },
      { RequestItems: { [TABLE]: { Keys: [{ pk: 'b' }, { pk: 'c' }], ConsistentRead: true } } },
    ]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(10);
    expect(signals.every((signal) => signal instanceof AbortSignal)).toBe(true);
  });

  it('should split more than 100 keys into calls of 100', async () => {
    const keys = Array.from({ length: 230 }, (_, i) => ({ pk: String(i) }));
    const { client, requests } = scripted([]);
    await batchGetAll(client, TABLE, keys, options);
    const sizes = requests.map((r) => (r.RequestItems as Record<string, { Keys: unknown[] }>)[TABLE]?.Keys.length);
    expect(sizes).toEqual([100, 100, 30]);
  });
});

describe('batchPutAll', () => {
  it('should give up with a transient error after the bounded number of attempts', async () => {
    const stuck = { UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: { pk: 'a' } } }] } };
    const { client, requests } = scripted([stuck, stuck, stuck, stuck]);

    const failure = batchPutAll(client, TABLE, [{ pk: 'a' }, { pk: 'b' }], options);

    await expect(failure).rejects.toBeInstanceOf(TransientError);
    await expect(failure).rejects.toMatchObject({ code: 'DYNAMODB_UNPROCESSED', retryable: true });
    expect(requests).toHaveLength(3);
    // Full jitter under a doubling ceiling: 10 ms, then 20 ms.
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeLessThanOrEqual(20);
  });

  it('should split more than 25 items into calls of 25', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ pk: String(i) }));
    const { client, requests } = scripted([]);
    await batchPutAll(client, TABLE, items, options);
    expect(requests.map((r) => (r.RequestItems as Record<string, unknown[]>)[TABLE]?.length)).toEqual([25, 25, 10]);
  });
});
