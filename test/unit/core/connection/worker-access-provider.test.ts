import { ReconnectRequiredError } from '../../../../lambdas/core/errors';
import type { TokenServiceClient } from '../../../../lambdas/core/connection/ports';
import type { AccessGrant } from '../../../../lambdas/core/connection/types';
import { TokenServiceAccessProvider } from '../../../../lambdas/core/connection/worker-access-provider';
import { accessForTenant } from '../../../../lambdas/core/routing/tenant-access';
import { ManualClock } from './test-helpers';

class CountingTokenService implements TokenServiceClient {
  calls = 0;
  failWith: Error | null = null;
  constructor(private readonly clock: ManualClock) {}
  async getAccess(): Promise<AccessGrant> {
    this.calls += 1;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failWith) throw this.failWith;
    return {
      accessToken: `token-${this.calls}`,
      tenantId: 'tenant-1',
      expiresAt: new Date(this.clock.now().getTime() + 30 * 60_000).toISOString(),
    };
  }
}

describe('TokenServiceAccessProvider', () => {
  it('should ask the token service once for many concurrent workers and cache the answer', async () => {
    const clock = new ManualClock();
    const service = new CountingTokenService(clock);
    const provider = new TokenServiceAccessProvider(service, clock);
    const results = await Promise.all(Array.from({ length: 20 }, () => provider.getAccess()));
    expect(service.calls).toBe(1);
    expect(results.every((r) => r.accessToken === 'token-1' && r.tenantId === 'tenant-1')).toBe(true);
    await provider.getAccess();
    expect(service.calls).toBe(1);
  });

  it('should ask again when the cached token nears expiry', async () => {
    const clock = new ManualClock();
    const service = new CountingTokenService(clock);
    const provider = new TokenServiceAccessProvider(service, clock, 180);
    await provider.getAccess();
    clock.advance(28 * 60_000);
    await expect(provider.getAccess()).resolves.toMatchObject({ accessToken: 'token-2' });
  });

  it('should pass ReconnectRequiredError through so syncing pauses', async () => {
    const clock = new ManualClock();
    const service = new CountingTokenService(clock);
    service.failWith = new ReconnectRequiredError('reconnect', 'invalid_grant');
    const provider = new TokenServiceAccessProvider(service, clock);
    await expect(provider.getAccess()).rejects.toBeInstanceOf(ReconnectRequiredError);
  });
});

describe('TokenServiceAccessProvider with several organisations', () => {
  /** A token service where tenant-b was disconnected in Xero. */
  class TwoOrgTokenService implements TokenServiceClient {
    readonly asked: (string | undefined)[] = [];
    constructor(private readonly clock: ManualClock) {}
    async getAccess(tenantId?: string): Promise<AccessGrant> {
      this.asked.push(tenantId);
      if (tenantId === 'tenant-b') throw new ReconnectRequiredError('tenant-b removed', 'tenant_removed', 'tenant-b');
      return {
        accessToken: 'token',
        tenantId: tenantId ?? 'tenant-a',
        expiresAt: new Date(this.clock.now().getTime() + 30 * 60_000).toISOString(),
      };
    }
  }

  it('should ask and cache per organisation, and pass a paused organisation on without touching the others', async () => {
    const clock = new ManualClock();
    const service = new TwoOrgTokenService(clock);
    const provider = new TokenServiceAccessProvider(service, clock);
    await expect(provider.getAccess()).resolves.toEqual({ accessToken: 'token', tenantId: 'tenant-a' });
    await expect(provider.getAccess('tenant-c')).resolves.toEqual({ accessToken: 'token', tenantId: 'tenant-c' });
    await expect(provider.getAccess('tenant-b')).rejects.toMatchObject({ tenantId: 'tenant-b' });
    await provider.getAccess();
    await provider.getAccess('tenant-c');
    expect(service.asked).toEqual([undefined, 'tenant-c', 'tenant-b']);
  });

  it('should bind a provider to one organisation for a gateway built for it', async () => {
    const clock = new ManualClock();
    const service = new TwoOrgTokenService(clock);
    const bound = accessForTenant(new TokenServiceAccessProvider(service, clock), 'tenant-c');
    await expect(bound.getAccess()).resolves.toEqual({ accessToken: 'token', tenantId: 'tenant-c' });
    expect(service.asked).toEqual(['tenant-c']);
  });
});
