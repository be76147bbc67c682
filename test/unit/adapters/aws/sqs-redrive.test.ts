import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { queueUrlOf, redriveDeadLetterQueues } from '../../../../lambdas/adapters/aws/sqs-redrive';

describe('redrive on AWS', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());
  const changesDlq = 'arn:aws:sqs:eu-west-1:123456789012:D365Xero-dev-ChangesDlq.fifo';
  const writesDlq = 'arn:aws:sqs:eu-west-1:123456789012:D365Xero-dev-XeroWritesDlq';

  const urlsFromSqs = () =>
    sqs
      .on(GetQueueUrlCommand, { QueueName: 'D365Xero-dev-ChangesDlq.fifo', QueueOwnerAWSAccountId: '123456789012' })
      .resolves({ QueueUrl: queueUrlOf(changesDlq) })
      .on(GetQueueUrlCommand, { QueueName: 'D365Xero-dev-XeroWritesDlq', QueueOwnerAWSAccountId: '123456789012' })
      .resolves({ QueueUrl: queueUrlOf(writesDlq) });

  it('should start a move task for each non-empty dead-letter queue and report how many messages it moves', async () => {
    urlsFromSqs();
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: queueUrlOf(changesDlq) })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '3' } })
      .on(GetQueueAttributesCommand, { QueueUrl: queueUrlOf(writesDlq) })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });

    const started = await redriveDeadLetterQueues(new SQSClient({ region: 'eu-west-1' }), [changesDlq, writesDlq]);

    expect(started).toEqual([
      { sourceArn: changesDlq, messages: 3, taskHandle: 'task-1' },
      { sourceArn: writesDlq, messages: 0 },
    ]);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: changesDlq },
    ]);
  });

  it("should read each queue's URL from the client's endpoint rather than assume the public one", async () => {
    sqs
      .on(GetQueueUrlCommand)
      .resolves({ QueueUrl: 'http://127.0.0.1:4566/123456789012/D365Xero-dev-ChangesDlq.fifo' })
      .on(GetQueueAttributesCommand, { QueueUrl: 'http://127.0.0.1:4566/123456789012/D365Xero-dev-ChangesDlq.fifo' })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-2' });

    const started = await redriveDeadLetterQueues(new SQSClient({ region: 'eu-west-1' }), [changesDlq]);

    expect(started).toEqual([{ sourceArn: changesDlq, messages: 1, taskHandle: 'task-2' }]);
  });

  it('should turn a queue ARN into its URL and refuse anything else', () => {
    expect(queueUrlOf(writesDlq)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/D365Xero-dev-XeroWritesDlq');
    expect(() => queueUrlOf('arn:aws:sns:eu-west-1:123456789012:topic')).toThrow('not an SQS queue ARN');
  });
});
