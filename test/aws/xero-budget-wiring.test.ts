/**
 * The Lambda composition's Xero budget (handlers/shared/xero-deps.ts): built from XERO_BUDGET_TABLE over DynamoDB,
 * shared with whatever else writes the tenant's budget item, and bounded by the invocation's remaining time.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RateLimitedError } from '../../lambdas/core/errors';
import { SharedTenantBudget } from '../../lambdas/core/rate-limit/shared-tenant-budget';
import { DynamoDbXeroBudgetStore } from '../../lambdas/adapters/aws/dynamodb-xero-budget';
import { envFor } from '../../lambdas/handlers/shared/env';
import { startMoto, type MotoServer } from '../helpers/moto-server';
import { createSyncStateTable } from '../helpers/sync-state-table';

const TABLE = 'connector-sync-state';
const saved = { ...process.env };

describe('the Lambda composition’s Xero budget', () => {
  let moto: MotoServer;
  let deps: typeof import('../../lambdas/handlers/shared/xero-deps');
  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env, { XERO_BUDGET_TABLE: TABLE });
    const client = new DynamoDBClient(moto.clientConfig);
    await createSyncStateTable(client, TABLE);
    // Another Lambda got a 429 asking for 50 s of quiet.
    const other = new SharedTenantBudget({
      store: new DynamoDbXeroBudgetStore(client, TABLE),
      clock: { now: () => new Date() },
      sleep: async () => undefined,
      newLeaseId: randomUUID,
      random: () => 0,
    });
    await other.penalise('tenant-1', 50_000, 'minute');
    client.destroy();
    deps = await import('../../lambdas/handlers/shared/xero-deps');
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('should honour another Lambda’s pause and give the work back when the wait would outlive the invocation', async () => {
    const handler = deps.withXeroDeadline(async () => deps.xeroLimiter(envFor('postXeroWrites')).acquire('tenant-1'));
    const started = Date.now();
    // 40 s left: after the 30 s reserve for the last call, only 10 s may be spent waiting — less than the pause.
    const refusal = await handler({}, { getRemainingTimeInMillis: () => 40_000 }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal).toMatchObject({ problem: 'minute' });
    expect((refusal as RateLimitedError).retryAfterMs).toBeGreaterThan(45_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
