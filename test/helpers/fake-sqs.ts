/**
 * An in-memory SQS for unit tests, behind aws-sdk-client-mock: the queue semantics the work runner relies on, on a
 * clock the test owns. Modelled: visibility timeout and ChangeMessageVisibility (≤ 12 h), DelaySeconds (≤ 15 min,
 * refused on FIFO queues, as SQS does), FIFO groups (a group is blocked while its head is in flight or hidden),
 * receive counts with a redrive policy (a message received maxReceiveCount times moves to the dead-letter queue on
 * its next receive), and an event source mapping's delivery with ReportBatchItemFailures.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { recordingLogger } from './in-memory-ports';

interface StoredMessage {
  readonly id: string;
  readonly seq: number;
  readonly body: string;
  readonly groupId?: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
}

export interface FakeQueueOptions {
  readonly fifo?: boolean;
  readonly visibilityTimeoutSeconds?: number;
  /** Redrive policy: the dead-letter queue and maxReceiveCount. */
  readonly redrive?: { readonly deadLetterQueue: FakeSqsQueue; readonly maxReceiveCount: number };
}

export class FakeSqsQueue {
  readonly messages: StoredMessage[] = [];
  constructor(
    readonly url: string,
    private readonly sqs: FakeSqs,
    readonly options: FakeQueueOptions = {}
  ) {}

  get fifo(): boolean {
    return this.options.fifo ?? false;
  }

  send(input: {
    MessageBody?: string;
    DelaySeconds?: number;
    MessageGroupId?: string;
    MessageDeduplicationId?: string;
    MessageAttributes?: Record<string, MessageAttributeValue>;
  }): string {
    if (this.fifo && input.DelaySeconds !== undefined)
      throw invalid('The request include parameter that is not valid for this queue type (DelaySeconds on FIFO)');
    if (this.fifo && (!input.MessageGroupId || !input.MessageDeduplicationId))
      throw invalid('FIFO queues need MessageGroupId and MessageDeduplicationId');
    if ((input.DelaySeconds ?? 0) > 900) throw invalid('DelaySeconds must be ≤ 900');
    const id = `m${++this.sqs.sequence}`;
    this.messages.push({
      id,
      seq: this.sqs.sequence,
      body: input.MessageBody ?? '',
      ...(input.MessageGroupId ? { groupId: input.MessageGroupId } : {}),
      attributes: input.MessageAttributes ?? {},
      visibleAt: this.sqs.now + (input.DelaySeconds ?? 0) * 1000,
      receiveCount: 0,
    });
    return id;
  }

  /** A ReceiveMessage as an event source mapping makes it (moving over-received messages to the DLQ first). */
  receive(max: number): SQSRecord[] {
    const now = this.sqs.now;
    const blocked = new Set<string>();
    const records: SQSRecord[] = [];
    for (const message of [...this.messages].sort((a, b) => a.seq - b.seq)) {
      if (records.length >= max) break;
      if (message.groupId && blocked.has(message.groupId)) continue;
      if (message.visibleAt > now) {
        if (message.groupId) blocked.add(message.groupId);
        continue;
      }
      const redrive = this.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.remove(message.id);
        redrive.deadLetterQueue.messages.push({ ...message, visibleAt: now, receiveCount: 0, receipt: undefined });
        continue;
      }
      message.receiveCount += 1;
      message.receipt = `${message.id}#${message.receiveCount}`;
      message.visibleAt = now + (this.options.visibilityTimeoutSeconds ?? 30) * 1000;
      records.push(this.toRecord(message));
    }
    return records;
  }

  delete(receipt: string): void {
    const message = this.messages.find((m) => m.receipt === receipt);
    if (message) this.remove(message.id);
  }

  changeVisibility(receipt: string, seconds: number): void {
    if (seconds > 12 * 3600) throw invalid('VisibilityTimeout must be ≤ 43200');
    const message = this.messages.find((m) => m.receipt === receipt);
    if (!message) throw invalid('ReceiptHandle is invalid');
    message.visibleAt = this.sqs.now + seconds * 1000;
  }

  bodies(): string[] {
    return this.messages.map((m) => m.body);
  }

  private remove(id: string): void {
    const index = this.messages.findIndex((m) => m.id === id);
    if (index >= 0) this.messages.splice(index, 1);
  }

  private toRecord(message: StoredMessage): SQSRecord {
    return {
      messageId: message.id,
      receiptHandle: message.receipt ?? '',
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: '0',
        SenderId: 'fake',
        ApproximateFirstReceiveTimestamp: '0',
        ...(message.groupId
          ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.id, SequenceNumber: String(message.seq) }
          : {}),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [
          name,
          { dataType: value.DataType ?? 'String', stringValue: value.StringValue },
        ])
      ),
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${this.url.split('/').pop()}`,
      awsRegion: 'eu-west-1',
    };
  }
}

export class FakeSqs {
  now = 0;
  sequence = 0;
  private readonly queues = new Map<string, FakeSqsQueue>();

  queue(url: string, options?: FakeQueueOptions): FakeSqsQueue {
    const queue = new FakeSqsQueue(url, this, options);
    this.queues.set(url, queue);
    return queue;
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** Routes the SQS commands the runner sends to this fake. */
  install(mock: AwsClientStub<SQSClient>): void {
    mock.on(SendMessageCommand).callsFake((input) => ({ MessageId: this.get(input.QueueUrl).send(input) }));
    mock.on(SendMessageBatchCommand).callsFake((input) => {
      const queue = this.get(input.QueueUrl);
      const Successful: { Id: string; MessageId: string }[] = [];
      const Failed: { Id: string; Code: string; SenderFault: boolean }[] = [];
      for (const entry of input.Entries ?? []) {
        try {
          Successful.push({ Id: entry.Id, MessageId: queue.send(entry) });
        } catch (error) {
          Failed.push({ Id: entry.Id, Code: (error as Error).name, SenderFault: true });
        }
      }
      return { Successful, Failed };
    });
    mock.on(ChangeMessageVisibilityCommand).callsFake((input) => {
      this.get(input.QueueUrl).changeVisibility(input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    });
    mock.on(ChangeMessageVisibilityBatchCommand).callsFake((input) => {
      const queue = this.get(input.QueueUrl);
      const Failed: { Id: string; Code: string; SenderFault: boolean }[] = [];
      for (const entry of input.Entries ?? []) {
        try {
          queue.changeVisibility(entry.ReceiptHandle, entry.VisibilityTimeout ?? 0);
        } catch (error) {
          Failed.push({ Id: entry.Id, Code: (error as Error).name, SenderFault: true });
        }
      }
      return { Successful: [], Failed };
    });
    mock.on(DeleteMessageCommand).callsFake((input) => {
      this.get(input.QueueUrl).delete(input.ReceiptHandle);
      return {};
    });
  }

  private get(url: string | undefined): FakeSqsQueue {
    const queue = url ? this.queues.get(url) : undefined;
    if (!queue) throw invalid(`no such queue: ${url}`);
    return queue;
  }
}

/**
 * One poll of an event source mapping with ReportBatchItemFailures: receive up to `batchSize`, invoke, delete what
 * the response does not name. A handler that throws leaves the whole batch to its visibility timeout.
 */
export async function deliver(
  queue: FakeSqsQueue,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  batchSize = 10
): Promise<SQSRecord[]> {
  const records = queue.receive(batchSize);
  if (records.length === 0) return records;
  let response: SQSBatchResponse;
  try {
    response = await handler({ Records: records });
  } catch {
    return records;
  }
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const record of records) if (!failed.has(record.messageId)) queue.delete(record.receiptHandle);
  return records;
}

export interface FakeQueuePairOptions {
  /** The queue is https://sqs/<name>, its dead-letter queue https://sqs/<name>-dlq. */
  readonly name: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
}

/**
 * A fresh fake SQS (its clock at 1,000,000 ms) with one queue and its dead-letter queue, routed from `mock` (reset
 * first), and the dependencies the SQS work runner takes, on the fake's clock.
 */
export function fakeQueuePair(mock: AwsClientStub<SQSClient>, options: FakeQueuePairOptions) {
  const sqs = new FakeSqs();
  sqs.now = 1_000_000;
  const dlq = sqs.queue(`https://sqs/${options.name}-dlq`, { fifo: options.fifo });
  const queue = sqs.queue(`https://sqs/${options.name}`, {
    fifo: options.fifo,
    ...(options.visibilityTimeoutSeconds !== undefined && {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    }),
    redrive: { deadLetterQueue: dlq, maxReceiveCount: options.maxReceiveCount ?? 5 },
  });
  mock.reset();
  sqs.install(mock);
  const deps = {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    queueUrl: queue.url,
    deadLetterQueueUrl: dlq.url,
    logger: recordingLogger(),
    clock: { now: () => new Date(sqs.now) },
  };
  return { sqs, queue, dlq, deps };
}

function invalid(message: string): Error {
  return Object.assign(new Error(message), { name: 'InvalidParameterValue' });
}
