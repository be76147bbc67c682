import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbChangeSightings } from '../../../lambdas/adapters/aws/dynamodb-change-sightings';
import { DynamoDbCheckpointStore } from '../../../lambdas/adapters/aws/dynamodb-checkpoint-store';
import { startMoto, type MotoServer } from '../../helpers/moto-server';
import { createSyncStateTable } from '../../helpers/sync-state-table';

const TABLE = 'sync-state';
const ID = 'aaaaaaaa-0000-4000-8000-000000000001';

describe('DynamoDbChangeSightings (sync-state table, moto)', () => {
  let moto: MotoServer;
  let client: DynamoDBClient;
  beforeAll(async () => {
    moto = await startMoto();
    client = new DynamoDBClient(moto.clientConfig);
  }, 60_000);
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await createSyncStateTable(client, TABLE);
  });

  it('should keep the latest instant per kind when a webhook and the sweep race', async () => {
    const sightings = new DynamoDbChangeSightings(client, TABLE);
    await sightings.note('salesorder', ID.toUpperCase(), 'delivered', '2026-11-26T10:00:05Z');
    await sightings.note('salesorder', ID, 'delivered', '2026-11-26T10:00:01.000Z');
    await sightings.note('salesorder', ID, 'own', '2026-11-26T09:00:00.000Z');
    expect(await sightings.get('salesorder', ID)).toEqual({
      delivered: '2026-11-26T10:00:05.000Z',
      own: '2026-11-26T09:00:00.000Z',
    });
    expect(await sightings.get('account', ID)).toEqual({});
  });

  it('should live beside the checkpoints without touching them', async () => {
    const checkpoints = new DynamoDbCheckpointStore(client, TABLE);
    await checkpoints.save('dataverse-sweep:account', '2026-11-26T10:00:00.000Z');
    await new DynamoDbChangeSightings(client, TABLE).note('account', ID, 'delivered', '2026-11-26T10:00:00Z');
    expect(await checkpoints.load('dataverse-sweep:account')).toBe('2026-11-26T10:00:00.000Z');
  });
});
