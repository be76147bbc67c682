import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DeadLetterRetryError,
  peekDeadLetters,
  queueDepths,
  recordOf,
  retryDeadLetter,
  type QueuePair,
} from '../../../lambdas/adapters/aws/sqs-dead-letters';
import { startMoto, type MotoServer } from '../../helpers/moto-server';

const ORDER = '1a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';
const ACCOUNT = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';

describe('SQS dead letters for the status page (moto)', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let queues: QueuePair[];

  const create = async (name: string, fifo: boolean) =>
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {},
        })
      )
    ).QueueUrl!;
  const waiting = async (url: string) =>
    Number(
      (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })
        )
      ).Attributes?.ApproximateNumberOfMessages
    );

  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
  }, 60_000);
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    queues = [
      {
        name: 'changes',
        queueUrl: await create('changes.fifo', true),
        deadLetterQueueUrl: await create('changes-dlq.fifo', true),
      },
      {
        name: 'writes',
        queueUrl: await create('writes', false),
        deadLetterQueueUrl: await create('writes-dlq', false),
      },
    ];
    const change = { table: 'salesorder', id: ORDER, message: 'Update', dedupeId: 'd1', source: 'dataverse-webhook' };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues[0]!.deadLetterQueueUrl,
        MessageBody: JSON.stringify(change),
        MessageGroupId: `salesorder:${ORDER}`,
        MessageDeduplicationId: 'd1',
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'Account code 200 is archived' } },
      })
    );
    const write = {
      kind: 'upsert-contact',
      source: { table: 'account', id: ACCOUNT, event: 'Update' },
      contact: { Name: 'Fabrikam Ltd', ContactNumber: ACCOUNT },
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queues[1]!.deadLetterQueueUrl, MessageBody: JSON.stringify(write) })
    );
  });

  it('should list dead letters with their record, name and reason, and leave them where they are', async () => {
    const listed = await peekDeadLetters(sqs, queues);
    expect(listed).toEqual([
      {
        queue: 'changes',
        retryKey: expect.stringMatching(/^changes:/),
        record: { table: 'salesorder', id: ORDER },
        reason: 'Account code 200 is archived',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      {
        queue: 'writes',
        retryKey: expect.stringMatching(/^writes:/),
        record: { table: 'account', id: ACCOUNT, name: 'Fabrikam Ltd' },
        at: expect.any(String),
      },
    ]);
    expect(await waiting(queues[0]!.deadLetterQueueUrl)).toBe(1);
    expect(await queueDepths(sqs, queues)).toEqual({
      changes: { depth: 0, dead: 1 },
      writes: { depth: 0, dead: 1 },
    });
  });

  it('should send exactly the named dead letter back to its queue, in its message group, and delete it', async () => {
    const [dead] = await peekDeadLetters(sqs, queues);
    await retryDeadLetter(sqs, queues, dead!.retryKey);
    expect(await waiting(queues[0]!.deadLetterQueueUrl)).toBe(0);
    expect(await waiting(queues[1]!.deadLetterQueueUrl)).toBe(1);
    const back = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues[0]!.queueUrl,
        MessageSystemAttributeNames: ['MessageGroupId'],
      })
    );
    expect(back.Messages?.map((m) => [JSON.parse(m.Body!).id, m.Attributes?.MessageGroupId])).toEqual([
      [ORDER, `salesorder:${ORDER}`],
    ]);
    await expect(retryDeadLetter(sqs, queues, dead!.retryKey)).rejects.toBeInstanceOf(DeadLetterRetryError);
    await expect(retryDeadLetter(sqs, queues, 'nowhere:1')).rejects.toMatchObject({ status: 400 });
  });

  it('should leave other dead letters visible after looking past them', async () => {
    const listed = await peekDeadLetters(sqs, queues);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues[1]!.deadLetterQueueUrl,
        MessageBody: JSON.stringify({ source: { table: 'product', id: ORDER }, item: { Name: 'Widget' } }),
      })
    );
    const second = (await peekDeadLetters(sqs, queues)).find((d) => d.record?.name === 'Widget')!;
    await retryDeadLetter(sqs, queues, second.retryKey);
    const rest = await peekDeadLetters(sqs, queues);
    expect(rest.map((d) => d.retryKey).sort()).toEqual(listed.map((d) => d.retryKey).sort());
  });
});

describe('recordOf', () => {
  it('should read a change, a Xero write by document name, and nothing from anything else', () => {
    expect(recordOf(JSON.stringify({ table: 'contact', id: ACCOUNT }))).toEqual({ table: 'contact', id: ACCOUNT });
    expect(
      recordOf(JSON.stringify({ source: { table: 'salesorder', id: ORDER }, invoice: { Reference: 'ORD-1' } }))
    ).toEqual({ table: 'salesorder', id: ORDER, name: 'ORD-1' });
    expect(recordOf('{"resourceId":"x","eventCategory":"INVOICE"}')).toBeUndefined();
    expect(recordOf(JSON.stringify({ table: 'lead', id: ACCOUNT }))).toBeUndefined();
    expect(recordOf('not json')).toBeUndefined();
  });
});
