/** AWS SDK clients, one per container, created on first use. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../../core/ports';
import { systemClock } from '../../adapters/system-clock';

/** The one clock of every Lambda composition root. */
export const clock: Clock = systemClock;

/** Built on the first call (with that call's arguments), then the same value for the container's lifetime. */
export function once<A extends unknown[], T>(build: (...args: A) => T): (...args: A) => T {
  let value: T | undefined;
  let built = false;
  return (...args) => {
    if (!built) {
      value = build(...args);
      built = true;
    }
    return value as T;
  };
}

/**
 * Every AWS call is bounded: 3 s to connect, 15 s for the whole request (the SDK sets neither by default).
 * Retries stay the SDK's own (bounded, with backoff).
 */
const bounded = { requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 } };

export const sqs = once(() => new SQSClient(bounded));
export const dynamo = once(() => new DynamoDBClient(bounded));
export const lambda = once(
  () => new LambdaClient({ requestHandler: { connectionTimeout: 3_000, requestTimeout: 35_000 } })
);
export const secretsManager = once(() => new SecretsManagerClient(bounded));
