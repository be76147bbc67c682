import { ReconnectRequiredError } from '../../../../lambdas/core/errors';
import type { TokenServiceClient } from '../../../../lambdas/core/connection/ports';
import type { AccessGrant } from '../../../../lambdas/core/connection/types';
import { TokenServiceAccessProvider } from '../../../../lambdas/core/connection/worker-access-provider';
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
