/**
 * A strict fake of Xero's identity server and GET /connections, for tests, the sandbox and e2e runs.
 * Serves, on one 127.0.0.1 origin, what Xero splits across login.xero.com, identity.xero.com and api.xero.com:
 *   GET  /identity/connect/authorize  auto-approves: 302 back to redirect_uri with a code and the state
 *                                     (records a PKCE S256 code_challenge when one is sent)
 *   POST /connect/token               authorization_code (checks the PKCE code_verifier), refresh_token (rotation +
 *                                     grace), client_credentials
 *   POST /connect/revocation          revokes a refresh token and with it every grant of that user
 *   GET  /connections                 the user's connected tenants, optionally ?authEventId= (Bearer token required)
 *   DELETE /connections/{id}          disconnects one tenant
 * Access tokens are JWT-shaped (unsigned) and carry `authentication_event_id`, as Xero's do. Grants belong to a
 * user; /connections lists every tenant that user connected to the app, each with the auth event that connected it.
 * Knobs let tests revoke everything, make token calls hang/lose their response/fail with 5xx, remove a tenant,
 * and move the clock.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeXeroClient {
  readonly clientId: string;
  readonly secret: string;
}

export interface FakeXeroTenant {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly tenantType?: string;
}

export interface FakeXeroIdentityOptions {
  readonly port?: number;
  readonly clients: readonly FakeXeroClient[];
  readonly tenants: readonly FakeXeroTenant[];
  readonly accessTokenTtlSeconds?: number;
  /** How long a superseded refresh token keeps working (Xero: 30 minutes). */
  readonly graceSeconds?: number;
}

export type TokenFailureMode = 'hang' | '5xx' | 'lose-response';

export interface FakeXeroCalls {
  authorize: number;
  token: number;
  revocation: number;
  connections: number;
  byGrant: Record<string, number>;
}

export interface FakeXeroIdentityKnobs {
  readonly calls: FakeXeroCalls;
  /** Revoke every grant and token (as if the app were disconnected in Xero). */
  revokeAll(): void;
  /** The next `count` token calls fail: hang (never answer), 5xx, or lose-response (processed, then never answered). */
  failNextTokenCalls(count: number, mode: TokenFailureMode): void;
  /** Disconnect a tenant from every grant (the organisation removed the app). */
  removeTenant(tenantId: string): void;
  advanceClock(ms: number): void;
  /** The next consent is declined by the user (redirect with error=access_denied). */
  denyNextConsent(): void;
  /** Which tenants the user ticks in the next consent (default: all). */
  selectTenantsForNextConsent(tenantIds: readonly string[]): void;
  /** Which Xero user signs in for the next consent (default: "sandbox-user"). */
  consentAsUser(userId: string): void;
  /** Every access, refresh and id token issued so far: for asserting that none leaks into logs or errors. */
  issuedSecrets(): string[];
  /** Refresh tokens currently usable without grace (not superseded, not revoked). */
  activeRefreshTokens(): string[];
}

export interface FakeXeroIdentity {
  readonly url: string;
  readonly knobs: FakeXeroIdentityKnobs;
  /** True for a live access token of an unrevoked grant: lets the sandbox Accounting API check bearer tokens. */
  isValidAccessToken(token: string): boolean;
  close(): Promise<void>;
}

interface Grant {
  /** Also the authentication event id of the consent that created it. */
  readonly id: string;
  readonly clientId: string;
  readonly userId: string;
  readonly tenantIds: Set<string>;
  readonly createdAt: number;
  revoked: boolean;
}

interface CodeEntry {
  readonly grantId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly expiresAt: number;
  /** RFC 7636 §4.3: the S256 challenge sent to /authorize, if any. */
  readonly codeChallenge?: string;
  used: boolean;
}

interface RefreshEntry {
  readonly grantId: string;
  readonly scope: string;
  readonly issuedAt: number;
  supersededAt?: number;
}

interface AccessEntry {
  readonly grantId: string;
  readonly expiresAt: number;
}

const REFRESH_TOKEN_LIFETIME_MS = 60 * 24 * 3600 * 1000;
const CODE_LIFETIME_MS = 5 * 60 * 1000;

export async function startFakeXeroIdentity(options: FakeXeroIdentityOptions): Promise<FakeXeroIdentity> {
  const accessTtlMs = (options.accessTokenTtlSeconds ?? 1800) * 1000;
  const graceMs = (options.graceSeconds ?? 1800) * 1000;
  const tenants = new Map(options.tenants.map((t) => [t.tenantId, t]));
  const grants = new Map<string, Grant>();
  const codes = new Map<string, CodeEntry>();
  const refreshTokens = new Map<string, RefreshEntry>();
  const accessTokens = new Map<string, AccessEntry>();
  const issued: string[] = [];
  const calls: FakeXeroCalls = { authorize: 0, token: 0, revocation: 0, connections: 0, byGrant: {} };
  const failures: TokenFailureMode[] = [];
  let clockOffset = 0;
  let denyNext = false;
  let nextSelection: readonly string[] | null = null;
  let nextUser = 'sandbox-user';
  const now = (): number => Date.now() + clockOffset;
  const random = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

  const newGrant = (clientId: string, tenantIds: Iterable<string>, userId = 'sandbox-user'): Grant => {
    const grant: Grant = {
      id: randomUUID(),
      clientId,
      userId,
      tenantIds: new Set(tenantIds),
      createdAt: now(),
      revoked: false,
    };
    grants.set(grant.id, grant);
    return grant;
  };

  const issueTokens = (grant: Grant, scope: string, withRefresh: boolean): Record<string, unknown> => {
    // Shaped like Xero's JWT access tokens (header.claims.signature) so clients can read authentication_event_id.
    const claims = { authentication_event_id: grant.id, xero_userid: grant.userId, jti: random('') };
    const accessToken = `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json(claims)}.${random('fake-at-')}`;
    accessTokens.set(accessToken, { grantId: grant.id, expiresAt: now() + accessTtlMs });
    issued.push(accessToken);
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: Math.round(accessTtlMs / 1000),
      token_type: 'Bearer',
      scope,
    };
    if (withRefresh) {
      const refreshToken = random('fake-rt-');
      refreshTokens.set(refreshToken, { grantId: grant.id, scope, issuedAt: now() });
      issued.push(refreshToken);
      body.refresh_token = refreshToken;
    }
    if (scope.split(' ').includes('openid')) {
      const idToken = random('fake-id-');
      issued.push(idToken);
      body.id_token = idToken;
    }
    return body;
  };

  const clientFromBasic = (req: IncomingMessage): FakeXeroClient | undefined => {
    const match = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    return options.clients.find((c) => c.clientId === id && c.secret === secret);
  };

  const handleAuthorize = (url: URL, res: ServerResponse): void => {
    calls.authorize += 1;
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    const state = q.get('state');
    if (!options.clients.some((c) => c.clientId === clientId)) return text(res, 400, 'unknown client_id');
    if (q.get('response_type') !== 'code') return text(res, 400, 'response_type must be code');
    const challenge = q.get('code_challenge') ?? undefined;
    // Xero supports only S256 (https://developer.xero.com/documentation/guides/oauth2/pkce-flow).
    if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') {
      return text(res, 400, 'code_challenge_method must be S256');
    }
    if (!/^https?:\/\//.test(redirectUri)) return text(res, 400, 'redirect_uri is required');
    if (!(q.get('scope') ?? '').trim()) return text(res, 400, 'scope is required');
    const back = new URL(redirectUri);
    if (state !== null) back.searchParams.set('state', state);
    if (denyNext) {
      denyNext = false;
      back.searchParams.set('error', 'access_denied');
      return redirect(res, back.toString());
    }
    const selected = nextSelection ?? [...tenants.keys()];
    nextSelection = null;
    const grant = newGrant(
      clientId,
      selected.filter((id) => tenants.has(id)),
      nextUser
    );
    nextUser = 'sandbox-user';
    const code = random('fake-code-');
    codes.set(code, {
      grantId: grant.id,
      clientId,
      redirectUri,
      scope: q.get('scope') ?? '',
      expiresAt: now() + CODE_LIFETIME_MS,
      ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
      used: false,
    });
    back.searchParams.set('code', code);
    redirect(res, back.toString());
  };

  const handleToken = (client: FakeXeroClient, form: URLSearchParams): [number, Record<string, unknown>] => {
    const grantType = form.get('grant_type') ?? '';
    calls.byGrant[grantType] = (calls.byGrant[grantType] ?? 0) + 1;
    const invalidGrant: [number, Record<string, unknown>] = [400, { error: 'invalid_grant' }];
    if (grantType === 'authorization_code') {
      const entry = codes.get(form.get('code') ?? '');
      if (!entry || entry.used || entry.expiresAt <= now() || entry.clientId !== client.clientId) return invalidGrant;
      if (entry.redirectUri !== form.get('redirect_uri')) return invalidGrant;
      if (!pkceMatches(entry.codeChallenge, form.get('code_verifier'))) return invalidGrant;
      entry.used = true;
      const grant = grants.get(entry.grantId);
      if (!grant || grant.revoked) return invalidGrant;
      return [200, issueTokens(grant, entry.scope, entry.scope.split(' ').includes('offline_access'))];
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const entry = refreshTokens.get(token);
      const grant = entry && grants.get(entry.grantId);
      if (!entry || !grant || grant.revoked || grant.clientId !== client.clientId) return invalidGrant;
      if (entry.issuedAt + REFRESH_TOKEN_LIFETIME_MS <= now()) return invalidGrant;
      // A superseded token still works for the grace period, so a lost response can be retried.
      if (entry.supersededAt !== undefined && entry.supersededAt + graceMs <= now()) return invalidGrant;
      if (entry.supersededAt === undefined) entry.supersededAt = now();
      return [200, issueTokens(grant, entry.scope, true)];
    }
    if (grantType === 'client_credentials') {
      // A custom connection is tied to one organisation: the first tenant.
      const first = [...tenants.keys()][0];
      const grant = newGrant(client.clientId, first ? [first] : []);
      return [200, issueTokens(grant, form.get('scope') ?? 'accounting.contacts accounting.invoices', false)];
    }
    return [400, { error: 'unsupported_grant_type' }];
  };

  // Revoking a refresh token removes every connection of that user to the app (Xero's documented behaviour).
  const handleRevocation = (client: FakeXeroClient, form: URLSearchParams): void => {
    const entry = refreshTokens.get(form.get('token') ?? '');
    const grant = entry && grants.get(entry.grantId);
    if (!grant || grant.clientId !== client.clientId) return;
    grants.forEach((g) => {
      if (g.clientId === grant.clientId && g.userId === grant.userId) g.revoked = true;
    });
  };

  const grantOfBearer = (req: IncomingMessage): Grant | undefined => {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const entry = match?.[1] ? accessTokens.get(match[1]) : undefined;
    const grant = entry && grants.get(entry.grantId);
    return entry && grant && !grant.revoked && entry.expiresAt > now() ? grant : undefined;
  };

  /** The user's live connections: per tenant, the latest consent that connected it. */
  const connectionsOf = (user: Grant): Record<string, unknown>[] => {
    const latest = new Map<string, Grant>();
    for (const g of grants.values()) {
      if (g.revoked || g.clientId !== user.clientId || g.userId !== user.userId) continue;
      for (const id of g.tenantIds) if ((latest.get(id)?.createdAt ?? -1) <= g.createdAt) latest.set(id, g);
    }
    return [...latest.entries()].flatMap(([tenantId, g]) => {
      const t = tenants.get(tenantId);
      if (!t) return [];
      const created = new Date(g.createdAt).toISOString();
      return [
        {
          id: `conn-${g.id.slice(0, 8)}-${t.tenantId}`,
          authEventId: g.id,
          tenantId: t.tenantId,
          tenantType: t.tenantType ?? 'ORGANISATION',
          tenantName: t.tenantName,
          createdDateUtc: created,
          updatedDateUtc: created,
        },
      ];
    });
  };

  const handleConnections = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    calls.connections += 1;
    const grant = grantOfBearer(req);
    if (!grant) return json(res, 401, { Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired or invalid' });
    const authEventId = url.searchParams.get('authEventId');
    json(
      res,
      200,
      connectionsOf(grant).filter((c) => authEventId === null || c.authEventId === authEventId)
    );
  };

  const handleDeleteConnection = (req: IncomingMessage, res: ServerResponse, connectionId: string): void => {
    const grant = grantOfBearer(req);
    if (!grant) return json(res, 401, { Title: 'Unauthorized', Status: 401 });
    const connection = connectionsOf(grant).find((c) => c.id === connectionId);
    if (!connection) return json(res, 404, { Title: 'Not Found', Status: 404 });
    grants.forEach((g) => {
      if (g.userId === grant.userId) g.tenantIds.delete(String(connection.tenantId));
    });
    res.writeHead(204);
    res.end();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /identity/connect/authorize') return handleAuthorize(url, res);
    if (route === 'GET /connections') return handleConnections(req, res, url);
    if (req.method === 'DELETE' && url.pathname.startsWith('/connections/')) {
      return handleDeleteConnection(req, res, decodeURIComponent(url.pathname.slice('/connections/'.length)));
    }
    if (route !== 'POST /connect/token' && route !== 'POST /connect/revocation') return text(res, 404, 'not found');
    readForm(req)
      .then((form) => {
        const client = clientFromBasic(req);
        if (route === 'POST /connect/revocation') {
          calls.revocation += 1;
          if (!client) return json(res, 401, { error: 'invalid_client' });
          handleRevocation(client, form);
          return text(res, 200, '');
        }
        calls.token += 1;
        const failure = failures.shift();
        if (failure === 'hang') return; // never answered; closed by close()
        if (failure === '5xx') return json(res, 503, { error: 'temporarily_unavailable' });
        // The client is authenticated before the grant is looked at (RFC 6749 §5.2: invalid_client, 401), so a
        // made-up refresh token with good credentials gets invalid_grant: `connector setup` tells the two apart.
        if (!client) return json(res, 401, { error: 'invalid_client' });
        if (!/application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
          return json(res, 400, { error: 'invalid_request' });
        }
        const [status, body] = handleToken(client, form);
        if (failure === 'lose-response') return; // processed (tokens rotated), answer lost
        json(res, status, body);
      })
      .catch(() => text(res, 400, 'bad request'));
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const knobs: FakeXeroIdentityKnobs = {
    calls,
    revokeAll: () => grants.forEach((g) => (g.revoked = true)),
    failNextTokenCalls: (count, mode) => {
      for (let i = 0; i < count; i += 1) failures.push(mode);
    },
    removeTenant: (tenantId) => grants.forEach((g) => g.tenantIds.delete(tenantId)),
    advanceClock: (ms) => {
      clockOffset += ms;
    },
    denyNextConsent: () => {
      denyNext = true;
    },
    selectTenantsForNextConsent: (ids) => {
      nextSelection = [...ids];
    },
    consentAsUser: (userId) => {
      nextUser = userId;
    },
    issuedSecrets: () => [...issued],
    activeRefreshTokens: () =>
      [...refreshTokens.entries()]
        .filter(([, e]) => e.supersededAt === undefined && grants.get(e.grantId)?.revoked === false)
        .map(([token]) => token),
  };

  return {
    url: `http://127.0.0.1:${port}`,
    knobs,
    isValidAccessToken: (token: string) => {
      const entry = accessTokens.get(token);
      const grant = entry && grants.get(entry.grantId);
      return Boolean(entry && grant && !grant.revoked && entry.expiresAt > now());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the stored challenge; the verifier is 43–128 chars. */
function pkceMatches(challenge: string | undefined, verifier: string | null): boolean {
  if (challenge === undefined) return true;
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  return createHash('sha256').update(verifier, 'ascii').digest('base64url') === challenge;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}
