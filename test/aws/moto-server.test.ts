import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startMoto, type MotoServer } from '../helpers/moto-server';

describe('the AWS API emulator the AWS tier runs against', () => {
  let moto: MotoServer;
  beforeAll(async () => (moto = await startMoto()), 60_000);
  afterAll(async () => moto?.stop());

  it('should answer SQS calls on loopback and forget everything on reset', async () => {
    const sqs = new SQSClient(moto.clientConfig);
    await sqs.send(new CreateQueueCommand({ QueueName: 'probe.fifo', Attributes: { FifoQueue: 'true' } }));
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);
    await moto.reset();
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toHaveLength(0);
  });
});
