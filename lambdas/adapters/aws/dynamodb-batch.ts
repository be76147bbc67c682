/**
 * BatchGetItem / BatchWriteItem with what the DynamoDB API requires of a caller: requests of at most 100 keys / 25
 * writes, and the keys or items DynamoDB hands back unprocessed (throttling, size limits) sent again with
 * exponential backoff, a bounded number of times. Every call has a timeout.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../core/errors';

export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;

export interface BatchRetryOptions {
  /** Requests per chunk at most, the first included (default 6). */
  readonly attempts?: number;
  /** First backoff; doubled on each retry, with full jitter (default 50 ms). */
  readonly baseDelayMs?: number;
  /** Timeout of each call (default 5 s). */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

/** Every item found for `keys` (strongly consistent), in no particular order. */
export async function batchGetAll(
  documents: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  options: BatchRetryOptions = {}
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let pending: Key[] = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt, options, `${pending.length} keys of ${tableName} unread`);
      const result = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        { abortSignal: AbortSignal.timeout(options.timeoutMs ?? 5_000) }
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

/** Puts every item; callers pass each key once (a batch may not hold the same key twice). */
export async function batchPutAll(
  documents: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  options: BatchRetryOptions = {}
): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
    let pending = items.slice(start, start + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt, options, `${pending.length} writes to ${tableName} unprocessed`);
      const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }), {
        abortSignal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}

/** Waits before retry `attempt`, or gives up (a transient error: the queue tries the whole work again later). */
async function backoff(attempt: number, options: BatchRetryOptions, what: string): Promise<void> {
  if (attempt >= (options.attempts ?? 6)) {
    throw new TransientError(`DynamoDB left ${what} after ${attempt} attempts`, 'DYNAMODB_UNPROCESSED');
  }
  const ceiling = (options.baseDelayMs ?? 50) * 2 ** (attempt - 1);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  await sleep(Math.random() * ceiling);
}
