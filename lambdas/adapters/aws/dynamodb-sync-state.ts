import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncedTable } from '../../core/model/change-event';
import type { SyncRecord, SyncStateStore, SyncStatus } from '../../core/ports';

/** Sync state on DynamoDB: one item per Dataverse record, partition key `table#id`. */
export class DynamoDbSyncState implements SyncStateStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(table: SyncedTable, id: string): Promise<SyncRecord | null> {
    const result = await this.documents.send(
      // Strongly consistent: a `creating` mark or a newer version written a moment ago by another function counts.
      new GetCommand({ TableName: this.tableName, Key: { pk: `${table}#${id}` }, ConsistentRead: true }),
      {
        abortSignal: AbortSignal.timeout(5_000),
      }
    );
    if (!result.Item) return null;
    const { pk: _pk, ...record } = result.Item;
    return record as SyncRecord;
  }

  async put(record: SyncRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: `${record.table}#${record.id}`, ...record } }),
      { abortSignal: AbortSignal.timeout(5_000) }
    );
  }

  /** Every record in a status, page by page (reconciliation walks the synced ones; nonces and checkpoints are skipped). */
  async listByStatus(status: SyncStatus): Promise<SyncRecord[]> {
    const records: SyncRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
          ExclusiveStartKey: startKey,
        }),
        { abortSignal: AbortSignal.timeout(10_000) }
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, ...record } = item;
        records.push(record as SyncRecord);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
