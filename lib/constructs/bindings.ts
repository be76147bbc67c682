/**
 * A function's environment variable and the permission it implies, set together: whoever gives a function a
 * queue URL, table name, secret ARN or token-function alias gives it the matching access in the same call, and
 * nothing else. The variable must be in the function's contract (lambdas/contract/environment.ts), or synth fails.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { EnvName } from '../../lambdas/contract/environment';
import type { ConnectorFunction } from './connector-function';

/** A plain value (URL, JSON settings): no permission implied. */
export function bindValue(fn: ConnectorFunction, name: EnvName, value: string): void {
  fn.addEnvironment(name, value);
}

/** A queue the function sends to. */
export function bindQueueSend(fn: ConnectorFunction, name: EnvName, queue: IQueue): void {
  fn.addEnvironment(name, queue.queueUrl);
  queue.grantSendMessages(fn);
}

/** A queue whose depth the function reads (status page). */
export function bindQueueDepth(fn: ConnectorFunction, name: EnvName, queue: IQueue): void {
  fn.addEnvironment(name, queue.queueUrl);
  queue.grant(fn, 'sqs:GetQueueAttributes');
}

/**
 * A dead-letter queue the status page lists and retries from: peek (ReceiveMessage with a zero visibility timeout,
 * ChangeMessageVisibility to put back what Retry looked past), DeleteMessage once a copy is back on its source
 * queue, and StartMessageMoveTask for Retry all. The source queue's send grant comes with bindQueueSend.
 */
export function bindDeadLetterRetry(fn: ConnectorFunction, name: EnvName, deadLetterQueue: IQueue): void {
  fn.addEnvironment(name, deadLetterQueue.queueUrl);
  deadLetterQueue.grant(
    fn,
    'sqs:GetQueueAttributes',
    'sqs:ReceiveMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:StartMessageMoveTask'
  );
}

export type TableAccess =
  | 'read'
  | 'readWrite'
  /** Only these DynamoDB actions, only on items whose partition key starts with one of the prefixes. */
  | { readonly actions: readonly string[]; readonly keyPrefixes: readonly string[] };

export function bindTable(fn: ConnectorFunction, name: EnvName, table: ITable, access: TableAccess): void {
  fn.addEnvironment(name, table.tableName);
  if (access === 'read') table.grantReadData(fn);
  else if (access === 'readWrite') table.grantReadWriteData(fn);
  else {
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...access.actions],
        resources: [table.tableArn],
        // Every key the request touches must carry one of the prefixes, whatever the code does.
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.keyPrefixes.map((prefix) => `${prefix}*`) },
        },
      })
    );
  }
}

/** A secret the function reads (and decrypts with the secret's key). */
export function bindSecretRead(fn: ConnectorFunction, name: EnvName, secret: ISecret): void {
  fn.addEnvironment(name, secret.secretArn);
  secret.grantRead(fn);
}

/** A secret the function reads and replaces (the token set, a pending consent). */
export function bindSecretReadWrite(fn: ConnectorFunction, name: EnvName, secret: ISecret): void {
  bindSecretRead(fn, name, secret);
  secret.grantWrite(fn);
}
