/**
 * The SQS side of the work runners: an event source mapping's batch in, a partial-batch response out. The runner
 * (core/work) decides each message's settlement; this module carries it out with SQS calls:
 * - ack → left out of batchItemFailures, so Lambda deletes it;
 * - retry, skip → reported as failed: back after the queue's visibility timeout, counting a receive (after
 *   maxReceiveCount receives SQS moves it to the dead-letter queue);
 * - dead → sent to the dead-letter queue now with a `reason` attribute, then deleted;
 * - wait → see below: never dead-lettered, however long it lasts.
 *
 * Why a wait replaces the message instead of only hiding it: every receive counts against maxReceiveCount, whatever
 * the handler says, and a message also expires after the queue's retention period (4 days). Hiding a paused message
 * again and again (what this code did before) sent queued writes to the DLQ after maxReceiveCount × 15 minutes
 * without a reconnect. So a waiting message is hidden for the wait on its first receive (a short Retry-After then
 * costs one ChangeMessageVisibility), and from its second receive on it is replaced by a fresh copy of itself:
 * the copy starts with no receives and a new retention period, so paused work stays queued for as long as the
 * operator needs. The copy carries a `waitUntil` attribute: received before then, it is hidden for the rest of the
 * wait without running the use case. Standard queues also delay the copy (DelaySeconds ≤ 15 min); FIFO queues refuse
 * per-message delays, so a FIFO copy is visible at once, goes to the back of its group (the map stage re-reads the
 * record, so a change overtaken by a later one of its record loses nothing) and is hidden on that first receive.
 * If Lambda fails to delete the original after the copy was sent, both run once later: every stage is idempotent
 * (the map stage re-reads, the post stage looks keys up and sends Idempotency-Keys), so that costs a call, no data.
 * Considered and not chosen: disabling the event source mappings while reconnect is required (needs the token
 * function to hold UpdateEventSourceMapping on three functions and fails open if enabling is missed) and a very
 * high maxReceiveCount (would also retry genuinely failing messages for days, and retention still expires them).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  type SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../../core/errors';
import type { Clock, Logger } from '../../core/ports';
import {
  summarise,
  type SettledMessage,
  type Settlement,
  type WorkMessage,
  type WorkRunner,
} from '../../core/work/settlement';
import { systemClock } from '../system-clock';

/** SQS refuses DelaySeconds above 15 minutes. */
const MAX_DELAY_SECONDS = 15 * 60;
/**
 * A message may stay invisible at most 12 hours counted from its receipt, and this call comes after the batch ran:
 * keep an hour's margin so the request is never refused.
 */
const MAX_HIDE_SECONDS = 11 * 60 * 60;
const SQS_BATCH = 10;
/** Message attribute of a waiting message's copy: epoch milliseconds before which it is not worked on. */
export const WAIT_UNTIL_ATTRIBUTE = 'waitUntil';

export interface SqsWorkDeps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly logger: Logger;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

interface SqsWorkMessage extends WorkMessage {
  readonly record: SQSRecord;
  readonly receiveCount: number;
  /** Set on the copy of a waiting message: not to be worked on before this instant (epoch ms). */
  readonly waitUntil?: number;
}

/** Run one event source mapping batch through `run` and settle it; returns the partial-batch response. */
export async function runSqsWork(event: SQSEvent, run: WorkRunner, deps: SqsWorkDeps): Promise<SQSBatchResponse> {
  const now = (deps.clock ?? systemClock).now().getTime();
  const messages = event.Records.map(toWorkMessage);
  const early = notYetDue(messages, now);
  const ran = await run(messages.filter((m) => !early.has(m)));
  const settled = messages.map(
    (message) => ran.find((s) => s.message === message) ?? { message, settlement: early.get(message) ?? retryLost }
  );
  const failed = await settle(deps, settled, now);
  const summary = summarise(settled);
  if (settled.some((s) => s.settlement.action !== 'ack'))
    deps.logger.info('batch settled', { ...summary, reportedFailed: failed.length });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

const retryLost: Settlement = { action: 'retry', error: 'not settled by the runner' };

/**
 * Copies of waiting messages received before their time wait on (hidden, not worked on); a FIFO message behind one
 * of them in its group is skipped, so the group keeps its order.
 */
function notYetDue(messages: readonly SqsWorkMessage[], now: number): Map<SqsWorkMessage, Settlement> {
  const early = new Map<SqsWorkMessage, Settlement>();
  const heldGroups = new Set<string>();
  for (const message of messages) {
    if (message.groupId !== undefined && heldGroups.has(message.groupId)) {
      early.set(message, { action: 'skip' });
    } else if (message.waitUntil !== undefined && message.waitUntil > now) {
      const reason = 'copy of a waiting message, not due yet';
      early.set(message, { action: 'wait', reason, delayMs: message.waitUntil - now, paused: false });
      if (message.groupId !== undefined) heldGroups.add(message.groupId);
    }
  }
  return early;
}

function toWorkMessage(record: SQSRecord): SqsWorkMessage {
  const groupId = record.attributes.MessageGroupId;
  const waitUntil = Number(record.messageAttributes?.[WAIT_UNTIL_ATTRIBUTE]?.stringValue);
  return {
    id: record.messageId,
    body: record.body,
    ...(groupId ? { groupId } : {}),
    record,
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    ...(Number.isFinite(waitUntil) && waitUntil > 0 ? { waitUntil } : {}),
  };
}

/** Carries out the settlements; returns the ids to report as failed (they stay on the queue). */
async function settle(
  deps: SqsWorkDeps,
  settled: readonly SettledMessage<SqsWorkMessage>[],
  now: number
): Promise<string[]> {
  const failed: string[] = [];
  const dead: SendMessageBatchRequestEntry[] = [];
  const replaced: SendMessageBatchRequestEntry[] = [];
  const hidden: { message: SqsWorkMessage; seconds: number }[] = [];
  for (const { message, settlement } of settled) {
    switch (settlement.action) {
      case 'ack':
        break;
      case 'retry':
      case 'skip':
        failed.push(message.id);
        break;
      case 'dead':
        dead.push(deadLetterEntry(message, settlement.reason));
        break;
      case 'wait': {
        const seconds = Math.max(1, Math.ceil(settlement.delayMs / 1000));
        if (message.receiveCount <= 1) hidden.push({ message, seconds: Math.min(seconds, MAX_HIDE_SECONDS) });
        else replaced.push(replacementEntry(message, now + settlement.delayMs, Math.min(seconds, MAX_DELAY_SECONDS)));
      }
    }
  }
  failed.push(...(await sendAll(deps, deps.deadLetterQueueUrl, dead)));
  failed.push(...(await sendAll(deps, deps.queueUrl, replaced)));
  await hideAll(deps, hidden);
  // A hidden message stays on the queue: reporting it failed keeps Lambda from deleting it.
  failed.push(...hidden.map((h) => h.message.id));
  return failed;
}

function deadLetterEntry(message: SqsWorkMessage, reason: string): SendMessageBatchRequestEntry {
  return {
    Id: message.id,
    MessageBody: message.body,
    MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
    ...(message.groupId ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.id } : {}),
  };
}

/** A fresh copy of a waiting message (producers set no message attributes, so the body is all there is). */
function replacementEntry(
  message: SqsWorkMessage,
  waitUntil: number,
  delaySeconds: number
): SendMessageBatchRequestEntry {
  return {
    Id: message.id,
    MessageBody: message.body,
    MessageAttributes: { [WAIT_UNTIL_ATTRIBUTE]: { DataType: 'Number', StringValue: String(Math.round(waitUntil)) } },
    ...(message.groupId
      ? { MessageGroupId: message.groupId, MessageDeduplicationId: `wait-${message.id}` }
      : { DelaySeconds: delaySeconds }),
  };
}

/** Sends entries (Id = message id) in batches of 10; returns the ids SQS did not take. */
async function sendAll(deps: SqsWorkDeps, queueUrl: string, entries: SendMessageBatchRequestEntry[]) {
  const notSent: string[] = [];
  for (let i = 0; i < entries.length; i += SQS_BATCH) {
    const batch = entries.slice(i, i + SQS_BATCH);
    try {
      const result = await deps.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }), {
        abortSignal: AbortSignal.timeout(10_000),
      });
      notSent.push(...(result.Failed ?? []).map((f) => f.Id ?? ''));
    } catch (error) {
      deps.logger.error('could not settle messages; they stay queued', {
        queueUrl,
        count: batch.length,
        error: describeError(error),
      });
      notSent.push(...batch.map((e) => e.Id ?? ''));
    }
  }
  return notSent.filter((id) => id !== '');
}

/** A failed hide is logged only: the message then comes back after the visibility timeout, one receive counted. */
async function hideAll(deps: SqsWorkDeps, hidden: { message: SqsWorkMessage; seconds: number }[]) {
  for (let i = 0; i < hidden.length; i += SQS_BATCH) {
    const batch = hidden.slice(i, i + SQS_BATCH);
    try {
      const result = await deps.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: deps.queueUrl,
          Entries: batch.map(({ message, seconds }) => ({
            Id: message.id,
            ReceiptHandle: message.record.receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
        { abortSignal: AbortSignal.timeout(10_000) }
      );
      if (result.Failed?.length) deps.logger.warn('could not hide waiting messages', { count: result.Failed.length });
    } catch (error) {
      deps.logger.warn('could not hide waiting messages', { count: batch.length, error: describeError(error) });
    }
  }
}
