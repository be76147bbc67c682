/** AWS SDK clients, one per container, created on first use. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ValidationError } from '../../core/errors';
import type { Clock } from '../../core/ports';

export const clock: Clock = { now: () => new Date() };

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ValidationError(`environment variable ${name} is not set (it comes from the CDK stack)`);
  return value;
}

export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export const sqs = once(() => new SQSClient({}));
export const dynamo = once(() => new DynamoDBClient({}));
export const lambda = once(() => new LambdaClient({}));
export const secretsManager = once(() => new SecretsManagerClient({}));
