/**
 * Lazily built, container-scoped dependencies of the Lambda handlers, from the environment the CDK stack sets and
 * the connector-settings secret. Each handler takes only what it uses; clients and caches live as long as the
 * container (one MSAL token cache, one rate limiter, one cached Xero access token).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DataverseWebApiReader } from '../../adapters/dataverse/dataverse-reader';
import { createClientCredentialsTokenSource, createStaticTokenSource } from '../../adapters/dataverse/dataverse-token-source';
import { loadConnectorSettings, type ConnectorSettings } from '../../adapters/aws/connector-settings';
import { DynamoDbSyncState } from '../../adapters/aws/dynamodb-sync-state';
import { LambdaTokenServiceClient } from '../../adapters/aws/lambda-token-service-client';
import { MetricsOutcomeSink } from '../../adapters/aws/metrics-outcome-sink';
import { SqsChangeQueue, SqsWriteQueue } from '../../adapters/aws/sqs-queues';
import { createXeroGateway } from '../../adapters/xero/xero-gateway';
import { readXeroConnectionConfig, type XeroConnectionConfig } from '../../core/connection/config';
import { TokenServiceAccessProvider } from '../../core/connection/worker-access-provider';
import { ValidationError } from '../../core/errors';
import type { Clock } from '../../core/ports';
import { TenantRateLimiter } from '../../core/rate-limit/tenant-rate-limiter';
import type { MappingSettings } from '../../core/settings';
import { mappingSettingsFromJson } from '../../core/settings-schema';
import { loggerPort, metrics } from './powertools';

export const clock: Clock = { now: () => new Date() };

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ValidationError(`environment variable ${name} is not set (it comes from the CDK stack)`);
  return value;
}

function once<T>(build: () => T): () => T {
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
export const mappingSettings = once((): MappingSettings => mappingSettingsFromJson(process.env.MAPPING_SETTINGS));
export const xeroConfig = once((): XeroConnectionConfig => readXeroConnectionConfig({ ...process.env, XERO_CLIENT_ID: process.env.XERO_CLIENT_ID ?? 'from-settings' }));

let settingsPromise: Promise<ConnectorSettings> | undefined;
/** The settings secret (Powertools caches the value for five minutes). */
export function settings(): Promise<ConnectorSettings> {
  settingsPromise ??= loadConnectorSettings(requireEnv('CONNECTOR_SETTINGS_SECRET_ARN')).catch((error) => {
    settingsPromise = undefined;
    throw error;
  });
  return settingsPromise;
}

export const syncState = once(() => new DynamoDbSyncState(dynamo(), requireEnv('SYNC_STATE_TABLE')));
export const outcomes = once(() => new MetricsOutcomeSink(metrics, loggerPort));
export const changeQueue = once(() => new SqsChangeQueue(sqs(), requireEnv('CHANGES_QUEUE_URL')));
export const writeQueue = once(() => new SqsWriteQueue(sqs(), requireEnv('WRITES_QUEUE_URL')));
export const tokenServiceClient = once(() => new LambdaTokenServiceClient(lambda(), requireEnv('TOKEN_FUNCTION_NAME')));

export const xeroGateway = once(() =>
  createXeroGateway({
    access: new TokenServiceAccessProvider(tokenServiceClient(), clock),
    apiUrl: process.env.XERO_API_URL,
    limiter: new TenantRateLimiter({ clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }),
    logger: loggerPort,
    clock,
  })
);

let reader: DataverseWebApiReader | undefined;
export async function dataverseReader(): Promise<DataverseWebApiReader> {
  if (reader) return reader;
  const s = await settings();
  const serverUrl = requireEnv('DATAVERSE_URL');
  const tokenSource = s.DATAVERSE_ACCESS_TOKEN
    ? createStaticTokenSource(s.DATAVERSE_ACCESS_TOKEN)
    : createClientCredentialsTokenSource({
        tenantId: s.DATAVERSE_TENANT_ID ?? '',
        clientId: s.DATAVERSE_CLIENT_ID ?? '',
        clientSecret: s.DATAVERSE_CLIENT_SECRET ?? '',
        serverUrl,
      });
  reader = new DataverseWebApiReader({ serverUrl, tokenSource, logger: loggerPort });
  return reader;
}
