import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncedTable } from '../../core/model/change-event';
import type { SyncRecord, SyncRecordRef, SyncStateStore, SyncStatus } from '../../core/ports';
import { batchGetAll, batchPutAll, type BatchRetryOptions } from './dynamodb-batch';

/**
 * Sync state on DynamoDB: one item per Dataverse record and Xero organisation, partition key `table#id`, or
 * `table#id#tenant` for a record of a routed, non-default organisation (core/routing/tenant-state.ts): the
 * single-organisation keys never change, so existing tables need no migration.
 */
export class DynamoDbSyncState implements SyncStateStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly batchOptions: BatchRetryOptions = {}
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(table: SyncedTable, id: string, tenantId?: string): Promise<SyncRecord | null> {
    const result = await this.documents.send(
      // Strongly consistent: a `creating` mark or a newer version written a moment ago by another function counts.
      new GetCommand({ TableName: this.tableName, Key: { pk: pkOf({ table, id, tenantId }) }, ConsistentRead: true }),
      {
        abortSignal: AbortSignal.timeout(5_000),
      }
    );
    if (!result.Item) return null;
    const { pk: _pk, ...record } = result.Item;
    return record as SyncRecord;
  }

  async put(record: SyncRecord): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { pk: pkOf(record), ...record } }), {
      abortSignal: AbortSignal.timeout(5_000),
    });
  }

  /** BatchGetItem, 100 keys a call, strongly consistent like `get`. */
  async getMany(refs: readonly SyncRecordRef[]): Promise<(SyncRecord | null)[]> {
    const keys = [...new Set(refs.map(pkOf))].map((pk) => ({ pk }));
    const items = await batchGetAll(this.documents, this.tableName, keys, this.batchOptions);
    const byKey = new Map<string, SyncRecord>();
    for (const { pk, ...record } of items) byKey.set(String(pk), record as unknown as SyncRecord);
    return refs.map((ref) => byKey.get(pkOf(ref)) ?? null);
  }

  /** BatchWriteItem, 25 puts a call; a record given twice is written once, as its last version. */
  async putMany(records: readonly SyncRecord[]): Promise<void> {
    const latest = new Map<string, SyncRecord>();
    for (const record of records) latest.set(pkOf(record), record);
    const items = [...latest].map(([pk, record]) => ({ pk, ...record }));
    await batchPutAll(this.documents, this.tableName, items, this.batchOptions);
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

function pkOf(ref: SyncRecordRef): string {
  return ref.tenantId ? `${ref.table}#${ref.id}#${ref.tenantId}` : `${ref.table}#${ref.id}`;
}
