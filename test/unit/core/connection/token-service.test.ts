import { ReconnectRequiredError, TransientError } from '../../../../lambdas/core/errors';
import { InMemoryConnectionStore } from '../../../../lambdas/core/connection/memory-stores';
import type { IdentityClient } from '../../../../lambdas/core/connection/ports';
import { TokenService } from '../../../../lambdas/core/connection/token-service';
import type { StoredConnection, TokenSet, XeroTenantConnection } from '../../../../lambdas/core/connection/types';
import { CapturingLogger, ManualClock, expectNoSecrets } from './test-helpers';

type Behaviour = 'ok' | 'timeout' | 'invalid_grant';

/** An IdentityClient that follows a script and records every call. */
class ScriptedIdentity implements IdentityClient {
  readonly refreshCalls: string[] = [];
  readonly revoked: string[] = [];
  clientCredentialCalls = 0;
  clientCredentialsRefused = false;
  script: Behaviour[] = [];
  tenants: XeroTenantConnection[] = [{ id: 'c1', tenantId: 'tenant-1', tenantName: 'Demo Ltd', tenantType: 'ORG' }];
  private issued = 0;
  readonly secrets: string[] = [];

  constructor(private readonly clock: ManualClock) {}

  async exchangeCode(): Promise<TokenSet> {
    return this.tokens(true);
  }
  async refresh(refreshToken: string): Promise<TokenSet> {
    this.refreshCalls.push(refreshToken);
    await new Promise((resolve) => setImmediate(resolve));
    const behaviour = this.script.shift() ?? 'ok';
    if (behaviour === 'timeout') throw new TransientError('Xero refresh_token timed out', 'XERO_IDENTITY_TIMEOUT');
    if (behaviour === 'invalid_grant') throw new ReconnectRequiredError('invalid_grant', 'invalid_grant');
    return this.tokens(true);
  }
  async clientCredentials(): Promise<TokenSet> {
    this.clientCredentialCalls += 1;
    if (this.clientCredentialsRefused) throw new ReconnectRequiredError('invalid_client', 'invalid_client');
    return this.tokens(false);
  }
  async revoke(refreshToken: string): Promise<void> {
    this.revoked.push(refreshToken);
  }
  async listConnections(): Promise<XeroTenantConnection[]> {
    return this.tenants;
  }
  tokens(withRefresh: boolean): TokenSet {
    this.issued += 1;
    const accessToken = `access-token-${this.issued}-secret`;
    const refreshToken = `refresh-token-${this.issued}-secret`;
    this.secrets.push(accessToken, refreshToken);
    return {
      accessToken,
      ...(withRefresh ? { refreshToken } : {}),
      expiresAt: new Date(this.clock.now().getTime() + 1800_000).toISOString(),
      scope: 'offline_access accounting.contacts',
    };
  }
}

function connected(clock: ManualClock, expiresInMs: number, refreshToken = 'refresh-token-0-secret'): StoredConnection {
  const now = clock.now().toISOString();
  return {
    connection: {
      tenantId: 'tenant-1',
      tenantName: 'Demo Ltd',
      connectedAt: now,
      refreshedAt: now,
      refreshTokenIssuedAt: now,
      state: 'connected',
    },
    tokens: {
      accessToken: 'access-token-0-secret',
      refreshToken,
      expiresAt: new Date(clock.now().getTime() + expiresInMs).toISOString(),
      scope: 'offline_access',
    },
  };
}

async function setup(expiresInMs = 60_000) {
  const clock = new ManualClock();
  const identity = new ScriptedIdentity(clock);
  const store = new InMemoryConnectionStore();
  await store.save(connected(clock, expiresInMs));
  const logger = new CapturingLogger();
  const service = new TokenService({ store, identity, clock, logger, sleep: async () => undefined });
  return { clock, identity, store, logger, service };
}

describe('TokenService', () => {
  it('should refresh exactly once for 20 concurrent callers and hand all of them the new token', async () => {
    const { identity, store, service } = await setup();
    const grants = await Promise.all(Array.from({ length: 20 }, () => service.getAccess()));
    expect(identity.refreshCalls).toEqual(['refresh-token-0-secret']);
    expect(new Set(grants.map((g) => g.accessToken))).toEqual(new Set(['access-token-1-secret']));
    expect((await store.load())?.tokens.refreshToken).toBe('refresh-token-1-secret');
  });

  it('should serve a token far from expiry without calling Xero', async () => {
    const { identity, service } = await setup(25 * 60_000);
    await expect(service.getAccess()).resolves.toMatchObject({ accessToken: 'access-token-0-secret' });
    expect(identity.refreshCalls).toHaveLength(0);
  });

  it('should retry a timed-out refresh with the same old refresh token and stay connected', async () => {
    const { identity, store, service } = await setup();
    identity.script = ['timeout', 'ok'];
    await expect(service.getAccess()).resolves.toMatchObject({ accessToken: 'access-token-1-secret' });
    expect(identity.refreshCalls).toEqual(['refresh-token-0-secret', 'refresh-token-0-secret']);
    expect((await store.load())?.connection.state).toBe('connected');
  });

  it('should never turn timeouts into reconnect_required, and bound the attempts', async () => {
    const { identity, store, service } = await setup();
    identity.script = ['timeout', 'timeout', 'timeout', 'timeout'];
    await expect(service.getAccess()).rejects.toBeInstanceOf(TransientError);
    expect(identity.refreshCalls).toHaveLength(3);
    const stored = await store.load();
    expect(stored?.connection.state).toBe('connected');
    expect(stored?.tokens.refreshToken).toBe('refresh-token-0-secret');
  });

  it('should stop calling Xero after invalid_grant until a new consent is adopted', async () => {
    const { clock, identity, store, service } = await setup();
    identity.script = ['invalid_grant'];
    await expect(service.getAccess()).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect((await store.load())?.connection).toMatchObject({ state: 'reconnect_required', reason: 'invalid_grant' });

    for (let i = 0; i < 5; i += 1) {
      await expect(service.getAccess()).rejects.toMatchObject({ reason: 'invalid_grant' });
    }
    await expect(service.refreshIfDue()).resolves.toBe('reconnect_required');
    expect(identity.refreshCalls).toHaveLength(1);
    await expect(service.status()).resolves.toMatchObject({
      state: 'reconnect_required',
      reason: 'invalid_grant',
      nextStep: expect.stringContaining('/oauth/xero/connect'),
    });

    await service.adopt(connected(clock, 29 * 60_000, 'refresh-token-new-secret'));
    await expect(service.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-1' });
    await expect(service.status()).resolves.toMatchObject({ state: 'connected' });
  });

  it('should not hand out a new token it could not store, and retry with the old refresh token next time', async () => {
    const { identity, store, service } = await setup();
    const realSave = store.save.bind(store);
    let failSaves = 3;
    store.save = async (record) => {
      if (failSaves > 0) {
        failSaves -= 1;
        throw new Error('disk full');
      }
      await realSave(record);
    };
    await expect(service.getAccess()).rejects.toMatchObject({ code: 'TOKEN_STORE' });
    expect((await store.load())?.tokens.refreshToken).toBe('refresh-token-0-secret');

    await expect(service.getAccess()).resolves.toMatchObject({ accessToken: 'access-token-2-secret' });
    expect(identity.refreshCalls).toEqual(['refresh-token-0-secret', 'refresh-token-0-secret']);
  });

  it('should refresh proactively only when the access token is within the proactive margin', async () => {
    const { clock, identity, service } = await setup(29 * 60_000);
    await expect(service.refreshIfDue()).resolves.toBe('not_due');
    clock.advance(16 * 60_000);
    await expect(service.refreshIfDue()).resolves.toBe('refreshed');
    expect(identity.refreshCalls).toHaveLength(1);
    await expect(service.refreshIfDue()).resolves.toBe('not_due');
  });

  it('should report reconnect_required from the schedule when Xero refuses the refresh', async () => {
    const { clock, identity, store, service } = await setup(29 * 60_000);
    identity.script = ['invalid_grant'];
    clock.advance(20 * 60_000);
    await expect(service.refreshIfDue()).resolves.toBe('reconnect_required');
    expect((await store.load())?.connection.reason).toBe('invalid_grant');
    identity.script = ['timeout', 'timeout', 'timeout'];
    await expect(service.refreshIfDue()).resolves.toBe('reconnect_required');
    expect(identity.refreshCalls).toHaveLength(1);
  });

  it('should report the refresh-token age and reset it on refresh', async () => {
    const { clock, service } = await setup(29 * 60_000);
    clock.advance(20 * 60_000);
    await expect(service.status()).resolves.toMatchObject({ refreshTokenAgeSeconds: 1200 });
    await service.refreshIfDue();
    await expect(service.status()).resolves.toMatchObject({ refreshTokenAgeSeconds: 0, state: 'connected' });
  });

  it('should ask for reconnecting when the tenant was removed', async () => {
    const { identity, store, service } = await setup();
    identity.tenants = [];
    await expect(service.getAccess()).rejects.toMatchObject({ reason: 'tenant_removed' });
    expect((await store.load())?.connection).toMatchObject({ state: 'reconnect_required', reason: 'tenant_removed' });
  });

  it('should keep the default connect URL when the option is passed as undefined (an unset variable)', async () => {
    const clock = new ManualClock();
    const options = { store: new InMemoryConnectionStore(), identity: new ScriptedIdentity(clock), clock };
    const unset = new TokenService({ ...options, logger: new CapturingLogger(), connectUrl: undefined });
    const absolute = new TokenService({
      ...options,
      logger: new CapturingLogger(),
      connectUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/oauth/xero/connect',
    });

    expect((await unset.status()).nextStep).toContain('open /oauth/xero/connect with the admin token');
    expect((await unset.status()).nextStep).not.toContain('undefined');
    expect((await absolute.status()).nextStep).toContain(
      'open https://abc.execute-api.eu-west-1.amazonaws.com/prod/oauth/xero/connect with'
    );
  });

  it('should refuse access before any consent without calling Xero', async () => {
    const { identity, store, service } = await setup();
    await store.clear();
    await expect(service.getAccess()).rejects.toMatchObject({ reason: 'not_connected' });
    await expect(service.refreshIfDue()).resolves.toBe('not_connected');
    expect(identity.refreshCalls).toHaveLength(0);
  });

  it('should revoke the refresh token and forget the connection on disconnect', async () => {
    const { identity, store, service } = await setup();
    await expect(service.disconnect()).resolves.toEqual({ revoked: true });
    expect(identity.revoked).toEqual(['refresh-token-0-secret']);
    await expect(store.load()).resolves.toBeNull();
  });

  it('should mark the connection for reconnecting when told so', async () => {
    const { store, service } = await setup(25 * 60_000);
    await service.getAccess();
    await service.markReconnect('revoked');
    await expect(service.getAccess()).rejects.toMatchObject({ reason: 'revoked' });
    expect((await store.load())?.connection.state).toBe('reconnect_required');
  });

  it('should use client credentials in custom-connection mode, with no refresh token', async () => {
    const clock = new ManualClock();
    const identity = new ScriptedIdentity(clock);
    const store = new InMemoryConnectionStore();
    const service = new TokenService({
      store,
      identity,
      clock,
      logger: new CapturingLogger(),
      authMode: 'custom-connection',
      scopes: ['accounting.contacts'],
    });
    const grants = await Promise.all(Array.from({ length: 5 }, () => service.getAccess()));
    expect(identity.clientCredentialCalls).toBe(1);
    expect(grants[0]).toMatchObject({ tenantId: 'tenant-1' });
    expect((await store.load())?.tokens.refreshToken).toBeUndefined();
    clock.advance(28 * 60_000);
    await service.getAccess();
    expect(identity.clientCredentialCalls).toBe(2);
    expect(identity.refreshCalls).toHaveLength(0);
  });

  it('should stop asking Xero when a custom connection is refused, until disconnect', async () => {
    const clock = new ManualClock();
    const identity = new ScriptedIdentity(clock);
    identity.clientCredentialsRefused = true;
    const service = new TokenService({
      store: new InMemoryConnectionStore(),
      identity,
      clock,
      logger: new CapturingLogger(),
      authMode: 'custom-connection',
    });
    for (let i = 0; i < 3; i += 1) {
      await expect(service.getAccess()).rejects.toMatchObject({ reason: 'invalid_client' });
    }
    expect(identity.clientCredentialCalls).toBe(1);
    identity.clientCredentialsRefused = false;
    await service.disconnect();
    await expect(service.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-1' });
  });

  it('should never log a token', async () => {
    const { identity, logger, service } = await setup();
    identity.script = ['timeout', 'ok', 'invalid_grant'];
    await service.getAccess();
    await service.markReconnect('revoked');
    await service.getAccess().catch(() => undefined);
    expect(logger.lines.length).toBeGreaterThan(0);
    expectNoSecrets(logger.lines, [...identity.secrets, 'refresh-token-0-secret', 'access-token-0-secret']);
  });

  describe('adopting a consent', () => {
    const adopted = (clock: ManualClock, tenantId: string): StoredConnection => ({
      ...connected(clock, 1800_000, 'refresh-token-new-secret'),
      connection: { ...connected(clock, 0).connection, tenantId, tenantName: tenantId },
    });

    it('should not revoke anything when the same organisation is connected again', async () => {
      const { clock, identity, service } = await setup(25 * 60_000);
      await service.adopt(adopted(clock, 'tenant-1'));
      expect(identity.revoked).toEqual([]);
    });

    it('should revoke the replaced grant when another Xero user connected the new organisation', async () => {
      const { clock, identity, store, service } = await setup(25 * 60_000);
      await service.adopt(adopted(clock, 'tenant-2'));
      expect(identity.revoked).toEqual(['refresh-token-0-secret']);
      expect((await store.load())?.connection.tenantId).toBe('tenant-2');
    });

    it('should delete only the old connection when the same Xero user holds both organisations', async () => {
      const { clock, identity, service } = await setup(25 * 60_000);
      const deleted: string[] = [];
      identity.tenants = [
        { id: 'c1', tenantId: 'tenant-1', tenantName: 'Demo Ltd', tenantType: 'ORG' },
        { id: 'c2', tenantId: 'tenant-2', tenantName: 'Next Ltd', tenantType: 'ORG' },
      ];
      Object.assign(identity, { deleteConnection: async (_token: string, id: string) => void deleted.push(id) });
      await service.adopt(adopted(clock, 'tenant-2'));
      expect(deleted).toEqual(['c1']);
      expect(identity.revoked).toEqual([]);
    });

    it('should keep the new connection when revoking the old grant fails', async () => {
      const { clock, identity, store, service, logger } = await setup(25 * 60_000);
      identity.revoke = async () => {
        throw new TransientError('Xero revocation answered 503', 'XERO_IDENTITY_5XX');
      };
      await expect(service.adopt(adopted(clock, 'tenant-2'))).resolves.toBeUndefined();
      expect((await store.load())?.connection.tenantId).toBe('tenant-2');
      expect(logger.lines.some((line) => line.includes('could not be revoked'))).toBe(true);
    });
  });
});
