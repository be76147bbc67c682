import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbChangeSightings } from '../../../lambdas/adapters/aws/dynamodb-change-sightings';
import { BufferedChangeSightings } from '../../../lambdas/core/sweep/buffered-sightings';
import { noteOwnOutcomeWrites } from '../../../lambdas/core/sweep/own-writes';
import { RecordingOutcomes, recordingLogger } from '../../helpers/in-memory-ports';
import { guid } from '../../helpers/xero-write-builders';
import { DynamoDbCheckpointStore } from '../../../lambdas/adapters/aws/dynamodb-checkpoint-store';
import { useMotoSyncStateTable } from '../../helpers/sync-state-table';

const TABLE = 'sync-state';
const ID = 'aaaaaaaa-0000-4000-8000-000000000001';

describe('DynamoDbChangeSightings (sync-state table, moto)', () => {
  const db = useMotoSyncStateTable(TABLE);
  let client: DynamoDBClient;
  beforeAll(() => {
    client = db.client({ recorded: true });
  });
  /** The DynamoDB operations sent since the table was made (or last cleared), by name. */
  const sent = () => db.sent.map((c) => c.command);
  const clearSent = () => {
    db.sent.length = 0;
  };

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

  // Before: one conditional UpdateItem per record (60 here; 1.05 calls per record in the AWS bench's post stage).
  it("should write a batch's 60 own-write notes in 3 BatchWriteItem requests, beside a webhook's delivered", async () => {
    const store = new DynamoDbChangeSightings(client, TABLE);
    await store.note('account', guid(1), 'delivered', '2026-11-26T10:00:00.000Z');
    clearSent();
    const buffer = new BufferedChangeSightings(store, recordingLogger());
    const sink = noteOwnOutcomeWrites(new RecordingOutcomes(), {
      sightings: buffer,
      versions: { modifiedOn: async () => '2026-11-26T10:00:03.000Z' },
      logger: recordingLogger(),
    });
    for (let n = 1; n <= 60; n++) {
      await sink.record({
        table: 'account',
        id: guid(n),
        status: 'synced',
        message: 'updated contact',
        event: 'Update',
      });
    }
    await buffer.flush();

    expect(sent()).toEqual(['BatchWriteItemCommand', 'BatchWriteItemCommand', 'BatchWriteItemCommand']);
    expect(await store.get('account', guid(1))).toEqual({
      delivered: '2026-11-26T10:00:00.000Z',
      own: '2026-11-26T10:00:03.000Z',
    });
    expect(await store.get('account', guid(60))).toEqual({ own: '2026-11-26T10:00:03.000Z' });
  });

  it('should keep the later own instant when one batch notes a record twice, and read both kinds in one request', async () => {
    const store = new DynamoDbChangeSightings(client, TABLE);
    await store.noteMany([
      { table: 'salesorder', id: ID, kind: 'own', at: '2026-11-26T10:00:09Z' },
      { table: 'salesorder', id: ID.toUpperCase(), kind: 'own', at: '2026-11-26T10:00:02Z' },
      { table: 'salesorder', id: ID, kind: 'delivered', at: '2026-11-26T10:00:01Z' },
    ]);
    clearSent();
    expect(await store.get('salesorder', ID)).toEqual({
      delivered: '2026-11-26T10:00:01.000Z',
      own: '2026-11-26T10:00:09.000Z',
    });
    expect(sent()).toEqual(['BatchGetItemCommand']);
  });

  it('should still read an own sighting written into the delivered item before the kinds were split', async () => {
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `seen#account#${ID}` },
          delivered: { S: '2026-11-26T10:00:00.000Z' },
          own: { S: '2026-11-26T10:00:04.000Z' },
        },
      })
    );
    const store = new DynamoDbChangeSightings(client, TABLE);
    expect(await store.get('account', ID)).toEqual({
      delivered: '2026-11-26T10:00:00.000Z',
      own: '2026-11-26T10:00:04.000Z',
    });
    await store.noteMany([{ table: 'account', id: ID, kind: 'own', at: '2026-11-26T10:00:07Z' }]);
    expect((await store.get('account', ID)).own).toBe('2026-11-26T10:00:07.000Z');
  });
});
