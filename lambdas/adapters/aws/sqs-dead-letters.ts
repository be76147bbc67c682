/**
 * The status page's view of the SQS queues: depth and dead-letter counts (GetQueueAttributes), the dead letters
 * themselves (a peek: ReceiveMessage with a zero visibility timeout, so they stay where they are and in order), and
 * Retry of one dead letter (sent back to its source queue, then deleted from the DLQ).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { isSyncedTable } from '../../core/model/change-event';
import type { StatusDeadLetter, StatusQueueName, StatusRecord } from '../../core/status/status-snapshot';

export interface QueuePair {
  readonly name: StatusQueueName;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** Dead letters listed per queue: what one ReceiveMessage returns. */
const PEEK_MAX = 10;
/** Retry looks this many receives deep for the dead letter it was asked for. */
const RETRY_RECEIVES = 3;
const timeout = () => ({ abortSignal: AbortSignal.timeout(5_000) });

/** Refusal of a Retry the operator can act on (gone, or not reachable now). */
export class DeadLetterRetryError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    readonly status: 400 | 404 | 409
  ) {
    super(message);
  }
}

/** Waiting (ready + in flight + delayed) and dead-lettered messages of each queue. */
export async function queueDepths(
  sqs: SQSClient,
  queues: readonly QueuePair[]
): Promise<Partial<Record<StatusQueueName, { depth: number; dead: number }>>> {
  const count = async (queueUrl: string) => {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
      timeout()
    );
    const a = answer.Attributes ?? {};
    return (
      Number(a.ApproximateNumberOfMessages ?? 0) +
      Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  };
  const entries = await Promise.all(
    queues.map(async (q) => [q.name, { depth: await count(q.queueUrl), dead: await count(q.deadLetterQueueUrl) }])
  );
  return Object.fromEntries(entries);
}

/** Up to 10 dead letters per queue, oldest first, left in place. */
export async function peekDeadLetters(sqs: SQSClient, queues: readonly QueuePair[]): Promise<StatusDeadLetter[]> {
  const lists = await Promise.all(
    queues.map(async (q) => (await receive(sqs, q.deadLetterQueueUrl, 0)).map((m) => deadLetterOf(q.name, m)))
  );
  return lists.flat();
}

/** `changes:<MessageId>`: names one dead letter of one queue. */
export function retryKeyOf(queue: StatusQueueName, messageId: string): string {
  return `${queue}:${messageId}`;
}

/**
 * Sends one dead letter back to its source queue and deletes it from the DLQ. The messages looked at on the way are
 * made visible again at once. A FIFO copy gets a new deduplication id (the original's would be dropped as a
 * duplicate within five minutes) and its original message group, so the record's order is kept.
 */
export async function retryDeadLetter(sqs: SQSClient, queues: readonly QueuePair[], retryKey: string): Promise<void> {
  const [name, messageId] = retryKey.split(/:(.*)/s, 2);
  const queue = queues.find((q) => q.name === name);
  if (!queue || !messageId) throw new DeadLetterRetryError(`"${retryKey}" names no dead letter`, 400);
  for (let round = 0; round < RETRY_RECEIVES; round++) {
    const messages = await receive(sqs, queue.deadLetterQueueUrl, 30);
    const found = messages.find((m) => m.MessageId === messageId);
    await releaseAll(
      sqs,
      queue.deadLetterQueueUrl,
      messages.filter((m) => m !== found)
    );
    if (found) {
      await resend(sqs, queue.queueUrl, found);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queue.deadLetterQueueUrl, ReceiptHandle: found.ReceiptHandle }),
        timeout()
      );
      return;
    }
    if (messages.length === 0) break;
  }
  throw new DeadLetterRetryError(
    'That dead letter is no longer waiting (already retried?), or others of its record come first: use Retry all.',
    404
  );
}

/**
 * Retry all: SQS moves every message of each non-empty dead-letter queue back to the queue it came from
 * (StartMessageMoveTask, the console's "redrive"). Returns the messages waiting in each when the move started.
 */
export async function redriveAll(
  sqs: SQSClient,
  queues: readonly QueuePair[]
): Promise<Partial<Record<StatusQueueName, number>>> {
  const moved: Partial<Record<StatusQueueName, number>> = {};
  for (const queue of queues) {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.deadLetterQueueUrl,
        AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
      }),
      timeout()
    );
    const waiting = Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
    const arn = answer.Attributes?.QueueArn;
    moved[queue.name] = waiting;
    if (waiting > 0 && arn) await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }), timeout());
  }
  return moved;
}

async function receive(sqs: SQSClient, queueUrl: string, visibilityTimeout: number): Promise<Message[]> {
  const answer = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: PEEK_MAX,
      VisibilityTimeout: visibilityTimeout,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['reason'],
      MessageSystemAttributeNames: ['MessageGroupId', 'SentTimestamp'],
    }),
    timeout()
  );
  return answer.Messages ?? [];
}

async function releaseAll(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  if (messages.length === 0) return;
  await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
    }),
    timeout()
  );
}

async function resend(sqs: SQSClient, queueUrl: string, message: Message): Promise<void> {
  const group = message.Attributes?.MessageGroupId;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.Body ?? '',
      ...(group
        ? {
            MessageGroupId: group,
            MessageDeduplicationId: createHash('sha256').update(`retry:${message.MessageId}`).digest('hex'),
          }
        : {}),
    }),
    timeout()
  );
}

function deadLetterOf(queue: StatusQueueName, message: Message): StatusDeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  const reason = message.MessageAttributes?.reason?.StringValue;
  const record = recordOf(message.Body);
  return {
    queue,
    retryKey: retryKeyOf(queue, message.MessageId ?? ''),
    ...(record ? { record } : {}),
    ...(reason ? { reason } : {}),
    ...(Number.isFinite(sent) && sent > 0 ? { at: new Date(sent).toISOString() } : {}),
  };
}

/** The Dataverse record a message is about: a change (`table`, `id`) or a Xero write (`source`, document name). */
export function recordOf(body: string | undefined): StatusRecord | undefined {
  let parsed: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(body ?? '');
    if (!value || typeof value !== 'object') return undefined;
    parsed = value as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const source = (parsed.source && typeof parsed.source === 'object' ? parsed.source : parsed) as Record<
    string,
    unknown
  >;
  const { table, id } = source;
  if (typeof table !== 'string' || !isSyncedTable(table) || typeof id !== 'string') return undefined;
  const name = nameOf(parsed);
  return { table, id, ...(name ? { name } : {}) };
}

function nameOf(write: Record<string, unknown>): string | undefined {
  const field = (key: string, inner: string) => {
    const value = (write[key] as Record<string, unknown> | undefined)?.[inner];
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  return field('contact', 'Name') ?? field('item', 'Name') ?? field('invoice', 'Reference');
}
