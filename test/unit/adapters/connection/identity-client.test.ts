import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XeroIdentityClient } from '../../../../lambdas/adapters/xero/identity-client';
import {
  PermanentError,
  RateLimitedError,
  ReconnectRequiredError,
  TransientError,
} from '../../../../lambdas/core/errors';
import { startFakeXeroIdentity } from '../../../../sandbox/xero-identity/identity-server';

const SECRET = 'client-secret-value-9f8e7d';

/** A tiny server answering every request with the given status, headers and body, recording what it got. */
async function cannedServer(status: number, body: string, headers: Record<string, string> = {}) {
  const seen: { method?: string; url?: string; authorization?: string; contentType?: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: text,
      });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new XeroIdentityClient({ clientId: 'cid', clientSecret: SECRET, identityUrl: url, apiUrl: url });
  return { client, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error as Error
  );
}

describe('XeroIdentityClient', () => {
  it('should post a form with HTTP Basic client auth and compute the expiry', async () => {
    const s = await cannedServer(200, JSON.stringify({ access_token: 'at', refresh_token: 'rt', expires_in: 1800 }));
    try {
      const before = Date.now();
      const tokens = await s.client.refresh('old-refresh');
      expect(tokens).toMatchObject({ accessToken: 'at', refreshToken: 'rt', scope: '' });
      expect(Date.parse(tokens.expiresAt) - before).toBeGreaterThanOrEqual(1800_000);
      expect(s.seen[0]).toEqual({
        method: 'POST',
        url: '/connect/token',
        authorization: `Basic ${Buffer.from(`cid:${SECRET}`).toString('base64')}`,
        contentType: 'application/x-www-form-urlencoded',
        body: 'grant_type=refresh_token&refresh_token=old-refresh',
      });
    } finally {
      await s.close();
    }
  });

  it('should send the PKCE code_verifier with the authorization code', async () => {
    const s = await cannedServer(200, JSON.stringify({ access_token: 'at', refresh_token: 'rt', expires_in: 1800 }));
    try {
      await s.client.exchangeCode('the-code', 'https://c.example/cb', 'v'.repeat(43));
      expect(new URLSearchParams(s.seen[0]!.body).get('code_verifier')).toBe('v'.repeat(43));
    } finally {
      await s.close();
    }
  });

  it("should ask /connections for one consent's authEventId and delete a single connection by id", async () => {
    const s = await cannedServer(200, '[]');
    try {
      await s.client.listConnections('at', 'event 1/2');
      await s.client.deleteConnection('at', 'conn-1');
      expect(s.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /connections?authEventId=event%201%2F2',
        'DELETE /connections/conn-1',
      ]);
      expect(s.seen[1]!.authorization).toBe('Bearer at');
    } finally {
      await s.close();
    }
  });

  it('should drop user-only scopes from a client_credentials request', async () => {
    const s = await cannedServer(200, JSON.stringify({ access_token: 'at', expires_in: 1800 }));
    try {
      await s.client.clientCredentials(['openid', 'offline_access', 'accounting.contacts', 'accounting.invoices']);
      expect(new URLSearchParams(s.seen[0]!.body).get('scope')).toBe('accounting.contacts accounting.invoices');
    } finally {
      await s.close();
    }
  });

  it.each([
    [400, { error: 'invalid_grant' }, ReconnectRequiredError, 'invalid_grant'],
    [401, { error: 'invalid_client' }, ReconnectRequiredError, 'invalid_client'],
    [400, { error: 'invalid_request' }, PermanentError, 'XERO_IDENTITY_REJECTED'],
    [503, { error: 'temporarily_unavailable' }, TransientError, 'XERO_IDENTITY_5XX'],
  ])('should map a %p %p answer to a typed error', async (status, body, type, marker) => {
    const s = await cannedServer(status, JSON.stringify(body));
    try {
      const error = await failure(s.client.refresh('a-refresh-token-value'));
      expect(error).toBeInstanceOf(type);
      expect(JSON.stringify({ ...error, message: error.message })).toContain(marker);
      expect(error.message).not.toContain('a-refresh-token-value');
      expect(error.message).not.toContain(SECRET);
    } finally {
      await s.close();
    }
  });

  it('should honour Retry-After on 429', async () => {
    const s = await cannedServer(429, '', { 'retry-after': '7', 'x-rate-limit-problem': 'minute' });
    try {
      const error = await failure(s.client.listConnections('access'));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(7000);
    } finally {
      await s.close();
    }
  });

  // developer.xero.com/documentation/guides/oauth2/limits: X-Rate-Limit-Problem names the limit hit; its case varies.
  it('should read a capitalised X-Rate-Limit-Problem as the same limit', async () => {
    const s = await cannedServer(429, '', { 'Retry-After': '30', 'X-Rate-Limit-Problem': 'Day' });
    try {
      const error = (await failure(s.client.listConnections('access'))) as RateLimitedError;
      expect(error.problem).toBe('day');
    } finally {
      await s.close();
    }
  });

  it('should not echo an unexpected error body', async () => {
    const s = await cannedServer(400, JSON.stringify({ error: `weird ${SECRET}` }));
    try {
      const error = await failure(s.client.exchangeCode('code', 'http://127.0.0.1/cb'));
      expect(error.message).toBe('Xero authorization_code was rejected (400 unknown)');
    } finally {
      await s.close();
    }
  });

  it('should treat an unreachable server and a non-JSON answer as transient', async () => {
    const unreachable = new XeroIdentityClient({
      clientId: 'cid',
      clientSecret: SECRET,
      identityUrl: 'http://127.0.0.1:9',
      apiUrl: 'http://127.0.0.1:9',
    });
    await expect(unreachable.refresh('rt')).rejects.toMatchObject({ code: 'XERO_IDENTITY_UNREACHABLE' });
    const s = await cannedServer(200, '<html>maintenance</html>');
    try {
      await expect(s.client.refresh('rt')).rejects.toMatchObject({ code: 'XERO_IDENTITY_BAD_RESPONSE' });
    } finally {
      await s.close();
    }
  });
});

describe('fake Xero identity server', () => {
  it('should be strict about clients, codes, redirect URIs and bearer tokens', async () => {
    const fake = await startFakeXeroIdentity({
      clients: [{ clientId: 'cid', secret: SECRET }],
      tenants: [{ tenantId: 't1', tenantName: 'One' }],
    });
    try {
      const good = new XeroIdentityClient({
        clientId: 'cid',
        clientSecret: SECRET,
        identityUrl: fake.url,
        apiUrl: fake.url,
      });
      const bad = new XeroIdentityClient({
        clientId: 'cid',
        clientSecret: 'wrong',
        identityUrl: fake.url,
        apiUrl: fake.url,
      });
      const authorize = async (redirectUri: string) => {
        const query = new URLSearchParams({
          response_type: 'code',
          client_id: 'cid',
          redirect_uri: redirectUri,
          scope: 'offline_access accounting.contacts',
          state: 's1',
        });
        const res = await fetch(`${fake.url}/identity/connect/authorize?${query}`, { redirect: 'manual' });
        const back = new URL(res.headers.get('location') ?? '');
        expect(back.searchParams.get('state')).toBe('s1');
        return back.searchParams.get('code') ?? '';
      };

      const unknownClient = await fetch(`${fake.url}/identity/connect/authorize?client_id=nope&response_type=code`, {
        redirect: 'manual',
      });
      expect(unknownClient.status).toBe(400);

      const code = await authorize('http://127.0.0.1/cb');
      await expect(bad.exchangeCode(code, 'http://127.0.0.1/cb')).rejects.toMatchObject({ reason: 'invalid_client' });
      await expect(good.exchangeCode(code, 'http://127.0.0.1/other')).rejects.toMatchObject({
        reason: 'invalid_grant',
      });
      const tokens = await good.exchangeCode(code, 'http://127.0.0.1/cb');
      expect(tokens.refreshToken).toEqual(expect.any(String));
      expect(tokens.idToken).toBeUndefined();
      await expect(good.exchangeCode(code, 'http://127.0.0.1/cb')).rejects.toMatchObject({ reason: 'invalid_grant' });

      await expect(good.listConnections(tokens.accessToken)).resolves.toEqual([
        expect.objectContaining({ tenantId: 't1', tenantName: 'One', tenantType: 'ORGANISATION' }),
      ]);
      await expect(good.listConnections('made-up')).rejects.toMatchObject({ reason: 'unauthorized' });
      fake.knobs.advanceClock(31 * 60_000);
      await expect(good.listConnections(tokens.accessToken)).rejects.toBeInstanceOf(ReconnectRequiredError);
      expect(fake.knobs.calls).toMatchObject({ authorize: 2, token: 4, connections: 3 });
    } finally {
      await fake.close();
    }
  });
});
