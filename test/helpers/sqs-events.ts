import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** An SQS record as Lambda delivers it; FIFO records carry a MessageGroupId. */
export function sqsRecordFactory(body: string, overrides: { messageId?: string; groupId?: string } = {}): SQSRecord {
  const messageId = overrides.messageId ?? `msg-${Math.random().toString(36).slice(2, 10)}`;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764150000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1764150000001',
      ...(overrides.groupId
        ? { MessageGroupId: overrides.groupId, MessageDeduplicationId: messageId, SequenceNumber: '1' }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:queue',
    awsRegion: 'eu-west-1',
  };
}

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });
