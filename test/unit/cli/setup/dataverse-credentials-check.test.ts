import { checkDataverseCredentials } from '../../../../src/cli/setup/dataverse-credentials-check';
import { SetupInputError, SetupStepError } from '../../../../src/cli/setup/setup-errors';
import { startFakeHttpServer, type FakeHttpServer } from '../../../helpers/fake-http-server';
import { withoutProxy } from '../../../helpers/no-proxy';
import { startFakeOrg, type FakeOrg } from '../../dataverse-admin/fake-dataverse-org';

withoutProxy();

let org: FakeOrg;
let entra: FakeHttpServer;
beforeEach(async () => {
  org = await startFakeOrg();
  entra = await startFakeHttpServer((r) =>
    new URLSearchParams(r.body).get('client_secret') === 'right'
      ? { status: 200, body: { access_token: 'entra-issued-token', expires_in: 3600 } }
      : { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215 secret right?' } }
  );
});
afterEach(async () => {
  await org.close();
  await entra.close();
});

const values = (secret: string) =>
  new Map([
    ['DATAVERSE_URL', org.url],
    ['DATAVERSE_TENANT_ID', 'tenant-1'],
    ['DATAVERSE_CLIENT_ID', 'client-1'],
    ['DATAVERSE_CLIENT_SECRET', secret],
  ]);

describe('checkDataverseCredentials', () => {
  it('should obtain a token from Entra for the environment and call WhoAmI with it', async () => {
    const checked = await checkDataverseCredentials({ values: values('right'), authorityHost: entra.url });
    expect(checked.userId).toBe(org.userId);
    const tokenRequest = entra.requests[0]!;
    expect(tokenRequest.url).toBe('/tenant-1/oauth2/v2.0/token');
    expect(new URLSearchParams(tokenRequest.body).get('scope')).toBe(`${org.url}/.default`);
    const whoAmI = org.server.requests.find((r) => r.url.includes('WhoAmI'));
    expect(whoAmI?.headers.authorization).toBe('Bearer entra-issued-token');
  });

  it('should name the three credentials when Entra refuses them, and quote nothing Entra said', async () => {
    const failure = await checkDataverseCredentials({ values: values('wrong'), authorityHost: entra.url }).catch(
      (e: unknown) => e
    );
    expect(failure).toBeInstanceOf(SetupInputError);
    expect((failure as SetupInputError).names).toEqual([
      'DATAVERSE_TENANT_ID',
      'DATAVERSE_CLIENT_ID',
      'DATAVERSE_CLIENT_SECRET',
    ]);
    expect((failure as Error).message).not.toContain('AADSTS');
    expect((failure as Error).message).not.toContain('wrong');
    expect(org.server.requests).toEqual([]);
  });

  it('should refuse a plain-http Dataverse URL that is not loopback before calling anything', async () => {
    const bad = new Map([...values('right'), ['DATAVERSE_URL', 'http://contoso.crm.dynamics.com']]);
    await expect(checkDataverseCredentials({ values: bad, authorityHost: entra.url })).rejects.toThrow(
      /DATAVERSE_URL must use https/
    );
    expect(entra.requests).toEqual([]);
  });

  it('should report an Entra outage as a check to retry, not as wrong credentials', async () => {
    entra.setRoute(() => ({ status: 503, body: { error: 'temporarily_unavailable' } }));
    await expect(
      checkDataverseCredentials({ values: values('right'), authorityHost: entra.url, timeoutMs: 1_000 })
    ).rejects.toThrow(SetupStepError);
  });
});
