import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  SecretsConnectionStore,
  SecretsPendingConsentStore,
  requestTokenFor,
} from '../../../../lambdas/adapters/aws/secrets-connection-store';
import { loadXeroAppCredentials } from '../../../../lambdas/adapters/aws/secrets-app-credentials';
import { singleTenantShape, storedConnection } from '../../../helpers/stored-connection';

const SECRET_ID = 'connector/dev/xero-connection';
const record = storedConnection({
  accessToken: 'access-secret-value',
  refreshToken: 'refresh-secret-value',
  expiresAt: '2026-01-01T00:30:00.000Z',
  scope: 'offline_access',
});
const oldShape = singleTenantShape(record);

describe('SecretsConnectionStore', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('should save with one PutSecretValue carrying a content-derived ClientRequestToken', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    const store = new SecretsConnectionStore(new SecretsManagerClient({}), SECRET_ID);
    await store.save(record);
    await store.save(record);
    const calls = sm.commandCalls(PutSecretValueCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]!.args[0].input;
    expect(input).toEqual({
      SecretId: SECRET_ID,
      SecretString: JSON.stringify({ version: 1, record }),
      ClientRequestToken: requestTokenFor(JSON.stringify({ version: 1, record })),
    });
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    // The same token set gives the same request token: a retried write is idempotent.
    expect(calls[1]!.args[0].input.ClientRequestToken).toBe(input.ClientRequestToken);
    const rotated = { ...record, tokens: { ...record.tokens, refreshToken: 'refresh-secret-2' } };
    await store.save(rotated);
    expect(sm.commandCalls(PutSecretValueCommand)[2]!.args[0].input.ClientRequestToken).not.toBe(
      input.ClientRequestToken
    );
  });

  it('should load what it saved and treat a missing or cleared secret as no connection', async () => {
    const store = new SecretsConnectionStore(new SecretsManagerClient({}), SECRET_ID);
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ version: 1, record }) });
    await expect(store.load()).resolves.toEqual(record);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ID });

    sm.reset();
    sm.on(GetSecretValueCommand).rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(store.load()).resolves.toBeNull();

    sm.reset();
    sm.on(PutSecretValueCommand).resolves({});
    await store.clear();
    const cleared = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input.SecretString ?? '';
    expect(cleared).not.toContain('refresh-secret-value');
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: cleared });
    await expect(store.load()).resolves.toBeNull();

    // A second clear must create a new version, not be ignored as a repeat of the first one.
    await store.clear();
    const [first, second] = sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(second).not.toBe(first);
  });

  it('should read a connection stored before several organisations as its one organisation', async () => {
    const store = new SecretsConnectionStore(new SecretsManagerClient({}), SECRET_ID);
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ version: 1, record: oldShape }) });
    await expect(store.load()).resolves.toEqual(record);
  });

  it('should fail with a sanitised transient error that never echoes the secret', async () => {
    const leaky = Object.assign(new Error(`bad request with refresh-secret-value`), {
      name: 'InternalServiceError',
      $metadata: { httpStatusCode: 500 },
    });
    sm.on(PutSecretValueCommand).rejects(leaky);
    const store = new SecretsConnectionStore(new SecretsManagerClient({}), SECRET_ID);
    const error = (await store.save(record).then(
      () => new Error('expected a failure'),
      (e: unknown) => e
    )) as Error;
    expect(error).toMatchObject({ name: 'TransientError', code: 'SECRETS_MANAGER' });
    expect(error.message).toContain('InternalServiceError 500');
    expect(error.message).not.toContain('refresh-secret-value');
  });

  it('should hand a pending consent out once', async () => {
    const store = new SecretsPendingConsentStore(new SecretsManagerClient({}), 'connector/dev/xero-pending');
    const pending = { id: 'p1', tokens: record.tokens, tenants: [], expiresAt: '2026-01-01T00:10:00.000Z' };
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ version: 1, record: pending }) });
    sm.on(PutSecretValueCommand).resolves({});
    await expect(store.take('other')).resolves.toBeNull();
    await expect(store.take('p1')).resolves.toEqual(pending);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });
});

describe('loadXeroAppCredentials', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('should read the app credentials from their own secret', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'connector/dev/xero-app' }).resolves({
      SecretString: JSON.stringify({ clientId: 'cid', clientSecret: 'app-secret-value' }),
    });
    await expect(loadXeroAppCredentials(new SecretsManagerClient({}), 'connector/dev/xero-app')).resolves.toEqual({
      clientId: 'cid',
      clientSecret: 'app-secret-value',
    });
  });

  it('should refuse a malformed secret without echoing it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"clientId":"cid","clientSecret":""} app-secret-value' });
    const error = (await loadXeroAppCredentials(new SecretsManagerClient({}), 'x').then(
      () => new Error('expected a failure'),
      (e: unknown) => e
    )) as Error;
    expect(error).toMatchObject({ code: 'XERO_APP_CREDENTIALS' });
    expect(error.message).not.toContain('app-secret-value');
  });
});
