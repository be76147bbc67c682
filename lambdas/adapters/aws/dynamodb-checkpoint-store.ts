import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CheckpointStore } from '../../core/writeback/ports';

/** Named checkpoints in the sync-state table (`checkpoint#<name>`), e.g. how far the Xero invoice poll has read. */
export class DynamoDbCheckpointStore implements CheckpointStore {
  private readonly documents: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async load(name: string): Promise<string | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `checkpoint#${name}` } }),
      {
        abortSignal: AbortSignal.timeout(5_000),
      }
    );
    return typeof result.Item?.value === 'string' ? result.Item.value : undefined;
  }

  async save(name: string, checkpoint: string): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: `checkpoint#${name}`, value: checkpoint } }),
      {
        abortSignal: AbortSignal.timeout(5_000),
      }
    );
  }
}
