import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncedTable } from '../../core/model/change-event';
import type { ChangeSightings, RecordSightings, SightingKind } from '../../core/sweep/ports';

/** A sighting only matters for changes inside the sweep's window (minutes), so it expires after two days. */
const TTL_SECONDS = 2 * 24 * 60 * 60;

/**
 * The latest change the connector has seen per record, as `seen#<table>#<id>` items in the sync-state table. A
 * conditional update keeps the later instant when a webhook and the sweep race.
 */
export class DynamoDbChangeSightings implements ChangeSightings {
  private readonly documents: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async note(table: SyncedTable, id: string, kind: SightingKind, at: string): Promise<void> {
    const instant = new Date(at); // one ISO format, so string order is time order
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key(table, id) },
          UpdateExpression: 'SET #kind = :at, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#kind) OR #kind < :at',
          ExpressionAttributeNames: { '#kind': kind, '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':at': instant.toISOString(),
            ':ttl': Math.ceil(instant.getTime() / 1000) + TTL_SECONDS,
          },
        }),
        { abortSignal: AbortSignal.timeout(5_000) }
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return; // a later sighting is already there
      throw error;
    }
  }

  async get(table: SyncedTable, id: string): Promise<RecordSightings> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: key(table, id) } }),
      { abortSignal: AbortSignal.timeout(5_000) }
    );
    const item = result.Item ?? {};
    return {
      ...(typeof item.delivered === 'string' ? { delivered: item.delivered } : {}),
      ...(typeof item.own === 'string' ? { own: item.own } : {}),
    };
  }
}

function key(table: SyncedTable, id: string): string {
  return `seen#${table}#${id.toLowerCase()}`;
}
