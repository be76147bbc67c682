import { createHash } from 'node:crypto';
import { SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { TransientError } from '../../core/errors';
import type { ChangeEvent } from '../../core/model/change-event';
import type { XeroWrite } from '../../core/model/xero-write';
import type { ChangeQueue, WriteQueue } from '../../core/ports';

const SQS_BATCH = 10;

async function sendAll(sqs: SQSClient, queueUrl: string, entries: SendMessageBatchRequestEntry[]) {
  for (let i = 0; i < entries.length; i += SQS_BATCH) {
    const batch = entries.slice(i, i + SQS_BATCH);
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
