/**
 * Issue 14 (7): a rotated key reaches warm functions within the settings cache time. The real composition of the
 * Xero webhook handler runs against a mocked Secrets Manager and SQS.
 */
import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SETTINGS_MAX_AGE_SECONDS } from '../../../lambdas/contract/secrets';

const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const start = Date.parse('2026-11-26T10:00:00Z');

function signed(key: string): APIGatewayProxyEvent {
  const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'ABC' });
  const signature = createHmac('sha256', key).update(body).digest('base64');
  return {
    body,
    isBase64Encoded: false,
    headers: { 'x-xero-signature': signature },
  } as unknown as APIGatewayProxyEvent;
}

describe('settings on a warm function', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.XERO_WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:xero-webhook-key';
    process.env.XERO_EVENTS_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/events';
    process.env.AWS_REGION = 'eu-west-1';
  });
  afterAll(() => {
    process.env = saved;
  });
  beforeEach(() => jest.useFakeTimers({ now: start, doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('should stop accepting a rotated-out webhook key within the settings max age', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ XERO_WEBHOOK_KEY: 'old-signing-key' }) })
      .resolves({ SecretString: JSON.stringify({ XERO_WEBHOOK_KEY: 'new-signing-key' }) });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [] });
    const { handler } = await import('../../../lambdas/handlers/xero-webhook');

    // Act
    const before = await handler(signed('old-signing-key'));
    jest.setSystemTime(start + (SETTINGS_MAX_AGE_SECONDS + 1) * 1000);
    const oldKeyAfter = await handler(signed('old-signing-key'));
    const newKeyAfter = await handler(signed('new-signing-key'));

    // Assess
    expect([before.statusCode, oldKeyAfter.statusCode, newKeyAfter.statusCode]).toEqual([200, 401, 200]);
  });
});
