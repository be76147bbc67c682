import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LambdaTokenServiceClient } from '../../../lambdas/adapters/aws/lambda-token-service-client';
import { InMemoryConnectionStore } from '../../../lambdas/core/connection/memory-stores';
import type { IdentityClient } from '../../../lambdas/core/connection/ports';
import { TokenService } from '../../../lambdas/core/connection/token-service';
import type { StoredConnection, TokenSet } from '../../../lambdas/core/connection/types';
import { PermanentError, ReconnectRequiredError, TransientError } from '../../../lambdas/core/errors';
import { createHandler } from '../../../lambdas/handlers/token-service';
import { SCHEDULED_REFRESH_INPUT } from '../../../lib/constructs/xero-credentials';
import { recordingLogger } from '../../helpers/in-memory-ports';

const now = new Date('2026-11-26T10:00:00Z');
/** The context Lambda gives an invocation through one alias of the token function. */
const through = (qualifier?: string) => ({
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:token-fn${qualifier ? `:${qualifier}` : ''}`,
});
const worker = through('worker');
const clock = { now: () => now };
const tokens = (accessToken: string, minutes: number): TokenSet => ({
  accessToken,
  refreshToken: `refresh-${accessToken}`,
  expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString(),
  scope: 'offline_access accounting.contacts',
});
const record = (set: TokenSet): StoredConnection => ({
  connection: {
    tenantId: 'tenant-1',
    tenantName: 'Demo Ltd',
    connectedAt: now.toISOString(),
    refreshedAt: now.toISOString(),
    refreshTokenIssuedAt: now.toISOString(),
    state: 'connected',
  },
  tokens: set,
});

function identity(refresh: () => Promise<TokenSet>): IdentityClient {
  return {
    refresh,
    exchangeCode: async () => tokens('x', 30),
    clientCredentials: async () => tokens('x', 30),
    revoke: async () => undefined,
    listConnections: async () => [
      { id: 'c-1', tenantId: 'tenant-1', tenantName: 'Demo Ltd', tenantType: 'ORGANISATION' },
    ],
  };
}

describe('token-service handler', () => {
  async function serviceWith(stored: StoredConnection | null, refresh: () => Promise<TokenSet>) {
    const store = new InMemoryConnectionStore();
    if (stored) await store.save(stored);
    return new TokenService({
      store,
      identity: identity(refresh),
      clock,
      logger: recordingLogger(),
      sleep: async () => undefined,
    });
  }

  it('should answer get-access with a fresh grant and refresh on the schedule when due', async () => {
    let calls = 0;
    const service = await serviceWith(record(tokens('old', 2)), async () => {
      calls++;
      return tokens('new', 30);
    });
    const handler = createHandler(async () => service);

    const access = await handler({ action: 'get-access' }, worker);
    expect(access).toMatchObject({ ok: true, value: { accessToken: 'new', tenantId: 'tenant-1' } });
    const refreshed = await handler({ action: 'refresh', source: 'schedule' }, through('schedule'));
    expect(refreshed).toMatchObject({ ok: true, value: { result: 'not_due', status: { state: 'connected' } } });
    expect(calls).toBe(1);
  });

  it('should return typed failures as data, never throw, and refuse unknown commands', async () => {
    const service = await serviceWith(record(tokens('old', 1)), async () => {
      throw new ReconnectRequiredError('refresh token expired', 'invalid_grant');
    });
    const handler = createHandler(async () => service);

    expect(await handler({ action: 'get-access' }, worker)).toMatchObject({
      ok: false,
      error: { code: 'RECONNECT_REQUIRED', reason: 'invalid_grant' },
    });
    expect(await handler({ action: 'drop-tables' }, worker)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('should answer a worker per organisation: access for a chosen one, a typed pause naming an unchosen one', async () => {
    const service = await serviceWith(record(tokens('current', 30)), async () => tokens('new', 30));
    const handler = createHandler(async () => service);

    expect(await handler({ action: 'get-access', tenantId: 'tenant-1' }, worker)).toMatchObject({
      ok: true,
      value: { tenantId: 'tenant-1', accessToken: 'current' },
    });
    const refused = await handler({ action: 'get-access', tenantId: 'tenant-2' }, worker);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'RECONNECT_REQUIRED', reason: 'tenant_not_chosen', tenantId: 'tenant-2' },
    });
    expect(await handler({ action: 'organisations' }, worker)).toEqual({
      ok: true,
      value: {
        defaultTenantId: 'tenant-1',
        tenantIds: ['tenant-1'],
        chosen: [expect.objectContaining({ tenantId: 'tenant-1', state: 'connected' })],
      },
    });
    expect(await handler({ action: 'get-access', tenantId: 'no spaces, please' }, worker)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('should run only the commands of the role whose alias was invoked', async () => {
    // Prepare
    const stored = record(tokens('current', 30));
    const service = await serviceWith(stored, async () => tokens('new', 30));
    const handler = createHandler(async () => service);
    const replacement = { ...stored, connection: { ...stored.connection, tenantId: 'attacker-org' } };

    // Act
    const workerAdopt = await handler({ action: 'adopt', record: replacement }, worker);
    const consentRefresh = await handler({ action: 'refresh' }, through('consent'));
    const unqualified = await handler({ action: 'get-access' }, through());
    const latest = await handler({ action: 'status' }, through('$LATEST'));
    const noContext = await handler({ action: 'status' });
    const consentStatus = await handler({ action: 'status' }, through('consent'));

    // Assess
    for (const refused of [workerAdopt, consentRefresh, unqualified, latest, noContext]) {
      expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(consentStatus).toMatchObject({ ok: true, value: { state: 'connected', tenantId: 'tenant-1' } });
    expect((await handler({ action: 'get-access' }, worker)).ok).toBe(true);
  });

  it('should exchange a consent code for the consent role only, with its own app credentials', async () => {
    const service = new TokenService({
      store: new InMemoryConnectionStore(),
      identity: identity(async () => tokens('x', 30)),
      clock,
      logger: recordingLogger(),
      clientId: 'app-client-id',
    });
    const handler = createHandler(async () => service);
    const exchange = { action: 'exchange-code', code: 'code-1', redirectUri: 'https://api.example/cb' };

    expect(await handler(exchange, through('consent'))).toMatchObject({ ok: true, value: { accessToken: 'x' } });
    expect(await handler(exchange, worker)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await handler({ action: 'consent-config' }, through('consent'))).toEqual({
      ok: true,
      value: { clientId: 'app-client-id' },
    });
  });
});

describe('token-service handler on the refresh schedule', () => {
  async function serviceFailingWith(error: Error) {
    const store = new InMemoryConnectionStore();
    await store.save(record(tokens('old', 1)));
    return new TokenService({
      store,
      identity: identity(async () => {
        throw error;
      }),
      clock,
      logger: recordingLogger(),
      sleep: async () => undefined,
    });
  }

  it('should fail the scheduled invocation on a transient refresh failure, so the schedule retries', async () => {
    const handler = createHandler(async () => serviceFailingWith(new TransientError('identity 503')));

    await expect(handler(SCHEDULED_REFRESH_INPUT, through('schedule'))).rejects.toThrow('identity 503');
  });

  it('should answer a hand-run refresh, and a refresh failing for good, with a typed result', async () => {
    const transient = createHandler(async () => serviceFailingWith(new TransientError('identity 503')));
    // An operator's `aws lambda invoke --qualifier schedule` without the schedule's source waits for the answer.
    expect(await transient({ action: 'refresh' }, through('schedule'))).toMatchObject({
      ok: false,
      error: { code: 'TRANSIENT', disposition: 'retry' },
    });
    const rejected = createHandler(async () =>
      serviceFailingWith(new PermanentError('invalid_client', 'XERO_IDENTITY_REJECTED'))
    );
    expect(await rejected(SCHEDULED_REFRESH_INPUT, through('schedule'))).toMatchObject({
      ok: false,
      error: { code: 'XERO_IDENTITY_REJECTED', disposition: 'permanent' },
    });
  });

  it('should answer reconnect-required on the schedule without failing: retries cannot help', async () => {
    const handler = createHandler(async () =>
      serviceFailingWith(new ReconnectRequiredError('refresh token revoked', 'invalid_grant'))
    );

    expect(await handler(SCHEDULED_REFRESH_INPUT, through('schedule'))).toMatchObject({
      ok: true,
      value: { result: 'reconnect_required', status: { state: 'reconnect_required', reason: 'invalid_grant' } },
    });
    // And again on the next tick, from the stored state.
    expect(await handler(SCHEDULED_REFRESH_INPUT, through('schedule'))).toMatchObject({
      ok: true,
      value: { result: 'reconnect_required' },
    });
  });
});

describe('LambdaTokenServiceClient', () => {
  const lambdaMock = mockClient(LambdaClient);
  beforeEach(() => lambdaMock.reset());
  const payload = (value: unknown) => ({
    Payload: Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'],
  });

  it('should invoke the token function with the command and return its value', async () => {
    lambdaMock
      .on(InvokeCommand)
      .resolves(payload({ ok: true, value: { accessToken: 'a', tenantId: 't', expiresAt: now.toISOString() } }));
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn');

    await expect(client.getAccess()).resolves.toMatchObject({ accessToken: 'a' });
    const input = lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input.FunctionName).toBe('token-fn');
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toEqual({ action: 'get-access' });
  });

  it("should ask for one organisation's access and rebuild a pause that names it", async () => {
    lambdaMock.on(InvokeCommand).resolves(
      payload({
        ok: false,
        error: {
          name: 'x',
          code: 'RECONNECT_REQUIRED',
          disposition: 'reconnect',
          message: 'Xero organisation tenant-2 is not usable (tenant_removed).',
          reason: 'tenant_removed',
          tenantId: 'tenant-2',
        },
      })
    );
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn:worker');

    const error = await client.getAccess('tenant-2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReconnectRequiredError);
    expect(error).toMatchObject({ reason: 'tenant_removed', tenantId: 'tenant-2' });
    const input = lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toEqual({
      action: 'get-access',
      tenantId: 'tenant-2',
    });
  });

  it('should treat a refused command as permanent, not as a transient failure to retry', async () => {
    lambdaMock.on(InvokeCommand).resolves(
      payload({
        ok: false,
        error: { name: 'Yn', code: 'FORBIDDEN', message: 'the worker caller may not run "adopt"' },
      })
    );
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn:worker');

    await expect(client.status()).rejects.toBeInstanceOf(PermanentError);
  });

  it('should rebuild a reconnect-required error so workers pause instead of failing', async () => {
    lambdaMock.on(InvokeCommand).resolves(
      payload({
        ok: false,
        error: {
          name: 'ReconnectRequiredError',
          code: 'RECONNECT_REQUIRED',
          message: 'reconnect at /oauth/xero/connect',
          reason: 'invalid_grant',
        },
      })
    );
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn');

    await expect(client.getAccess()).rejects.toBeInstanceOf(ReconnectRequiredError);
  });

  it('should rebuild a permanent error by its disposition, whatever its minified class name', async () => {
    lambdaMock.on(InvokeCommand).resolves(
      payload({
        ok: false,
        error: { name: 'Yn', code: 'XERO_IDENTITY_REJECTED', disposition: 'permanent', message: 'invalid_client' },
      })
    );
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn');

    const error = await client.getAccess().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'XERO_IDENTITY_REJECTED', retryable: false });
  });

  it('should carry a permanent failure of the token function across the invoke boundary as permanent', async () => {
    // A subclass named as a minifier would name it: only code and disposition may decide.
    class Qx extends PermanentError {}
    const store = new InMemoryConnectionStore();
    await store.save(record(tokens('old', 1)));
    const tokenHandler = createHandler(
      async () =>
        new TokenService({
          store,
          identity: identity(async () => {
            throw new Qx('invalid_client', 'XERO_IDENTITY_REJECTED');
          }),
          clock,
          logger: recordingLogger(),
          sleep: async () => undefined,
        })
    );
    lambdaMock
      .on(InvokeCommand)
      .callsFake(async (input: { Payload: Uint8Array }) =>
        payload(await tokenHandler(JSON.parse(Buffer.from(input.Payload).toString('utf8')), worker))
      );
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn');

    await expect(client.getAccess()).rejects.toBeInstanceOf(PermanentError);
    await expect(client.getAccess()).rejects.toMatchObject({ code: 'XERO_IDENTITY_REJECTED' });
  });

  it('should retry a throttled invoke (the single writer is busy) a bounded number of times', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    lambdaMock
      .on(InvokeCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves(payload({ ok: true, value: { reported: true } }));
    const client = new LambdaTokenServiceClient(new LambdaClient({ region: 'eu-west-1' }), 'token-fn', {
      sleep: async () => undefined,
    });

    await expect(client.reportRejected('401')).resolves.toBeUndefined();
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(3);

    lambdaMock.reset();
    lambdaMock.on(InvokeCommand).rejects(throttled);
    await expect(client.getAccess()).rejects.toBeInstanceOf(TransientError);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(4);
  });
});
