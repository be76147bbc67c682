import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadSettingsSecret, parseSettingsSecret } from '../../../../lambdas/adapters/aws/connector-settings';
import { SETTINGS_MAX_AGE_SECONDS } from '../../../../lambdas/contract/secrets';
import { ValidationError } from '../../../../lambdas/core/errors';

const region = { region: 'eu-west-1' };
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;

describe('parseSettingsSecret', () => {
  it('should treat empty template values as unset and name the missing keys without echoing values', () => {
    const parse = () =>
      parseSettingsSecret('xeroApp', JSON.stringify({ XERO_CLIENT_ID: 'client-id-value', XERO_CLIENT_SECRET: '' }));

    expect(parse).toThrow(ValidationError);
    expect(parse).toThrow('xero-app secret is incomplete: XERO_CLIENT_SECRET');
    expect(parse).not.toThrow('client-id-value');
  });

  it('should accept Dataverse client credentials or a static token, and nothing less', () => {
    const creds = { DATAVERSE_TENANT_ID: 't', DATAVERSE_CLIENT_ID: 'c', DATAVERSE_CLIENT_SECRET: 's' };
    expect(parseSettingsSecret('dataverseApp', JSON.stringify(creds))).toMatchObject(creds);
    expect(parseSettingsSecret('dataverseApp', JSON.stringify({ DATAVERSE_ACCESS_TOKEN: 'x' }))).toEqual({
      DATAVERSE_ACCESS_TOKEN: 'x',
    });
    expect(() =>
      parseSettingsSecret('dataverseApp', JSON.stringify({ ...creds, DATAVERSE_CLIENT_SECRET: '' }))
    ).toThrow('DATAVERSE_CLIENT_SECRET');
  });

  it('should refuse an admin token shorter than 16 characters', () => {
    expect(() => parseSettingsSecret('admin', JSON.stringify({ CONNECTOR_ADMIN_TOKEN: 'short' }))).toThrow(
      'CONNECTOR_ADMIN_TOKEN'
    );
  });
});

describe('loadSettingsSecret', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
    jest.useFakeTimers({ now: new Date('2026-11-26T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
  });
  afterEach(() => jest.useRealTimers());

  it('should cache a secret for the settings max age, then read the rotated value', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ XERO_WEBHOOK_KEY: 'old-key' }) })
      .resolves({ SecretString: JSON.stringify({ XERO_WEBHOOK_KEY: 'rotated-key' }) });
    const client = new SecretsManagerClient(region);

    const first = await loadSettingsSecret('xeroWebhook', arn('xero-webhook-key'), client);
    jest.setSystemTime(new Date('2026-11-26T10:04:00Z'));
    const cached = await loadSettingsSecret('xeroWebhook', arn('xero-webhook-key'), client);
    jest.setSystemTime(new Date(Date.parse('2026-11-26T10:00:00Z') + SETTINGS_MAX_AGE_SECONDS * 1000 + 1000));
    const reloaded = await loadSettingsSecret('xeroWebhook', arn('xero-webhook-key'), client);

    expect([first.XERO_WEBHOOK_KEY, cached.XERO_WEBHOOK_KEY, reloaded.XERO_WEBHOOK_KEY]).toEqual([
      'old-key',
      'old-key',
      'rotated-key',
    ]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(SETTINGS_MAX_AGE_SECONDS).toBeLessThanOrEqual(300);
  });
});
