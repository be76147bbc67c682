/**
 * The sandbox identity server authenticates the client before it looks at the grant, as RFC 6749 §5.2 and Xero's
 * token endpoint do: `connector setup` relies on it to tell a wrong client id/secret from good credentials.
 */
import { startFakeXeroIdentity, type FakeXeroIdentity } from '../../../sandbox/xero-identity/identity-server';
import { withoutProxy } from '../../helpers/no-proxy';

withoutProxy();

let identity: FakeXeroIdentity;
beforeAll(async () => {
  identity = await startFakeXeroIdentity({
    clients: [{ clientId: 'app-id', secret: 'app-secret' }],
    tenants: [{ tenantId: 't1', tenantName: 'Org' }],
  });
});
afterAll(() => identity.close());

const refresh = (id: string, secret: string) =>
  fetch(`${identity.url}/connect/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=refresh_token&refresh_token=never-issued',
  });

describe('sandbox Xero identity: client authentication before the grant', () => {
  it('should answer 401 invalid_client to a wrong client secret, whatever the refresh token', async () => {
    const answer = await refresh('app-id', 'wrong');
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ error: 'invalid_client' });
  });

  it('should answer 401 invalid_client to an unknown client id', async () => {
    expect(await (await refresh('other-app', 'app-secret')).json()).toEqual({ error: 'invalid_client' });
  });

  it('should answer 400 invalid_grant to good client credentials with a refresh token it never issued', async () => {
    const answer = await refresh('app-id', 'app-secret');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'invalid_grant' });
  });
});
