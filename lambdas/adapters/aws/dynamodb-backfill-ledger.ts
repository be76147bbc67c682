import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { BackfillLedger } from '../../core/backfill/backfill';
import { TransientError } from '../../core/errors';
import type { SyncedTable } from '../../core/model/change-event';
import type { Clock } from '../../core/ports';

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

/** DynamoDB limits: 100 keys per BatchGetItem, 25 puts per BatchWriteItem. */
const GET_BATCH = 100;
const WRITE_BATCH = 25;
/** A finished run is remembered this long; after that the same request would queue everything again. */
const KEEP_SECONDS = 30 * 24 * 60 * 60;

export interface DynamoDbBackfillLedgerOptions {
  /** Rounds of re-sending unprocessed keys (throttled partitions) before giving up. @default 5 */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * What a backfill run has queued, in the sync-state table: one item per record under `backfill#<run>#<table>#<id>`
 * with an epoch-seconds `ttl`, so the table's TTL clears old runs. Items carry no `status`, so reconciliation's
 * scan for synced records passes them by.
 */
export class DynamoDbBackfillLedger implements BackfillLedger {
  private readonly documents: DynamoDBDocumentClient;
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    options: DynamoDbBackfillLedgerOptions = {}
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
    this.attempts = options.attempts ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async queued(runId: string, table: SyncedTable, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const prefix = keyPrefix(runId, table);
    for (let i = 0; i < ids.length; i += GET_BATCH) {
      let keys: Record<string, unknown>[] = ids.slice(i, i + GET_BATCH).map((id) => ({ pk: prefix + id }));
      for (let attempt = 1; keys.length > 0; attempt++) {
        if (attempt > this.attempts)
          throw new TransientError(`backfill ledger: ${keys.length} key(s) stayed unread`, 'BACKFILL_LEDGER');
        if (attempt > 1) await this.sleep(backoffMs(attempt));
        const result = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: 'pk', ConsistentRead: true },
            },
          }),
          { abortSignal: AbortSignal.timeout(10_000) }
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const pk = item.pk;
          if (typeof pk === 'string' && pk.startsWith(prefix)) found.add(pk.slice(prefix.length));
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async remember(runId: string, table: SyncedTable, ids: readonly string[]): Promise<void> {
    const prefix = keyPrefix(runId, table);
    const ttl = Math.floor(this.clock.now().getTime() / 1000) + KEEP_SECONDS;
    for (let i = 0; i < ids.length; i += WRITE_BATCH) {
      let requests: WriteRequests = ids
        .slice(i, i + WRITE_BATCH)
        .map((id) => ({ PutRequest: { Item: { pk: prefix + id, ttl } } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > this.attempts)
          throw new TransientError(`backfill ledger: ${requests.length} item(s) stayed unwritten`, 'BACKFILL_LEDGER');
        if (attempt > 1) await this.sleep(backoffMs(attempt));
        const result = await this.documents.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
          { abortSignal: AbortSignal.timeout(10_000) }
        );
        requests = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}

function keyPrefix(runId: string, table: SyncedTable): string {
  return `backfill#${runId}#${table}#`;
}

/** 100 ms, 200 ms, 400 ms … capped at 2 s: unprocessed keys mean a throttled partition, which recovers quickly. */
function backoffMs(attempt: number): number {
  return Math.min(2_000, 100 * 2 ** (attempt - 2));
}
