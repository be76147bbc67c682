import { startFakeXeroIdentity, type FakeXeroIdentity } from '../../../../sandbox/xero-identity/identity-server';
import { SetupInputError, SetupStepError } from '../../../../src/cli/setup/setup-errors';
import { checkXeroClientCredentials } from '../../../../src/cli/setup/xero-credentials-check';
import { startFakeHttpServer, type FakeHttpServer } from '../../../helpers/fake-http-server';
import { withoutProxy } from '../../../helpers/no-proxy';

withoutProxy();

let identity: FakeXeroIdentity;
let odd: FakeHttpServer;
beforeAll(async () => {
  identity = await startFakeXeroIdentity({
    clients: [{ clientId: 'app-id', secret: 'app-secret' }],
    tenants: [{ tenantId: 't1', tenantName: 'Org' }],
  });
  odd = await startFakeHttpServer();
});
afterAll(async () => {
  await identity.close();
  await odd.close();
});

const check = (clientSecret: string, identityUrl = identity.url, timeoutMs = 5_000) =>
  checkXeroClientCredentials({ identityUrl, clientId: 'app-id', clientSecret, timeoutMs });

describe('checkXeroClientCredentials', () => {
  it('should accept credentials Xero authenticates (it then refuses only the made-up refresh token)', async () => {
    await expect(check('app-secret')).resolves.toBeUndefined();
    expect(identity.knobs.calls.byGrant.refresh_token).toBeGreaterThan(0);
  });

  it('should refuse a wrong secret with a message naming both values and where to copy them, never the secret', async () => {
    const failure = await check('wrong-secret-123').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SetupInputError);
    expect((failure as SetupInputError).message).toMatch(
      /invalid_client.*XERO_CLIENT_ID or XERO_CLIENT_SECRET is wrong/
    );
    expect((failure as SetupInputError).message).not.toContain('wrong-secret-123');
    expect((failure as SetupInputError).names).toEqual(['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET']);
  });

  it('should send the credentials by HTTP Basic and a refresh_token grant as a form', async () => {
    odd.setRoute(() => ({ status: 400, body: { error: 'invalid_grant' } }));
    await check('s', odd.url);
    const request = odd.requests.at(-1)!;
    expect(request.url).toBe('/connect/token');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('app-id:s').toString('base64')}`);
    expect(new URLSearchParams(request.body).get('grant_type')).toBe('refresh_token');
  });

  it('should report a 5xx as a failed check to retry, not as wrong credentials', async () => {
    identity.knobs.failNextTokenCalls(1, '5xx');
    await expect(check('app-secret')).rejects.toThrow(SetupStepError);
  });

  it('should give up after its timeout when Xero does not answer', async () => {
    odd.setRoute(() => 'hang');
    const failure = await check('s', odd.url, 200).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SetupStepError);
    expect((failure as Error).message).toMatch(/timed out/);
  });
});
