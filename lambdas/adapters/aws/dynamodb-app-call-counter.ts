/**
 * The app-wide Xero call counter on AWS (core/rate-limit/app-wide-budget.ts): one item per app bucket in the budget
 * table, `pk = xero-budget#@app#<bucketStart>` (under the budget's key prefix, so the same IAM grant covers it; '@'
 * never starts a Xero tenant id). One conditional UpdateItem per call, no read: ADD 1 unless the bucket is full.
 * Items expire through the table's `ttl` an hour after their bucket.
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransientError } from '../../core/errors';
import type { AppCallCounter } from '../../core/rate-limit/app-wide-budget';
import { XERO_BUDGET_KEY_PREFIX } from './xero-budget-keys';

/** Partition key of one app bucket. */
export const appBucketKey = (bucketStart: number): string => `${XERO_BUDGET_KEY_PREFIX}@app#${bucketStart}`;

const CALL_TIMEOUT_MS = 5_000;
const KEEP_SECONDS = 60 * 60;

export class DynamoDbAppCallCounter implements AppCallCounter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string
  ) {}

  async tryCount(bucketStart: number, limit: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: appBucketKey(bucketStart) } },
          UpdateExpression: 'ADD #calls :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#calls) OR #calls < :limit',
          ExpressionAttributeNames: { '#calls': 'calls', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':limit': { N: String(limit) },
            ':ttl': { N: String(Math.ceil(bucketStart / 1000) + KEEP_SECONDS) },
          },
        }),
        { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      const name = error instanceof Error ? error.name : 'unknown';
      throw new TransientError(`the app-wide Xero budget could not be read (${name})`, 'XERO_BUDGET_UNAVAILABLE');
    }
  }
}
