import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClientCredentialsTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';
import { PermanentError, TransientError } from '../../../../lambdas/core/errors';
import { fakeTime } from '../../../helpers/fake-time';

const SECRET = 'entra-secret-value-4c3b2a';
const TENANT = '11111111-2222-3333-4444-555555555555';

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Never answer (for the timeout). */
  readonly hang?: boolean;
}

/** A fake Entra token endpoint on 127.0.0.1 that plays the given answers in order and records each request. */
async function fakeEntra(...answers: Answer[]) {
  const seen: { method?: string; url?: string; contentType?: string; form: URLSearchParams }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        contentType: req.headers['content-type'],
        form: new URLSearchParams(text),
      });
      const answer = answers[Math.min(seen.length, answers.length) - 1] ?? { status: 500 };
      if (answer.hang) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const START = '2026-03-01T10:00:00Z';

const token = (accessToken: string, expiresIn = 3599): Answer => ({
  status: 200,
  body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken },
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error as Error
  );
}

describe('createClientCredentialsTokenSource (Entra client credentials)', () => {
  let entra: Awaited<ReturnType<typeof fakeEntra>> | undefined;
  afterEach(async () => {
    await entra?.close();
    entra = undefined;
  });

  function source(time = fakeTime(START), timeoutMs = 2_000) {
    return createClientCredentialsTokenSource({
      tenantId: TENANT,
      clientId: 'app-id',
      clientSecret: SECRET,
      serverUrl: 'https://contoso.crm.dynamics.com/',
      authorityHost: `${entra?.url ?? ''}/`,
      timeoutMs,
      now: time.clock.now,
    });
  }

  it("should post the client credentials form to the tenant's v2.0 token endpoint with the environment's scope", async () => {
    // Arrange
    entra = await fakeEntra(token('access-1'));

    // Act
    const accessToken = await source()();

    // Assess
    expect(accessToken).toBe('access-1');
    expect(entra.seen).toHaveLength(1);
    expect(entra.seen[0]).toMatchObject({
      method: 'POST',
      url: `/${TENANT}/oauth2/v2.0/token`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(Object.fromEntries(entra.seen[0]?.form ?? [])).toEqual({
      client_id: 'app-id',
      client_secret: SECRET,
      scope: 'https://contoso.crm.dynamics.com/.default',
      grant_type: 'client_credentials',
    });
  });

  it('should reuse the token until five minutes before it expires, then fetch a new one', async () => {
    // Arrange
    entra = await fakeEntra(token('access-1', 3600), token('access-2', 3600));
    const time = fakeTime(START);
    const tokens = source(time);

    // Act
    const first = await tokens();
    time.advance(54 * 60_000);
    const stillCached = await tokens();
    time.advance(60_001);
    const renewed = await tokens();

    // Assess
    expect([first, stillCached, renewed]).toEqual(['access-1', 'access-1', 'access-2']);
    expect(entra.seen).toHaveLength(2);
  });

  it('should send one request for callers that ask at the same time', async () => {
    // Arrange
    entra = await fakeEntra(token('access-1'));
    const tokens = source();

    // Act
    const all = await Promise.all([tokens(), tokens(), tokens()]);

    // Assess
    expect(all).toEqual(['access-1', 'access-1', 'access-1']);
    expect(entra.seen).toHaveLength(1);
  });

  it.each(['invalid_client', 'unauthorized_client', 'invalid_scope'])(
    'should fail permanently, naming only the code and the settings, when Entra answers %s',
    async (code) => {
      // Arrange
      entra = await fakeEntra({
        status: 401,
        body: {
          error: code,
          error_description: `AADSTS7000215: Invalid client secret ${SECRET}`,
          error_codes: [7000215],
        },
      });

      // Act
      const error = await failure(source()());

      // Assess
      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ code: 'DATAVERSE_AUTH', retryable: false });
      expect(error.message).toContain(`(${code})`);
      expect(error.message).toContain('DATAVERSE_CLIENT_SECRET');
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('AADSTS');
    }
  );

  it('should fail transiently with the status when Entra answers 5xx, and renew on the next call', async () => {
    // Arrange
    entra = await fakeEntra({ status: 503, body: { error: 'temporarily_unavailable' } }, token('access-2'));
    const tokens = source();

    // Act
    const error = await failure(tokens());
    const next = await tokens();

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'TOKEN', retryable: true });
    expect(error.message).toBe('Dataverse token request failed (temporarily_unavailable)');
    expect(next).toBe('access-2');
  });

  it('should not ask Entra again before the Retry-After of a 429 has passed', async () => {
    // Arrange
    entra = await fakeEntra({ status: 429, headers: { 'retry-after': '30' } }, token('access-2'));
    const time = fakeTime(START);
    const tokens = source(time);

    // Act
    const throttled = await failure(tokens());
    const early = await failure(tokens());
    time.advance(30_000);
    const later = await tokens();

    // Assess
    expect(throttled).toMatchObject({ code: 'TOKEN', message: 'Dataverse token request failed (HTTP 429)' });
    expect(early).toBeInstanceOf(TransientError);
    expect(early.message).toContain('throttled');
    expect(later).toBe('access-2');
    expect(entra.seen).toHaveLength(2);
  });

  it('should fail transiently when Entra answers without an access token', async () => {
    // Arrange
    entra = await fakeEntra({ status: 200, body: { token_type: 'Bearer', expires_in: 3599 } });

    // Act
    const error = await failure(source()());

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'TOKEN_EMPTY' });
  });

  it('should give up after the timeout when Entra does not answer', async () => {
    // Arrange
    entra = await fakeEntra({ status: 200, hang: true });

    // Act
    const error = await failure(source(fakeTime(START), 100)());

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'Dataverse token request timed out after 100 ms' });
  });

  it('should fail transiently without the address when Entra cannot be reached', async () => {
    // Arrange: a port that was just closed.
    entra = await fakeEntra();
    await entra.close();
    const tokens = source();
    entra = undefined;

    // Act
    const error = await failure(tokens());

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'TOKEN', message: 'Dataverse token request failed (network)' });
  });

  it('should fail permanently, without calling Entra, when a credential is empty', async () => {
    // Arrange
    entra = await fakeEntra(token('access-1'));
    const tokens = createClientCredentialsTokenSource({
      tenantId: TENANT,
      clientId: 'app-id',
      clientSecret: ' ',
      serverUrl: 'https://contoso.crm.dynamics.com',
      authorityHost: entra.url,
    });

    // Act
    const error = await failure(tokens());

    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('clientSecret');
    expect(entra.seen).toHaveLength(0);
  });
});
