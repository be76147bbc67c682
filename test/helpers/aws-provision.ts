/**
 * Creates the template's data-plane resources in the emulator, the way CloudFormation would: SQS queues (FIFO,
 * deduplication, visibility timeout, redrive policy), DynamoDB tables (keys, indexes, TTL), Secrets Manager secrets
 * (literal or generated values), SNS topics and KMS keys; Lambda versions and aliases resolve to qualified ARNs.
 * moto's own CloudFormation cannot deploy this template
 * (FIFO queues without names, GetAtt on unsupported types), so each resource is created through its own API.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  resolveValue,
  resourcesOfType,
  UnresolvableError,
  type CfnResource,
  type CfnTemplate,
  type PhysicalResource,
  type ResolveContext,
} from './aws-template';

export interface ProvisionOptions {
  readonly template: CfnTemplate;
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /** SDK client settings pointing at the emulator (through the harness endpoint). */
  readonly clientConfig: object;
  readonly endpoint: string;
  /** Multiplies every queue's VisibilityTimeout (rounded up to whole seconds) so redelivery fits in a test. */
  readonly timeScale: number;
}

export interface ProvisionedSecret {
  readonly logicalId: string;
  readonly arn: string;
  /**
   * Keys the operator completes: those of a generated secret's template (and its generated key), or of a literal
   * JSON secret created with blank values. Empty for secrets the stack itself writes (token set, pending consent).
   */
  readonly templateKeys: readonly string[];
  /** The value CloudFormation would have stored at creation. */
  readonly initialValue: string;
}

export interface Provisioned {
  readonly physical: Map<string, PhysicalResource>;
  readonly secrets: ProvisionedSecret[];
  readonly context: ResolveContext;
}

export async function provisionTemplate(options: ProvisionOptions): Promise<Provisioned> {
  const physical = new Map<string, PhysicalResource>();
  const context: ResolveContext = { ...options, physical };
  const name = (logicalId: string, max: number) => `${options.stackName}-${logicalId}`.slice(0, max);
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${options.region}:${options.accountId}:${resource}`;
  // FunctionName may be a name, an ARN or a partial ARN; the ARN names the function either way.
  const functionArn = (fn: string) => arn('lambda', `function:${/:function:([^:]+)/.exec(fn)?.[1] ?? fn}`);

  // Names and ARNs that need no API call, so later resources can refer to them.
  for (const [id, r] of Object.entries(options.template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') {
      const fn = String(r.Properties?.FunctionName ?? name(id, 64));
      physical.set(id, { ref: fn, attributes: { Arn: arn('lambda', `function:${fn}`) } });
    } else if (r.Type === 'AWS::IAM::Role') {
      const role = name(id, 64);
      physical.set(id, { ref: role, attributes: { Arn: `arn:aws:iam::${options.accountId}:role/${role}` } });
    } else if (r.Type === 'AWS::Logs::LogGroup') {
      const group = String(r.Properties?.LogGroupName ?? `/aws/emulated/${name(id, 200)}`);
      physical.set(id, { ref: group, attributes: { Arn: arn('logs', `log-group:${group}:*`) } });
    } else if (r.Type === 'AWS::ApiGateway::RestApi' || r.Type === 'AWS::ApiGateway::Resource') {
      physical.set(id, { ref: randomId(10), attributes: { RootResourceId: randomId(10) } });
    } else if (r.Type === 'AWS::ApiGateway::RequestValidator' || r.Type === 'AWS::ApiGateway::Deployment') {
      physical.set(id, { ref: randomId(6), attributes: {} });
    }
  }

  // Versions and aliases: a qualified ARN of their function (`…:function:<name>:<version|alias>`), which is what
  // Ref gives in CloudFormation. Every version is the function's code as bundled, so each is version 1.
  for (const [id, r] of resourcesOfType(options.template, 'AWS::Lambda::Version')) {
    const fn = String(resolveValue(r.Properties?.FunctionName, context));
    physical.set(id, { ref: `${functionArn(fn)}:1`, attributes: { Version: '1', FunctionArn: functionArn(fn) } });
  }
  for (const [id, r] of resourcesOfType(options.template, 'AWS::Lambda::Alias')) {
    const fn = String(resolveValue(r.Properties?.FunctionName, context));
    const aliasArn = `${functionArn(fn)}:${String(r.Properties?.Name)}`;
    physical.set(id, { ref: aliasArn, attributes: { AliasArn: aliasArn } });
  }

  // KMS and SNS are called over their wire protocols: the project has no SDK client for them.
  for (const [id] of resourcesOfType(options.template, 'AWS::KMS::Key')) {
    const key = (await awsJson(options.endpoint, 'TrentService.CreateKey', { Description: id })) as {
      KeyMetadata: { KeyId: string; Arn: string };
    };
    physical.set(id, { ref: key.KeyMetadata.KeyId, attributes: { Arn: key.KeyMetadata.Arn } });
  }
  await createQueues(options, context, new SQSClient(options.clientConfig), name);

  const dynamo = new DynamoDBClient(options.clientConfig);
  for (const [id, r] of resourcesOfType(options.template, 'AWS::DynamoDB::Table')) {
    const table = String(r.Properties?.TableName ?? name(id, 255));
    await dynamo.send(new CreateTableCommand(tableInput(table, r, context)));
    const ttl = r.Properties?.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.Enabled && ttl.AttributeName) {
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        })
      );
    }
    physical.set(id, { ref: table, attributes: { Arn: arn('dynamodb', `table/${table}`) } });
  }

  for (const [id, r] of resourcesOfType(options.template, 'AWS::SNS::Topic')) {
    const topicName = String(r.Properties?.TopicName ?? name(id, 256));
    const xml = await awsQuery(options.endpoint, { Action: 'CreateTopic', Name: topicName, Version: '2010-03-31' });
    const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(xml)?.[1];
    if (!topicArn) throw new Error(`CreateTopic ${topicName} answered no ARN`);
    physical.set(id, { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: topicName } });
  }

  const secrets = await createSecrets(options, new SecretsManagerClient(options.clientConfig), name);
  for (const secret of secrets) physical.set(secret.logicalId, { ref: secret.arn, attributes: { Id: secret.arn } });
  return { physical, secrets, context };
}

/** Queues in dependency order: a queue is created once the DLQ its RedrivePolicy names exists. */
async function createQueues(
  options: ProvisionOptions,
  context: ResolveContext,
  sqs: SQSClient,
  name: (id: string, max: number) => string
): Promise<void> {
  const pending = resourcesOfType(options.template, 'AWS::SQS::Queue');
  while (pending.length > 0) {
    const index = pending.findIndex(([, r]) => canResolve(r.Properties?.RedrivePolicy, context));
    if (index < 0)
      throw new UnresolvableError(`queues with unresolvable redrive policies: ${pending.map(([id]) => id)}`);
    const [id, r] = pending.splice(index, 1)[0]!;
    const p = r.Properties ?? {};
    const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
    const queueName = String(p.QueueName ?? `${name(id, fifo ? 75 : 80)}${fifo ? '.fifo' : ''}`);
    const attributes: Record<string, string> = {};
    const copy = (key: string, value: unknown) => {
      if (value !== undefined) attributes[key] = typeof value === 'string' ? value : JSON.stringify(value);
    };
    copy('FifoQueue', p.FifoQueue);
    copy('ContentBasedDeduplication', p.ContentBasedDeduplication);
    copy('DeduplicationScope', p.DeduplicationScope);
    copy('FifoThroughputLimit', p.FifoThroughputLimit);
    copy('MessageRetentionPeriod', p.MessageRetentionPeriod);
    copy('DelaySeconds', p.DelaySeconds);
    copy('MaximumMessageSize', p.MaximumMessageSize);
    copy('ReceiveMessageWaitTimeSeconds', p.ReceiveMessageWaitTimeSeconds);
    if (p.VisibilityTimeout !== undefined)
      attributes.VisibilityTimeout = String(Math.ceil(Number(p.VisibilityTimeout) * options.timeScale));
    if (p.RedrivePolicy !== undefined) copy('RedrivePolicy', resolveValue(p.RedrivePolicy, context));
    const created = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
    const queueArn = `arn:aws:sqs:${options.region}:${options.accountId}:${queueName}`;
    (context.physical as Map<string, PhysicalResource>).set(id, {
      ref: created.QueueUrl!,
      attributes: { Arn: queueArn, QueueName: queueName, QueueUrl: created.QueueUrl! },
    });
  }
}

function canResolve(value: unknown, context: ResolveContext): boolean {
  try {
    resolveValue(value, context);
    return true;
  } catch {
    return false;
  }
}

function tableInput(table: string, r: CfnResource, context: ResolveContext) {
  const p = resolveValue(r.Properties ?? {}, context) as Record<string, unknown>;
  const onDemand = p.BillingMode === 'PAY_PER_REQUEST';
  return {
    TableName: table,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(onDemand
      ? {}
      : { ProvisionedThroughput: p.ProvisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
    ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
    ...(p.StreamSpecification
      ? { StreamSpecification: { StreamEnabled: true, ...(p.StreamSpecification as object) } }
      : {}),
  } as ConstructorParameters<typeof CreateTableCommand>[0];
}

async function createSecrets(
  options: ProvisionOptions,
  client: SecretsManagerClient,
  name: (id: string, max: number) => string
): Promise<ProvisionedSecret[]> {
  const secrets: ProvisionedSecret[] = [];
  for (const [id, r] of resourcesOfType(options.template, 'AWS::SecretsManager::Secret')) {
    const p = r.Properties ?? {};
    const generate = p.GenerateSecretString as GenerateSecretString | undefined;
    const initialValue = p.SecretString !== undefined ? String(p.SecretString) : generateSecretString(generate ?? {});
    const created = await client.send(
      new CreateSecretCommand({ Name: String(p.Name ?? name(id, 512)), SecretString: initialValue })
    );
    const templateKeys = generate?.SecretStringTemplate
      ? Object.keys(JSON.parse(generate.SecretStringTemplate) as object).concat(generate.GenerateStringKey ?? [])
      : operatorBlanks(initialValue);
    secrets.push({ logicalId: id, arn: created.ARN!, templateKeys, initialValue });
  }
  return secrets;
}

/** Keys of a literal JSON secret created blank for the operator to fill (every value an empty string). */
function operatorBlanks(value: string): string[] {
  try {
    const json = JSON.parse(value) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return [];
    const entries = Object.entries(json);
    return entries.length > 0 && entries.every(([, v]) => v === '') ? entries.map(([k]) => k) : [];
  } catch {
    return [];
  }
}

interface GenerateSecretString {
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  ExcludeNumbers?: boolean;
  IncludeSpace?: boolean;
}

/** Secrets Manager's GetRandomPassword rules, as CloudFormation applies them to GenerateSecretString. */
export function generateSecretString(spec: GenerateSecretString): string {
  let alphabet = '';
  if (!spec.ExcludeLowercase) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (!spec.ExcludeUppercase) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!spec.ExcludeNumbers) alphabet += '0123456789';
  if (!spec.ExcludePunctuation) alphabet += '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  if (spec.IncludeSpace) alphabet += ' ';
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const chars = [...alphabet].filter((c) => !excluded.has(c));
  const password = Array.from({ length: spec.PasswordLength ?? 32 }, () => chars[randomInt(chars.length)]).join('');
  if (!spec.SecretStringTemplate) return password;
  const template = JSON.parse(spec.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, ...(spec.GenerateStringKey ? { [spec.GenerateStringKey]: password } : {}) });
}

const SIGNATURE =
  'AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-2/service/aws4_request, SignedHeaders=host, Signature=0';

async function awsJson(endpoint: string, target: string, body: object): Promise<unknown> {
  const service = target.startsWith('TrentService') ? 'kms' : 'service';
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      authorization: SIGNATURE.replace('/service/', `/${service}/`),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`${target} failed: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function awsQuery(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: SIGNATURE.replace('/service/', '/sns/'),
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${params.Action} failed: HTTP ${response.status} ${text}`);
  return text;
}

function randomId(length: number): string {
  return randomBytes(length).toString('hex').slice(0, length);
}
