import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncedTable } from '../../core/model/change-event';
import type { ChangeSightings, RecordSightings, SightingKind, SightingNote } from '../../core/sweep/ports';
import { batchGetAll, batchPutAll, type BatchRetryOptions } from './dynamodb-batch';

/** A sighting only matters for changes inside the sweep's window (minutes), so it expires after two days. */
const TTL_SECONDS = 2 * 24 * 60 * 60;

/**
 * The latest change the connector has seen per record, in the sync-state table: `delivered` in the item
 * `seen#<table>#<id>`, `own` in `seen#<table>#<id>#own`. One item per kind, so that a batch's own-write notes can be
 * written whole with BatchWriteItem without erasing a webhook's `delivered` beside them. A single note is a
 * conditional update that keeps the later instant when a webhook and the sweep race; `noteMany` puts the batch's own
 * notes unconditionally (see ChangeSightings.noteMany for why an earlier instant left by a concurrent writer is safe).
 */
export class DynamoDbChangeSightings implements ChangeSightings {
  private readonly documents: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly batchOptions: BatchRetryOptions = {}
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async note(table: SyncedTable, id: string, kind: SightingKind, at: string): Promise<void> {
    const instant = new Date(at); // one ISO format, so string order is time order
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key(table, id, kind) },
          UpdateExpression: 'SET #kind = :at, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#kind) OR #kind < :at',
          ExpressionAttributeNames: { '#kind': kind, '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':at': instant.toISOString(), ':ttl': expiry(instant) },
        }),
        { abortSignal: AbortSignal.timeout(5_000) }
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return; // a later sighting is already there
      throw error;
    }
  }

  /**
   * `own` notes: the latest per record, put whole in BatchWriteItem requests of 25. `delivered` notes (the sweep's,
   * a few per run; webhooks note one change per request anyway) keep the conditional update, one each.
   */
  async noteMany(notes: readonly SightingNote[]): Promise<void> {
    const own = new Map<string, Date>();
    for (const note of notes) {
      if (note.kind !== 'own') {
        await this.note(note.table, note.id, note.kind, note.at);
        continue;
      }
      const pk = key(note.table, note.id, 'own');
      const instant = new Date(note.at);
      const previous = own.get(pk);
      if (previous === undefined || previous < instant) own.set(pk, instant);
    }
    const items = [...own].map(([pk, instant]) => ({ pk, own: instant.toISOString(), ttl: expiry(instant) }));
    await batchPutAll(this.documents, this.tableName, items, this.batchOptions);
  }

  async get(table: SyncedTable, id: string): Promise<RecordSightings> {
    const items = await batchGetAll(
      this.documents,
      this.tableName,
      [{ pk: key(table, id, 'delivered') }, { pk: key(table, id, 'own') }],
      this.batchOptions
    );
    const latest = (kind: SightingKind) =>
      items
        .map((item) => item[kind])
        .filter((value): value is string => typeof value === 'string')
        .sort()
        .at(-1);
    // Items written before the split may carry `own` in the `delivered` item: the later of the two counts.
    const delivered = latest('delivered');
    const own = latest('own');
    return { ...(delivered !== undefined && { delivered }), ...(own !== undefined && { own }) };
  }
}

function key(table: SyncedTable, id: string, kind: SightingKind): string {
  const record = `seen#${table}#${id.toLowerCase()}`;
  return kind === 'own' ? `${record}#own` : record;
}

function expiry(instant: Date): number {
  return Math.ceil(instant.getTime() / 1000) + TTL_SECONDS;
}
