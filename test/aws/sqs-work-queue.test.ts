/**
 * The SQS work queue against an SQS emulator (moto): the calls the runner makes are accepted by SQS as configured
 * (FIFO and standard, batch sends with attributes, visibility changes), and a message that keeps waiting outlives
 * the redrive policy's maxReceiveCount. Delays are a second here instead of 15 minutes; the unit suite
 * (test/unit/adapters/work-queue-behaviour.test.ts) covers the real intervals on a clock it owns.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { runSqsWork } from '../../lambdas/adapters/aws/sqs-work-queue';
import type { Settlement, WorkRunner } from '../../lambdas/core/work/settlement';
import { recordingLogger } from '../helpers/in-memory-ports';
import { MOTO_REGION, startMoto, type MotoServer } from '../helpers/moto-server';

const MAX_RECEIVE_COUNT = 2;

describe('SqsWorkQueue on an SQS emulator', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
  }, 60_000);
  afterAll(async () => moto?.stop());

  async function createPair(name: string, fifo: boolean) {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
    const dlqUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: fifoAttributes }))
    ).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `${name}${suffix}`,
          Attributes: {
            ...fifoAttributes,
            // Longer than a loaded machine's receive → settle → delete round trip, so a receipt never goes stale;
            // the waits under test set their own visibility.
            VisibilityTimeout: '5',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
          },
        })
      )
    ).QueueUrl!;
    return { queueUrl, dlqUrl };
  }

  /** One poll of an event source mapping: receive, invoke, delete what was not reported failed. */
  async function poll(queueUrl: string, deadLetterQueueUrl: string, run: WorkRunner): Promise<number> {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      })
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    const response = await runSqsWork({ Records: messages.map(toRecord) }, run, {
      sqs,
      queueUrl,
      deadLetterQueueUrl,
      logger: recordingLogger(),
    });
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        })
      );
    return messages.length;
  }

  async function depth(queueUrl: string): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      })
    );
    return Object.values(Attributes ?? {}).reduce((sum, n) => sum + Number(n), 0);
  }

  it.each([
    ['a standard queue', false],
    ['a FIFO queue', true],
  ])(
    'should keep a waiting message on %s through more receives than maxReceiveCount, then finish it',
    async (_what, fifo) => {
      const { queueUrl, dlqUrl } = await createPair(fifo ? 'changes' : 'writes', fifo);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: '{"work":1}',
          ...(fifo ? { MessageGroupId: 'account:1', MessageDeduplicationId: 'first' } : {}),
        })
      );
      let attempts = 0;
      let waiting = true;
      const wait: Settlement = { action: 'wait', reason: 'reconnect required', delayMs: 1000, paused: true };
      const run: WorkRunner = async (messages) =>
        messages.map((message) => {
          attempts += 1;
          return { message, settlement: waiting ? wait : { action: 'ack' } };
        });

      // Deadlines in real time, not loop turns: on a loaded machine each poll of the emulator takes longer.
      const pausedUntil = performance.now() + 30_000;
      while (attempts <= 3 * MAX_RECEIVE_COUNT && performance.now() < pausedUntil) {
        await poll(queueUrl, dlqUrl, run);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(attempts).toBeGreaterThan(3 * MAX_RECEIVE_COUNT);
      expect(await depth(dlqUrl)).toBe(0);

      waiting = false;
      const finishBy = performance.now() + 20_000;
      while ((await depth(queueUrl)) > 0 && performance.now() < finishBy) {
        await poll(queueUrl, dlqUrl, run);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(await depth(queueUrl)).toBe(0);
      expect(await depth(dlqUrl)).toBe(0);
    },
    90_000
  );
});

function toRecord(message: Message): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '0',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', stringValue: value.StringValue },
      ])
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: '',
    awsRegion: MOTO_REGION,
  } as SQSRecord;
}
