/**
 * The status page's record of sync outcomes on AWS: per clock hour, one sync-state item (`journal#<hour>`) with that
 * hour's counts and its outcomes by record name. The map and post functions pay for it once per SQS batch, not per
 * record: `record` only buffers, `flush` (called by the handler after the batch) sends one UpdateItem per hour the
 * batch touched — with batches of 10 and more, at most 0.1 calls per record. An hour holds up to
 * JOURNAL_ENTRIES_PER_HOUR outcomes (the item stays well under DynamoDB's 400 KB); beyond that the hour keeps exact
 * counts and counts the outcomes it could not list.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describeError } from '../../core/errors';
import type { Clock, Logger, OutcomeSink, SyncOutcome } from '../../core/ports';
import { journalKeyOf, OUTCOME_JOURNAL_TTL_HOURS } from './outcome-journal-keys';

/** Outcomes listed per hour at most; ~500 bytes each at the field limits below. */
export const JOURNAL_ENTRIES_PER_HOUR = 400;
const MESSAGE_MAX = 300;
const NAME_MAX = 120;

/** One outcome as stored: short attribute names keep an hour of them small. */
export interface JournalEntry {
  /** ISO instant the outcome was recorded. */
  readonly at: string;
  readonly t: SyncOutcome['table'];
  readonly i: string;
  readonly n?: string;
  readonly s: SyncOutcome['status'];
  readonly m: string;
  readonly x?: string;
  /** A failure that goes back to the queue (true) or is final (false). */
  readonly r?: boolean;
  /** The Xero organisation's ShortCode (deep links). */
  readonly c?: string;
}

export class DynamoDbOutcomeJournal implements OutcomeSink {
  private readonly documents: DynamoDBDocumentClient;
  private buffer: JournalEntry[] = [];

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly logger: Logger
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Buffers only; nothing is sent until `flush`. */
  async record(outcome: SyncOutcome): Promise<void> {
    this.buffer.push(entryOf(outcome, this.clock.now()));
  }

  /** Writes what was buffered, one call per clock hour touched. Never throws: a lost journal line fails no sync. */
  async flush(): Promise<void> {
    const entries = this.buffer;
    this.buffer = [];
    const byHour = new Map<string, JournalEntry[]>();
    for (const entry of entries) {
      const key = journalKeyOf(new Date(entry.at));
      byHour.set(key, [...(byHour.get(key) ?? []), entry]);
    }
    for (const [key, hour] of byHour) {
      try {
        await this.appendHour(key, hour);
      } catch (error) {
        this.logger.warn('outcome journal not written', { key, outcomes: hour.length, error: describeError(error) });
      }
    }
  }

  private async appendHour(key: string, entries: readonly JournalEntry[]): Promise<void> {
    const counts = {
      ':synced': entries.filter((e) => e.s === 'synced').length,
      ':failed': entries.filter((e) => e.s === 'failed').length,
      ':skipped': entries.filter((e) => e.s === 'skipped').length,
    };
    const ttl = Math.ceil(new Date(entries[0]!.at).getTime() / 1000) + OUTCOME_JOURNAL_TTL_HOURS * 3600;
    const common = { TableName: this.tableName, Key: { pk: key } };
    const timeout = { abortSignal: AbortSignal.timeout(5_000) };
    try {
      await this.documents.send(
        new UpdateCommand({
          ...common,
          UpdateExpression:
            'ADD synced :synced, failed :failed, skipped :skipped ' +
            'SET #ttl = :ttl, entries = list_append(if_not_exists(entries, :none), :entries)',
          ConditionExpression: 'attribute_not_exists(entries) OR size(entries) <= :room',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ...counts,
            ':ttl': ttl,
            ':none': [],
            ':entries': entries,
            ':room': JOURNAL_ENTRIES_PER_HOUR - entries.length,
          },
        }),
        timeout
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The hour's list is full (a backfill): keep its counts exact and say how many outcomes went unlisted.
      await this.documents.send(
        new UpdateCommand({
          ...common,
          UpdateExpression: 'ADD synced :synced, failed :failed, skipped :skipped, unlisted :unlisted SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ...counts, ':ttl': ttl, ':unlisted': entries.length },
        }),
        timeout
      );
    }
  }
}

function entryOf(outcome: SyncOutcome, at: Date): JournalEntry {
  return {
    at: at.toISOString(),
    t: outcome.table,
    i: outcome.id,
    ...(outcome.name ? { n: outcome.name.slice(0, NAME_MAX) } : {}),
    s: outcome.status,
    m: outcome.message.slice(0, MESSAGE_MAX),
    ...(outcome.xeroId ? { x: outcome.xeroId } : {}),
    ...(outcome.willRetry !== undefined ? { r: outcome.willRetry } : {}),
    ...(outcome.xeroShortCode ? { c: outcome.xeroShortCode } : {}),
  };
}
