import { ReconnectRequiredError } from '../../../../lambdas/core/errors';
import { InMemoryConnectionStore } from '../../../../lambdas/core/connection/memory-stores';
import type { IdentityClient } from '../../../../lambdas/core/connection/ports';
import { TokenService } from '../../../../lambdas/core/connection/token-service';
import type { StoredConnection, TokenSet, XeroTenantConnection } from '../../../../lambdas/core/connection/types';
import { CapturingLogger, ManualClock } from './test-helpers';

const ALPHA: XeroTenantConnection = { id: 'c-a', tenantId: 'tenant-a', tenantName: 'Alpha Ltd', tenantType: 'ORG' };
const BETA: XeroTenantConnection = { id: 'c-b', tenantId: 'tenant-b', tenantName: 'Beta Ltd', tenantType: 'ORG' };

/** Xero's identity server for one user who connected two organisations; `refusal` makes refreshes fail for good. */
class TwoOrgIdentity implements IdentityClient {
  tenants: XeroTenantConnection[] = [ALPHA, BETA];
  refusal = false;
  refreshes = 0;
  constructor(private readonly clock: ManualClock) {}
  async exchangeCode(): Promise<TokenSet> {
    return this.tokens();
  }
  async refresh(): Promise<TokenSet> {
    this.refreshes += 1;
    if (this.refusal) throw new ReconnectRequiredError('invalid_grant', 'invalid_grant');
    return this.tokens();
  }
  async clientCredentials(): Promise<TokenSet> {
    return this.tokens();
  }
  async revoke(): Promise<void> {}
  async listConnections(): Promise<XeroTenantConnection[]> {
    return this.tenants;
  }
  private tokens(): TokenSet {
    return {
      accessToken: `access-${this.refreshes}`,
      refreshToken: `refresh-${this.refreshes}`,
      expiresAt: new Date(this.clock.now().getTime() + 1800_000).toISOString(),
      scope: 'offline_access',
    };
  }
}

function twoOrgs(clock: ManualClock, expiresInMs: number): StoredConnection {
  const now = clock.now().toISOString();
  return {
    connection: {
      tenantId: 'tenant-a',
      tenantName: 'Alpha Ltd',
      tenants: [
        { tenantId: 'tenant-a', tenantName: 'Alpha Ltd', state: 'connected' },
        { tenantId: 'tenant-b', tenantName: 'Beta Ltd', state: 'connected' },
      ],
      connectedAt: now,
      refreshedAt: now,
      refreshTokenIssuedAt: now,
      state: 'connected',
    },
    tokens: {
      accessToken: 'access-0',
      refreshToken: 'refresh-0',
      expiresAt: new Date(clock.now().getTime() + expiresInMs).toISOString(),
      scope: 'offline_access',
    },
  };
}

async function setup(expiresInMs = 60_000) {
  const clock = new ManualClock();
  const identity = new TwoOrgIdentity(clock);
  const store = new InMemoryConnectionStore();
  await store.save(twoOrgs(clock, expiresInMs));
  const logger = new CapturingLogger();
  const service = new TokenService({ store, identity, clock, logger, sleep: async () => undefined });
  return { clock, identity, store, logger, service };
}

async function reconnectOf(promise: Promise<unknown>): Promise<ReconnectRequiredError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(ReconnectRequiredError);
  return error as ReconnectRequiredError;
}

describe('TokenService with several organisations', () => {
  it('should hand out the one token set for each chosen organisation, the default first', async () => {
    const { service, identity } = await setup(25 * 60_000);
    await expect(service.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-a', accessToken: 'access-0' });
    await expect(service.getAccess('tenant-b')).resolves.toMatchObject({
      tenantId: 'tenant-b',
      accessToken: 'access-0',
    });
    expect(identity.refreshes).toBe(0);
  });

  it('should refuse an organisation that was not chosen, naming it, without pausing the others', async () => {
    const { service } = await setup(25 * 60_000);
    const error = await reconnectOf(service.getAccess('tenant-c'));
    expect(error).toMatchObject({ tenantId: 'tenant-c', reason: 'tenant_not_chosen' });
    await expect(service.getAccess('tenant-b')).resolves.toMatchObject({ tenantId: 'tenant-b' });
  });

  it('should pause only an organisation removed from Xero, and resume it with a consent that includes it', async () => {
    const { clock, service, identity } = await setup();
    identity.tenants = [ALPHA];
    await expect(service.getAccess('tenant-a')).resolves.toMatchObject({ tenantId: 'tenant-a' });
    const error = await reconnectOf(service.getAccess('tenant-b'));
    expect(error).toMatchObject({ tenantId: 'tenant-b', reason: 'tenant_removed' });
    const status = await service.status();
    expect(status.state).toBe('connected');
    expect(status.organisations).toEqual([
      { tenantId: 'tenant-a', tenantName: 'Alpha Ltd', state: 'connected' },
      { tenantId: 'tenant-b', tenantName: 'Beta Ltd', state: 'reconnect_required', reason: 'tenant_removed' },
    ]);

    await service.adopt(twoOrgs(clock, 1800_000));
    await expect(service.getAccess('tenant-b')).resolves.toMatchObject({ tenantId: 'tenant-b' });
  });

  it('should pause the whole connection when every chosen organisation was removed', async () => {
    const { service, identity } = await setup();
    identity.tenants = [];
    const error = await reconnectOf(service.getAccess('tenant-a'));
    expect(error.reason).toBe('tenant_removed');
    expect((await service.status()).state).toBe('reconnect_required');
  });

  it('should pause every organisation when the refresh token is revoked (invalid_grant)', async () => {
    const { service, identity } = await setup();
    identity.refusal = true;
    const error = await reconnectOf(service.getAccess('tenant-b'));
    expect(error).toMatchObject({ reason: 'invalid_grant', tenantId: undefined });
    await expect(service.getAccess('tenant-a')).rejects.toMatchObject({ reason: 'invalid_grant' });
    expect((await service.status()).organisations?.map((o) => o.state)).toEqual([
      'reconnect_required',
      'reconnect_required',
    ]);
  });

  it('should pause one organisation when told so for it alone', async () => {
    const { service } = await setup(25 * 60_000);
    await service.getAccess('tenant-b');
    await service.markReconnect('forbidden', 'tenant-b');
    await expect(service.getAccess('tenant-b')).rejects.toMatchObject({ tenantId: 'tenant-b', reason: 'forbidden' });
    await expect(service.getAccess('tenant-a')).resolves.toMatchObject({ tenantId: 'tenant-a' });
  });

  it('should serve a connection stored before several organisations as its one organisation', async () => {
    const { clock, store, service } = await setup(25 * 60_000);
    const { tenants: _ignored, ...single } = twoOrgs(clock, 25 * 60_000).connection;
    await store.save({ ...twoOrgs(clock, 25 * 60_000), connection: single });
    await expect(service.getAccess()).resolves.toMatchObject({ tenantId: 'tenant-a' });
    await expect(service.getAccess('tenant-b')).rejects.toMatchObject({ tenantId: 'tenant-b' });
    expect((await service.status()).organisations).toEqual([
      { tenantId: 'tenant-a', tenantName: 'Alpha Ltd', state: 'connected' },
    ]);
  });
});
