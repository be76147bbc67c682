/**
 * The synthesized stack, running offline: `cdk synth` output (aws-synth) provisioned in moto (aws-provision), its
 * functions run from their bundles (aws-lambda-host) behind one AWS endpoint (aws-endpoint), driven by the event
 * sources the template declares: the REST API (aws-api-gateway), SQS event source mappings (aws-sqs-event-source)
 * and EventBridge Scheduler schedules (run on demand). Everything is read from the template; the only substitution
 * is the stage's external endpoints (Xero, Dataverse) → the sandbox servers, matched by value from lib/config.
 *
 * Time scale: `timeScale` multiplies every queue's VisibilityTimeout, every visibility timeout a caller sets
 * (ChangeMessageVisibility for a pause or a Retry-After, ReceiveMessage) and every mapping's batching window, so
 * redelivery after a crash or a pause takes seconds instead of minutes. The template is never edited.
 */
import { join } from 'node:path';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { startLocalRestApi, type LocalRestApi } from './aws-api-gateway';
import { startAwsEndpoint, type AwsEndpoint, type MessageMoveTasks } from './aws-endpoint';
import { LambdaHost, type FunctionSpec, type InvokeResult } from './aws-lambda-host';
import { provisionTemplate, type Provisioned, type ProvisionedSecret } from './aws-provision';
import { SqsEventSource } from './aws-sqs-event-source';
import { REPO_ROOT, synthStage } from './aws-synth';
import { readTemplate, resolveString, resolveValue, resourcesOfType, type CfnTemplate } from './aws-template';
import { startMoto, type MotoServer } from './moto-server';

export const ACCOUNT_ID = '123456789012';

export interface AwsStackOptions {
  readonly stage?: string;
  /** Deployed endpoint URL (as the stage config has it) → the URL to use instead (the sandbox's). */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Values the operator puts into the template's operator-filled secrets, by key (the local runtime's names). */
  readonly operatorSettings: Readonly<Record<string, string>>;
  /** See the file comment. @default 1 */
  readonly timeScale?: number;
  /** Concurrent environments of a function without reserved concurrency (the machine's limit). @default 2 */
  readonly unreservedConcurrency?: number;
}

export interface QueueInfo {
  readonly logicalId: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** ARN of this queue's dead-letter queue, from its RedrivePolicy. */
  readonly deadLetterArn?: string;
  readonly maxReceiveCount?: number;
}

export interface ScheduleInfo {
  readonly logicalId: string;
  readonly expression: string;
  readonly functionName: string;
  /** The target as the template names it: a function ARN, or an alias/version ARN of one. */
  readonly targetArn: string;
  readonly input: unknown;
}

export interface EmfMetric {
  readonly functionName: string;
  readonly namespace: string;
  readonly name: string;
  readonly value: number;
  readonly dimensions: Record<string, string>;
}

export class AwsStack {
  private constructor(
    readonly template: CfnTemplate,
    readonly stackName: string,
    readonly moto: MotoServer,
    readonly endpoint: AwsEndpoint,
    readonly lambda: LambdaHost,
    readonly api: LocalRestApi,
    readonly mappings: SqsEventSource[],
    readonly queues: QueueInfo[],
    readonly schedules: ScheduleInfo[],
    private readonly provisioned: Provisioned,
    /** Environment for a process (e.g. the `connector` CLI) whose SDK calls must reach this stack. */
    readonly env: Readonly<Record<string, string>>
  ) {}

  static async start(options: AwsStackOptions): Promise<AwsStack> {
    const synth = synthStage(options.stage ?? 'dev');
    const template = readTemplate(synth.templatePath);
    const timeScale = options.timeScale ?? 1;
    const moto = await startMoto();
    const holder: { lambda?: LambdaHost; moves?: MessageMoveTasks } = {};
    const endpoint = await startAwsEndpoint({
      motoUrl: moto.endpoint,
      timeScale,
      lambda: () => holder.lambda!,
      moveTasks: () => holder.moves!,
    });
    const env = { ...moto.env, AWS_ENDPOINT_URL: endpoint.url };
    const clientConfig = { ...moto.clientConfig, endpoint: endpoint.url };
    const provisioned = await provisionTemplate({
      template,
      stackName: synth.stackName,
      region: moto.clientConfig.region,
      accountId: ACCOUNT_ID,
      clientConfig,
      endpoint: endpoint.url,
      timeScale,
    });
    const functions = readFunctions(template, provisioned, synth.outdir, options.endpoints);
    const lambda = new LambdaHost(
      functions,
      {
        ...env,
        PATH: process.env.PATH ?? '',
        NODE_PATH: join(REPO_ROOT, 'node_modules'),
      },
      options.unreservedConcurrency ?? 2
    );
    holder.lambda = lambda;
    // The emulated services' own SQS calls (pollers, move tasks) go straight to moto, so the endpoint's call counts
    // are the functions' and the CLI's alone. An explicit endpoint also keeps the SDK off the queue URLs' host.
    const sqs = new SQSClient({ ...moto.clientConfig, endpoint: moto.endpoint });
    const queues = readQueues(template, provisioned);
    holder.moves = moveTasks(sqs, queues);
    const mappings = readMappings(template, provisioned, lambda, timeScale, options.unreservedConcurrency ?? 2).map(
      (spec) => new SqsEventSource(spec, sqs, lambda, moto.clientConfig.region)
    );
    const api = await startLocalRestApi({ template, context: provisioned.context, lambda });
    const stack = new AwsStack(
      template,
      synth.stackName,
      moto,
      endpoint,
      lambda,
      api,
      mappings,
      queues,
      readSchedules(template, provisioned, lambda),
      provisioned,
      env
    );
    await stack.fillOperatorSettings(options.operatorSettings);
    for (const mapping of mappings) mapping.start();
    return stack;
  }

  /** Clients for the tests' own look at the emulated state: straight to moto, not counted as the stack's calls. */
  get sqs(): SQSClient {
    return new SQSClient({ ...this.moto.clientConfig, endpoint: this.moto.endpoint });
  }

  get secretsClient(): SecretsManagerClient {
    return new SecretsManagerClient({ ...this.moto.clientConfig, endpoint: this.moto.endpoint });
  }

  get secrets(): readonly ProvisionedSecret[] {
    return this.provisioned.secrets;
  }

  /** What `Ref` of a template resource resolves to (queue URL, table name, secret ARN, function name, …). */
  ref(logicalId: string): string {
    const resource = this.provisioned.physical.get(logicalId);
    if (!resource) throw new Error(`${logicalId} is not provisioned`);
    return resource.ref;
  }

  /** A stack output (CfnOutput), resolved as CloudFormation would after the deploy. */
  output(name: string): string {
    const outputs = (this.template as unknown as { Outputs?: Record<string, { Value: unknown }> }).Outputs ?? {};
    const output = outputs[name];
    if (!output) throw new Error(`the stack has no output ${name}`);
    return resolveString(output.Value, this.provisioned.context);
  }

  /** The one function whose construct path matches, e.g. fn(/Token/). */
  fn(pattern: RegExp): FunctionSpec {
    const matches = this.lambda.functions.filter((f) => pattern.test(f.path));
    if (matches.length !== 1) throw new Error(`${matches.length} functions match ${pattern}`);
    return matches[0]!;
  }

  queue(pattern: RegExp): QueueInfo {
    const matches = this.queues.filter((q) => pattern.test(q.logicalId));
    if (matches.length !== 1) throw new Error(`${matches.length} queues match ${pattern}`);
    return matches[0]!;
  }

  /** The event source mapping that feeds `fn`. */
  mappingOf(fn: FunctionSpec): SqsEventSource {
    const mapping = this.mappings.find((m) => m.spec.functionName === fn.name);
    if (!mapping) throw new Error(`no event source mapping feeds ${fn.logicalId}`);
    return mapping;
  }

  /** Runs a schedule's target now, with its Input, as EventBridge Scheduler would at its next tick. */
  async runSchedule(schedule: ScheduleInfo): Promise<InvokeResult> {
    return this.lambda.invoke(schedule.targetArn, schedule.input, 'queued');
  }

  /** Visible + in flight + delayed messages of a queue. */
  async depth(queue: QueueInfo): Promise<number> {
    const { Attributes: a = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] })
    );
    return (
      Number(a.ApproximateNumberOfMessages ?? 0) +
      Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  }

  /** True once every source queue is empty and no mapping holds a batch. */
  async idle(): Promise<boolean> {
    if (this.mappings.some((m) => m.busy)) return false;
    for (const queue of this.queues.filter((q) => q.deadLetterArn)) if ((await this.depth(queue)) > 0) return false;
    return !this.mappings.some((m) => m.busy);
  }

  /** Current JSON value of a secret. */
  async secretJson(secret: ProvisionedSecret): Promise<Record<string, unknown>> {
    const value = await this.secretsClient.send(new GetSecretValueCommand({ SecretId: secret.arn }));
    return JSON.parse(value.SecretString ?? '{}') as Record<string, unknown>;
  }

  async putSecretJson(secret: ProvisionedSecret, value: unknown): Promise<void> {
    await this.secretsClient.send(
      new PutSecretValueCommand({ SecretId: secret.arn, SecretString: JSON.stringify(value) })
    );
  }

  /** Values generated at creation (GenerateSecretString's GenerateStringKey), by key. */
  async generatedValues(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [id, r] of resourcesOfType(this.template, 'AWS::SecretsManager::Secret')) {
      const key = (r.Properties?.GenerateSecretString as { GenerateStringKey?: string } | undefined)?.GenerateStringKey;
      const secret = this.provisioned.secrets.find((s) => s.logicalId === id)!;
      if (key) out[key] = String((await this.secretJson(secret))[key]);
    }
    return out;
  }

  /** EMF metrics the functions printed (Powertools Metrics), parsed from their stdout. */
  metrics(name?: string): EmfMetric[] {
    const out: EmfMetric[] = [];
    for (const { functionName, line } of this.lambda.logs) {
      const start = line.indexOf('{"');
      if (start < 0 || !line.includes('"_aws"')) continue;
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(line.slice(start)) as Record<string, unknown>;
      } catch {
        continue;
      }
      const aws = doc._aws as {
        CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
      for (const directive of aws?.CloudWatchMetrics ?? []) {
        const dimensions = Object.fromEntries(directive.Dimensions.flat().map((d) => [d, String(doc[d])]));
        for (const metric of directive.Metrics) {
          if (name && metric.Name !== name) continue;
          const raw = doc[metric.Name];
          for (const value of Array.isArray(raw) ? raw : [raw])
            out.push({
              functionName,
              namespace: directive.Namespace,
              name: metric.Name,
              value: Number(value),
              dimensions,
            });
        }
      }
    }
    return out;
  }

  /**
   * Alarms of the template that a printed metric would set off: same namespace, metric name and dimensions, and a
   * value beyond the alarm's threshold (one datapoint; the alarm's evaluation periods are not replayed).
   */
  alarmsSetOffBy(metric: EmfMetric): string[] {
    return resourcesOfType(this.template, 'AWS::CloudWatch::Alarm')
      .filter(([, r]) => {
        const p = resolveValue(r.Properties ?? {}, this.provisioned.context) as {
          Namespace?: string;
          MetricName?: string;
          Dimensions?: { Name: string; Value: string }[];
          ComparisonOperator?: string;
          Threshold?: number;
        };
        if (p.Namespace !== metric.namespace || p.MetricName !== metric.name) return false;
        if (!(p.Dimensions ?? []).every((d) => metric.dimensions[d.Name] === d.Value)) return false;
        return breaches(metric.value, String(p.ComparisonOperator), Number(p.Threshold));
      })
      .map(([id]) => id);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.mappings.map((m) => m.stop()));
    await this.lambda.close();
    await this.api.close();
    await this.endpoint.close();
    await this.moto.stop();
  }

  /**
   * What the operator does after the first deploy: fill the template's operator secrets. A key goes to the secret
   * whose template lists it; a key no template lists (e.g. DATAVERSE_ACCESS_TOKEN, accepted by the settings schema)
   * goes to the secret listing the most keys with the same prefix.
   */
  private async fillOperatorSettings(values: Readonly<Record<string, string>>): Promise<void> {
    const operatorSecrets = this.provisioned.secrets.filter((s) => s.templateKeys.length > 0);
    if (operatorSecrets.length === 0) return;
    const prefix = (key: string) => key.split('_')[0]!;
    const home = (key: string) =>
      operatorSecrets.find((s) => s.templateKeys.includes(key)) ??
      [...operatorSecrets].sort(
        (a, b) =>
          b.templateKeys.filter((k) => prefix(k) === prefix(key)).length -
          a.templateKeys.filter((k) => prefix(k) === prefix(key)).length
      )[0]!;
    for (const secret of operatorSecrets) {
      const mine = Object.entries(values).filter(([key]) => home(key) === secret);
      if (mine.length === 0) continue;
      const current = await this.secretJson(secret);
      await this.secretsClient.send(
        new PutSecretValueCommand({
          SecretId: secret.arn,
          SecretString: JSON.stringify({ ...current, ...Object.fromEntries(mine) }),
        })
      );
    }
  }
}

function breaches(value: number, operator: string, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return false;
  }
}

function readFunctions(
  template: CfnTemplate,
  provisioned: Provisioned,
  outdir: string,
  endpoints: Readonly<Record<string, string>>
): FunctionSpec[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').map(([id, r]) => {
    const p = r.Properties!;
    const physical = provisioned.physical.get(id)!;
    const assetPath = r.Metadata?.['aws:asset:path'];
    const s3Key = String((p.Code as { S3Key?: string }).S3Key ?? '');
    const codeDir = join(outdir, typeof assetPath === 'string' ? assetPath : `asset.${s3Key.replace(/\.zip$/, '')}`);
    const variables = resolveValue(
      (p.Environment as { Variables?: object } | undefined)?.Variables ?? {},
      provisioned.context
    );
    const environment = Object.fromEntries(
      Object.entries(variables as Record<string, unknown>).map(([k, v]) => [k, endpoints[String(v)] ?? String(v)])
    );
    return {
      logicalId: id,
      path: String(r.Metadata?.['aws:cdk:path'] ?? id),
      name: physical.ref,
      arn: physical.attributes.Arn!,
      handler: String(p.Handler ?? 'index.handler'),
      codeDir,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      ...(p.ReservedConcurrentExecutions !== undefined
        ? { reservedConcurrency: Number(p.ReservedConcurrentExecutions) }
        : {}),
      environment,
      qualifiers: qualifiersOf(template, id, provisioned),
    };
  });
}

/** The template's versions ('1') and aliases (name → version) of one function. */
function qualifiersOf(template: CfnTemplate, functionId: string, provisioned: Provisioned): Record<string, string> {
  const fnRef = provisioned.physical.get(functionId)!.ref;
  const ofThisFunction = (r: { Properties?: Record<string, unknown> }) =>
    resolveString(r.Properties?.FunctionName, provisioned.context).split(':function:').pop()!.split(':')[0] === fnRef;
  const out: Record<string, string> = {};
  for (const [, r] of resourcesOfType(template, 'AWS::Lambda::Version')) if (ofThisFunction(r)) out['1'] = '1';
  for (const [, r] of resourcesOfType(template, 'AWS::Lambda::Alias'))
    if (ofThisFunction(r))
      out[String(r.Properties?.Name)] = resolveString(r.Properties?.FunctionVersion, provisioned.context);
  return out;
}

function readQueues(template: CfnTemplate, provisioned: Provisioned): QueueInfo[] {
  return resourcesOfType(template, 'AWS::SQS::Queue').map(([id, r]) => {
    const physical = provisioned.physical.get(id)!;
    const redrive = r.Properties?.RedrivePolicy
      ? (resolveValue(r.Properties.RedrivePolicy, provisioned.context) as {
          deadLetterTargetArn: string;
          maxReceiveCount: number;
        })
      : undefined;
    return {
      logicalId: id,
      url: physical.ref,
      arn: physical.attributes.Arn!,
      fifo: r.Properties?.FifoQueue === true || r.Properties?.FifoQueue === 'true',
      ...(redrive
        ? { deadLetterArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) }
        : {}),
    };
  });
}

function readMappings(
  template: CfnTemplate,
  provisioned: Provisioned,
  lambda: LambdaHost,
  timeScale: number,
  unreservedCap: number
) {
  const queues = readQueues(template, provisioned);
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').map(([id, r]) => {
    const p = r.Properties!;
    const sourceArn = resolveString(p.EventSourceArn, provisioned.context);
    const queue = queues.find((q) => q.arn === sourceArn);
    if (!queue) throw new Error(`${id}: only SQS event sources are emulated (${sourceArn})`);
    const fn = lambda.spec(resolveString(p.FunctionName, provisioned.context));
    const maximum = (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency;
    return {
      logicalId: id,
      queueUrl: queue.url,
      queueArn: queue.arn,
      functionName: fn.name,
      batchSize: Number(p.BatchSize ?? 10),
      batchingWindowMs: Number(p.MaximumBatchingWindowInSeconds ?? 0) * 1000 * timeScale,
      reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
      pollers: Math.min(maximum ?? 5, fn.reservedConcurrency ?? unreservedCap),
      enabled: p.Enabled !== false,
    };
  });
}

function readSchedules(template: CfnTemplate, provisioned: Provisioned, lambda: LambdaHost): ScheduleInfo[] {
  return resourcesOfType(template, 'AWS::Scheduler::Schedule').map(([id, r]) => {
    const target = r.Properties!.Target as { Arn: unknown; Input?: string };
    const targetArn = resolveString(target.Arn, provisioned.context);
    lambda.invokedArn(targetArn); // a target naming no function or alias fails here, as the deploy would
    return {
      logicalId: id,
      expression: String(r.Properties!.ScheduleExpression),
      functionName: lambda.spec(targetArn).name,
      targetArn,
      input: target.Input === undefined ? {} : (JSON.parse(target.Input) as unknown),
    };
  });
}

/** StartMessageMoveTask as SQS runs it: every message of the DLQ back to its source (or the given destination). */
function moveTasks(sqs: SQSClient, queues: QueueInfo[]): MessageMoveTasks {
  const finished: Record<string, object[]> = {};
  return {
    async start(sourceArn, destinationArn) {
      const source = queues.find((q) => q.arn === sourceArn);
      const destination = queues.find((q) =>
        destinationArn ? q.arn === destinationArn : q.deadLetterArn === sourceArn
      );
      if (!source || !destination) throw new Error(`no redrive source/destination for ${sourceArn}`);
      let moved = 0;
      for (;;) {
        const { Messages: messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: source.url,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 30,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          })
        );
        if (messages.length === 0) break;
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: destination.url,
            Entries: messages.map((m, i) => ({
              Id: String(i),
              MessageBody: m.Body!,
              ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
              ...(destination.fifo
                ? { MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive', MessageDeduplicationId: m.MessageId! }
                : {}),
            })),
          })
        );
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: source.url,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          })
        );
        moved += messages.length;
      }
      const handle = randomUUID();
      (finished[sourceArn] ??= []).push({
        TaskHandle: handle,
        Status: 'COMPLETED',
        SourceArn: sourceArn,
        DestinationArn: destination.arn,
        ApproximateNumberOfMessagesMoved: moved,
      });
      return handle;
    },
    list: (sourceArn) => finished[sourceArn] ?? [],
  };
}

/** The stage's deployed Xero and Dataverse endpoints (lib/config) → the sandbox's, for AwsStackOptions.endpoints. */
export async function sandboxEndpoints(
  stage: string,
  sandbox: { xero: { apiUrl: string; identityUrl: string; loginUrl: string }; dataverse: { url: string } }
): Promise<Record<string, string>> {
  const { environments } = await import('../../lib/config/environments');
  const config = environments[stage as keyof typeof environments];
  return {
    [config.xero.apiUrl]: sandbox.xero.apiUrl,
    [config.xero.identityUrl]: sandbox.xero.identityUrl,
    [config.xero.loginUrl]: sandbox.xero.loginUrl,
    [config.dataverseUrl]: sandbox.dataverse.url,
  };
}
