import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { WorkResult } from '../../core/model/xero-write';

/** SQS allows a message to stay invisible for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;
/** While the Xero connection waits for re-consent, look again every 15 minutes. */
export const PAUSE_SECONDS = 15 * 60;

export interface SqsWorkDeps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/**
 * Turn work results into SQS actions: done → deleted; retry → back to the queue after Retry-After (a day-limit
 * 429 parks the message for hours instead of burning its receive count); paused → back in 15 minutes;
 * dead → moved to the dead-letter queue at once with the reason, so it is not retried in vain.
 */
export async function settleSqsRecord(deps: SqsWorkDeps, record: SQSRecord, result: WorkResult): Promise<boolean> {
  const timeout = { abortSignal: AbortSignal.timeout(10_000) };
  switch (result.status) {
    case 'done':
      return true;
    case 'dead':
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.deadLetterQueueUrl,
          MessageBody: record.body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: result.error.slice(0, 1000) } },
          ...(record.attributes.MessageGroupId
            ? { MessageGroupId: record.attributes.MessageGroupId, MessageDeduplicationId: record.messageId }
            : {}),
        }),
        timeout
      );
      return true;
    case 'retry':
    case 'paused': {
      const seconds = result.status === 'paused' ? PAUSE_SECONDS : Math.ceil((result.retryAfterMs ?? 0) / 1000);
      if (seconds > 0) {
        await deps.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: deps.queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: Math.min(seconds, MAX_VISIBILITY_SECONDS),
          }),
          timeout
        );
      }
      return false;
    }
  }
}

export function batchResponse(failedMessageIds: readonly string[]): SQSBatchResponse {
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
