import { ChangeMessageVisibilityBatchCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { WorkResult, XeroWrite } from '../../../lambdas/core/model/xero-write';
import { createHandler } from '../../../lambdas/handlers/post-xero-writes';
import { recordingLogger } from '../../helpers/in-memory-ports';
import { sqsEvent, sqsRecordFactory } from '../../helpers/sqs-events';

const write = (id: string): XeroWrite => ({
  kind: 'upsert-contact',
  source: { table: 'account', id, event: 'Update', version: '2026-11-01T00:00:00Z' },
  contact: { ContactNumber: id, Name: `Name ${id}` },
});

describe('post-xero-writes handler', () => {
  const sqsMock = mockClient(SQSClient);
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  function handlerReturning(results: WorkResult[]) {
    const seen: XeroWrite[][] = [];
    const handler = createHandler(async () => ({
      sqs: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: 'https://sqs/writes',
      deadLetterQueueUrl: 'https://sqs/writes-dlq',
      logger: recordingLogger(),
      postWrites: async (writes) => {
        seen.push([...writes]);
        return results;
      },
    }));
    return { handler, seen };
  }

  it('should post the whole batch at once and report only retried messages as failures', async () => {
    const { handler, seen } = handlerReturning([
      { status: 'done' },
      { status: 'retry', error: 'timeout' },
      { status: 'done' },
    ]);
    const records = ['a', 'b', 'c'].map((id) => sqsRecordFactory(JSON.stringify(write(id)), { messageId: id }));

    const response = await handler(sqsEvent(records));

    expect(seen).toHaveLength(1);
    expect(seen[0]!.map((w) => w.source.id)).toEqual(['a', 'b', 'c']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
  });

  it('should park a rate-limited message until Retry-After instead of spending its receive count', async () => {
    const { handler } = handlerReturning([{ status: 'retry', error: 'day limit', retryAfterMs: 5 * 3600_000 }]);

    const response = await handler(sqsEvent([sqsRecordFactory(JSON.stringify(write('a')), { messageId: 'a' })]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    const calls = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/writes',
      Entries: [{ Id: 'a', ReceiptHandle: 'receipt-a', VisibilityTimeout: 18_000 }],
    });
  });

  it('should move permanent failures and malformed messages to the dead-letter queue with the reason', async () => {
    const { handler, seen } = handlerReturning([
      { status: 'dead', error: 'XeroValidationError: Email address is invalid' },
    ]);
    const records = [
      sqsRecordFactory('{not json', { messageId: 'bad' }),
      sqsRecordFactory(JSON.stringify(write('a')), { messageId: 'a' }),
    ];

    const response = await handler(sqsEvent(records));

    expect(response.batchItemFailures).toEqual([]);
    expect(seen[0]).toHaveLength(1);
    const sent = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(sent.map((input) => input.QueueUrl)).toEqual(['https://sqs/writes-dlq']);
    const [malformed, refused] = sent[0]!.Entries!;
    expect(malformed!.MessageAttributes!.reason!.StringValue).toContain('malformed write message');
    expect(refused!.MessageAttributes!.reason!.StringValue).toContain('Email address is invalid');
  });

  it('should leave a message on the queue when the dead-letter queue cannot be reached', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('network down'));
    const { handler } = handlerReturning([{ status: 'dead', error: 'permanent' }]);

    const response = await handler(sqsEvent([sqsRecordFactory(JSON.stringify(write('a')), { messageId: 'a' })]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });
});
