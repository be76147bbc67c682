import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbSharedReads } from '../../../lambdas/adapters/aws/dynamodb-shared-reads';
import type { Clock } from '../../../lambdas/core/ports';
import { recordingLogger } from '../../helpers/in-memory-ports';
import { startMoto, type MotoServer } from '../../helpers/moto-server';
import { createSyncStateTable } from '../../helpers/sync-state-table';

const TABLE = 'sync-state';

describe('DynamoDbSharedReads (sync-state table, moto)', () => {
  let moto: MotoServer;
  let client: DynamoDBClient;
  let nowMs = Date.parse('2026-11-26T10:00:00Z');
  const clock: Clock = { now: () => new Date(nowMs) };
  beforeAll(async () => {
    moto = await startMoto();
    client = new DynamoDBClient(moto.clientConfig);
  }, 60_000);
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await createSyncStateTable(client, TABLE);
  });

  const reads = (tableName = TABLE) =>
    new DynamoDbSharedReads({
      client,
      tableName,
      tenantId: async () => 'tenant-1',
      clock,
      logger: recordingLogger(),
      pollMs: 20,
    });

  // Before: each of the post function's 4 containers read the organisation and listed the keys itself.
  it('should load once for four containers that ask together, and give each the value', async () => {
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 300)); // Xero answering
      return { ShortCode: '!abc' };
    };
    const answers = await Promise.all([1, 2, 3, 4].map(() => reads().read('organisation', 60_000, load)));
    expect(answers).toEqual(Array(4).fill({ ShortCode: '!abc' }));
    expect(loads).toBe(1);
    expect(await reads().read('organisation', 60_000, load)).toEqual({ ShortCode: '!abc' });
    expect(loads).toBe(1);
  });

  it('should load again once the value is older than the reader allows', async () => {
    await reads().read('keys', 120_000, async () => ['A']);
    nowMs += 121_000;
    expect(await reads().read('keys', 120_000, async () => ['A', 'B'])).toEqual(['A', 'B']);
    expect(await reads().read('keys', 120_000, async () => ['never'])).toEqual(['A', 'B']);
  });

  it("should let the next reader load at once when a loader failed, and pass the loader's error on", async () => {
    await expect(
      reads().read('organisation', 60_000, async () => {
        throw new Error('Xero 503');
      })
    ).rejects.toThrow('Xero 503');
    const started = Date.now();
    expect(await reads().read('organisation', 60_000, async () => ({ ShortCode: '!x' }))).toEqual({ ShortCode: '!x' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('should read Xero itself when DynamoDB cannot be used', async () => {
    expect(await reads('no-such-table').read('organisation', 60_000, async () => ({ ShortCode: '!y' }))).toEqual({
      ShortCode: '!y',
    });
  });
});
