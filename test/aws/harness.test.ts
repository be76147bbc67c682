/**
 * The AWS tier's own emulation, checked against the behaviour it claims: resources provisioned as the template
 * declares them, the Lambda contract (context, timeout, crash, reserved concurrency) and SQS event source mapping
 * semantics (partial batch failures, an invalid report, maxReceiveCount → DLQ). A small function written here
 * stands in for the bundles where the product's functions would hide the harness's behaviour.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaHost, TooManyRequestsError, type FunctionSpec } from '../helpers/aws-lambda-host';
import { SqsEventSource } from '../helpers/aws-sqs-event-source';
import { AwsStack } from '../helpers/aws-stack';
import { resourcesOfType } from '../helpers/aws-template';
import { waitFor } from '../helpers/e2e-harness';
import { startMoto, type MotoServer } from '../helpers/moto-server';
import { tempDir } from '../helpers/temp-dir';

jest.setTimeout(60_000);

describe('resources provisioned from the synthesized template', () => {
  let stack: AwsStack;
  beforeAll(async () => {
    stack = await AwsStack.start({ endpoints: {}, operatorSettings: {}, timeScale: 0.5 });
  }, 240_000);
  afterAll(async () => stack?.close());

  it('should create every queue with its FIFO setting, scaled visibility timeout and redrive policy', async () => {
    const declared = resourcesOfType(stack.template, 'AWS::SQS::Queue');
    expect(stack.queues).toHaveLength(declared.length);
    for (const [id, resource] of declared) {
      const queue = stack.queues.find((q) => q.logicalId === id)!;
      const { Attributes: a = {} } = await stack.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] })
      );
      const p = resource.Properties ?? {};
      expect(a.FifoQueue === 'true').toBe(p.FifoQueue === true);
      if (p.VisibilityTimeout !== undefined)
        expect(Number(a.VisibilityTimeout)).toBe(Math.ceil(Number(p.VisibilityTimeout) * 0.5));
      if (p.RedrivePolicy) {
        const policy = JSON.parse(a.RedrivePolicy ?? '{}') as { maxReceiveCount: number; deadLetterTargetArn: string };
        expect(policy.maxReceiveCount).toBe((p.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount);
        expect(stack.queues.some((q) => q.arn === policy.deadLetterTargetArn)).toBe(true);
      }
    }
  });

  it("should create each table with the template's keys and TTL attribute", async () => {
    const dynamo = new DynamoDBClient({ ...stack.moto.clientConfig, endpoint: stack.endpoint.url });
    for (const [id, resource] of resourcesOfType(stack.template, 'AWS::DynamoDB::Table')) {
      const name = stack.ref(id);
      const table = await dynamo.send(new DescribeTableCommand({ TableName: name }));
      expect(table.Table?.KeySchema).toEqual(resource.Properties!.KeySchema);
      const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: name }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(
        (resource.Properties!.TimeToLiveSpecification as { AttributeName: string }).AttributeName
      );
    }
  });

  it("should generate each secret's value from its template: the listed keys and a generated key of the declared length", async () => {
    for (const [id, resource] of resourcesOfType(stack.template, 'AWS::SecretsManager::Secret')) {
      const secret = stack.secrets.find((s) => s.logicalId === id)!;
      const value = await stack.secretJson(secret);
      const generate = resource.Properties!.GenerateSecretString as
        | {
            SecretStringTemplate: string;
            GenerateStringKey: string;
            PasswordLength: number;
            ExcludePunctuation?: boolean;
          }
        | undefined;
      if (!generate) {
        expect(value).toEqual(JSON.parse(String(resource.Properties!.SecretString)));
        continue;
      }
      expect(Object.keys(value).sort()).toEqual(
        [...Object.keys(JSON.parse(generate.SecretStringTemplate)), generate.GenerateStringKey].sort()
      );
      const generated = String(value[generate.GenerateStringKey]);
      expect(generated).toHaveLength(generate.PasswordLength);
      if (generate.ExcludePunctuation) expect(generated).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  it("should resolve each alias to its function's qualified ARN and pass the alias to the handler as invokedFunctionArn", async () => {
    const aliases = resourcesOfType(stack.template, 'AWS::Lambda::Alias');
    expect(aliases.length).toBeGreaterThan(0);
    const lambda = new LambdaClient({ ...stack.moto.clientConfig, endpoint: stack.endpoint.url });
    const invoke = async (FunctionName: string, Qualifier?: string) => {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName, ...(Qualifier ? { Qualifier } : {}), Payload: '{"action":"status"}' })
      );
      return new TextDecoder().decode(out.Payload);
    };
    for (const [id, resource] of aliases) {
      const fn = stack.lambda.spec(stack.ref(id));
      expect(stack.ref(id)).toBe(`${fn.arn}:${String(resource.Properties!.Name)}`);
    }
    // The token function grants "status" to its consent alias only: the handler must see which alias was invoked.
    const token = stack.fn(/XeroCredentials\/TokenFunction/);
    expect(await invoke(`${token.arn}:worker`)).toContain('FORBIDDEN');
    expect(await invoke(token.name, 'consent')).not.toContain('FORBIDDEN');
    expect(await invoke(token.arn)).toContain('FORBIDDEN');
    await expect(invoke(token.name, 'nosuchalias')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const refresh = stack.schedules.find((s) => s.functionName === token.name)!;
    expect(refresh.targetArn).toBe(`${token.arn}:schedule`);
  });

  it("should delay a sent message and shrink the work runner's waitUntil by the time scale (0.5 here)", async () => {
    const sqs = new SQSClient({ ...stack.moto.clientConfig, endpoint: stack.endpoint.url });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'delay-probe' }));
    const sentAt = Date.now();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'paused',
        DelaySeconds: 4,
        MessageAttributes: { waitUntil: { DataType: 'Number', StringValue: String(sentAt + 4000) } },
      })
    );
    const receive = () =>
      sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
    expect((await receive()).Messages ?? []).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const [message] = (await receive()).Messages ?? [];
    expect(message?.Body).toBe('paused');
    const waitUntil = Number(message!.MessageAttributes!.waitUntil!.StringValue);
    expect(waitUntil - sentAt).toBeGreaterThanOrEqual(1900);
    expect(waitUntil - sentAt).toBeLessThanOrEqual(2200);
  });

  it('should resolve every function environment to plain strings that name provisioned resources', () => {
    for (const fn of stack.lambda.functions) {
      for (const value of Object.values(fn.environment)) expect(value).not.toMatch(/\[object Object\]|\$\{Token/);
      for (const [key, value] of Object.entries(fn.environment)) {
        if (/_QUEUE_URL$|_DLQ_URL$/.test(key)) expect(stack.queues.map((q) => q.url)).toContain(value);
      }
    }
  });
});

describe('the Lambda contract and SQS event source mappings', () => {
  const dir = tempDir('aws-harness');
  let moto: MotoServer;
  let host: LambdaHost;
  const seenFile = join(dir.dir, 'seen.txt');
  const spec = (name: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
    logicalId: name,
    path: name,
    name,
    arn: `arn:aws:lambda:eu-west-2:123456789012:function:${name}`,
    handler: 'index.handler',
    codeDir: join(dir.dir, 'fn'),
    timeoutSeconds: 2,
    memoryMb: 128,
    environment: { SEEN_FILE: seenFile },
    ...extra,
  });

  beforeAll(async () => {
    mkdirSync(join(dir.dir, 'fn'));
    writeFileSync(join(dir.dir, 'fn', 'index.js'), PROBE_FUNCTION);
    writeFileSync(seenFile, '');
    moto = await startMoto();
    host = new LambdaHost([spec('probe', { reservedConcurrency: 1 }), spec('consumer')], moto.env, 2);
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await moto?.stop();
    dir.remove();
  });

  it("should give the handler a context with its name and the remaining time of the function's timeout", async () => {
    const result = await host.invoke('probe', { sleepMs: 100 });
    const answer = JSON.parse(result.payload) as { remaining: number; name: string };
    expect(answer.name).toBe('probe');
    expect(answer.remaining).toBeGreaterThan(1000);
    expect(answer.remaining).toBeLessThanOrEqual(1900);
  });

  it('should throttle a second synchronous invoke beyond reserved concurrency and queue an event-source one', async () => {
    const first = host.invoke('probe', { sleepMs: 500 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(host.invoke('probe', {})).rejects.toBeInstanceOf(TooManyRequestsError);
    const queued = host.invoke('probe', {}, 'queued');
    expect((await first).functionError).toBeUndefined();
    expect((await queued).functionError).toBeUndefined();
  });

  it('should stop an invocation at the timeout and a crash, each as a function error, and start a fresh environment', async () => {
    const slow = await host.invoke('probe', { sleepMs: 5_000 });
    expect(slow.functionError).toBe('Unhandled');
    expect(JSON.parse(slow.payload)).toMatchObject({ errorType: 'Sandbox.Timedout' });
    const crash = await host.invoke('probe', { crash: true });
    expect(JSON.parse(crash.payload)).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect((await host.invoke('probe', {})).functionError).toBeUndefined();
  });

  it('should delete what succeeded, leave reported failures for redelivery and move them to the DLQ after maxReceiveCount', async () => {
    const sqs = new SQSClient(moto.clientConfig);
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'probe-dlq' }));
    const dlqArn = 'arn:aws:sqs:eu-west-2:123456789012:probe-dlq';
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'probe',
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      })
    );
    const source = new SqsEventSource(
      {
        logicalId: 'probe-mapping',
        queueUrl: queue.QueueUrl!,
        queueArn: 'arn:aws:sqs:eu-west-2:123456789012:probe',
        functionName: 'consumer',
        batchSize: 10,
        batchingWindowMs: 300,
        reportBatchItemFailures: true,
        pollers: 1,
        enabled: true,
      },
      sqs,
      host,
      'eu-west-2'
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.QueueUrl!,
        Entries: ['ok-1', 'fail-1', 'ok-2'].map((body, i) => ({ Id: String(i), MessageBody: body })),
      })
    );
    source.start();
    try {
      const depth = async (url: string) =>
        Number(
          (
            await sqs.send(
              new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })
            )
          ).Attributes?.ApproximateNumberOfMessages
        );
      await waitFor('the failing message in the DLQ', async () => (await depth(dlq.QueueUrl!)) === 1, {
        timeoutMs: 30_000,
      });
      const seen = readFileSync(seenFile, 'utf8').trim().split('\n');
      expect(seen.filter((b) => b === 'ok-1')).toHaveLength(1);
      expect(seen.filter((b) => b === 'ok-2')).toHaveLength(1);
      expect(seen.filter((b) => b === 'fail-1')).toHaveLength(2);
      expect(source.stats.deleted).toBe(2);
    } finally {
      await source.stop();
    }
  });
});

const PROBE_FUNCTION = `
const fs = require('node:fs');
exports.handler = async (event, context) => {
  if (event.Records) {
    fs.appendFileSync(process.env.SEEN_FILE, event.Records.map((r) => r.body).join('\\n') + '\\n');
    return { batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({ itemIdentifier: r.messageId })) };
  }
  if (event.crash) process.exit(3);
  await new Promise((resolve) => setTimeout(resolve, event.sleepMs || 0));
  return { remaining: context.getRemainingTimeInMillis(), name: context.functionName };
};
`;
