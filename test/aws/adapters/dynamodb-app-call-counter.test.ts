/**
 * The app-wide Xero call counter against DynamoDB (moto): several clients — as separate Lambdas would be — count
 * into one bucket item, and the bucket never admits more than its limit.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbAppCallCounter, appBucketKey } from '../../../lambdas/adapters/aws/dynamodb-app-call-counter';
import { XERO_BUDGET_KEY_PREFIX } from '../../../lambdas/adapters/aws/xero-budget-keys';
import { useMotoSyncStateTable } from '../../helpers/sync-state-table';

const TABLE = 'sync-state';
const BUCKET = Date.parse('2026-11-26T10:00:00Z');

describe('DynamoDbAppCallCounter', () => {
  const db = useMotoSyncStateTable(TABLE);
  const dynamo = () => db.client();

  it('should admit exactly the limit across several callers, then refuse until the next bucket', async () => {
    const lambdas = [0, 1, 2].map(() => new DynamoDbAppCallCounter(dynamo(), TABLE));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => lambdas[i % lambdas.length]!.tryCount(BUCKET, 20))
    );
    expect(answers.filter(Boolean)).toHaveLength(20);
    await expect(lambdas[0]!.tryCount(BUCKET + 10_000, 20)).resolves.toBe(true);

    const item = await dynamo().send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: appBucketKey(BUCKET) } }, ConsistentRead: true })
    );
    expect(item.Item?.calls?.N).toBe('20');
    // Under the budget's key prefix (the functions' IAM grant) and expiring on its own.
    expect(appBucketKey(BUCKET).startsWith(XERO_BUDGET_KEY_PREFIX)).toBe(true);
    expect(Number(item.Item?.ttl?.N)).toBeGreaterThan(BUCKET / 1000);
  });
});
