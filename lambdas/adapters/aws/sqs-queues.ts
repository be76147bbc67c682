import { createHash } from 'node:crypto';
import { SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { TransientError } from '../../core/errors';
import type { ChangeEvent } from '../../core/model/change-event';
import type { XeroWrite } from '../../core/model/xero-write';
import type { ChangeQueue, WriteQueue } from '../../core/ports';

/** SendMessageBatch takes at most 10 messages and 256 KiB of them in all (bodies and attributes). */
const SQS_BATCH = 10;
const SQS_BATCH_BYTES = 256 * 1024;
/** What an entry's Id, group and deduplication id add beside its body: kept out of the byte budget with margin. */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * Splits entries into SendMessageBatch requests of ≤10 messages and ≤256 KiB, in order.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
export function packEntries(entries: readonly SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const requests: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '') + ENTRY_OVERHEAD_BYTES;
    if (current.length > 0 && (current.length === SQS_BATCH || bytes + size > SQS_BATCH_BYTES)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ ...entry, Id: String(current.length) });
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

async function sendAll(sqs: SQSClient, queueUrl: string, entries: SendMessageBatchRequestEntry[]) {
  for (const batch of packEntries(entries)) {
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }), {
      abortSignal: AbortSignal.timeout(10_000),
    });
    if (result.Failed && result.Failed.length > 0) {
      // Nothing is lost: the caller's own message is retried and the whole set re-sent (FIFO dedupe absorbs repeats).
      throw new TransientError(
        `SQS refused ${result.Failed.length} message(s): ${result.Failed.map((f) => f.Code).join(', ')}`
      );
    }
  }
}

/** Changes queue (FIFO): one message group per record so changes of a record are processed in order. */
export class SqsChangeQueue implements ChangeQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string
  ) {}

  async enqueue(events: readonly ChangeEvent[]): Promise<void> {
    await sendAll(
      this.sqs,
      this.queueUrl,
      events.map((event, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(event),
        MessageGroupId: `${event.table}:${event.id}`,
        // FIFO dedupe ids are ≤128 chars of a restricted alphabet: hash ours.
        MessageDeduplicationId: createHash('sha256').update(event.dedupeId).digest('hex'),
      }))
    );
  }
}

/** Xero-writes queue (standard): the post stage batches whatever arrives together. */
export class SqsWriteQueue implements WriteQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string
  ) {}

  async enqueue(writes: readonly XeroWrite[]): Promise<void> {
    await sendAll(
      this.sqs,
      this.queueUrl,
      writes.map((write, index) => ({ Id: String(index), MessageBody: JSON.stringify(write) }))
    );
  }
}
