/**
 * XeroAccessProvider for workers: a cached token, and a call to the token service when it nears expiry.
 * Workers never refresh themselves; concurrent callers in one process share one request to the token service.
 */
import type { Clock, XeroAccessProvider } from '../ports';
import type { TokenServiceClient } from './ports';
import type { AccessGrant } from './types';

export class TokenServiceAccessProvider implements XeroAccessProvider {
  private cached: AccessGrant | null = null;
  private inflight: Promise<AccessGrant> | null = null;

  constructor(
    private readonly tokenService: TokenServiceClient,
    private readonly clock: Clock,
    /** Ask again when fewer than this many seconds remain (below the token service's own margin). */
    private readonly marginSeconds = 180
  ) {}

  async getAccess(): Promise<{ readonly accessToken: string; readonly tenantId: string }> {
    const cached = this.cached;
    if (cached && Date.parse(cached.expiresAt) - this.clock.now().getTime() > this.marginSeconds * 1000) {
      return { accessToken: cached.accessToken, tenantId: cached.tenantId };
    }
    if (!this.inflight) {
      this.inflight = this.tokenService.getAccess().finally(() => {
        this.inflight = null;
      });
    }
    try {
      const grant = await this.inflight;
      this.cached = grant;
      return { accessToken: grant.accessToken, tenantId: grant.tenantId };
    } catch (error) {
      this.cached = null;
      throw error;
    }
  }

  /** Drop the cached token (e.g. after Xero answered 401 to it). */
  forget(): void {
    this.cached = null;
  }

  /** Xero refused a freshly issued token: the token service decides (it marks the connection reconnect-required). */
  async reportRejected(reason: string): Promise<void> {
    this.cached = null;
    await this.tokenService.reportRejected?.(reason);
  }
}

/** TokenServiceClient for the one-machine runtime: the token service lives in the same process. */
export class InProcessTokenServiceClient implements TokenServiceClient {
  constructor(private readonly service: TokenServiceClient) {}
  getAccess(): Promise<AccessGrant> {
    return this.service.getAccess();
  }
  async reportRejected(reason: string): Promise<void> {
    await this.service.reportRejected?.(reason);
  }
}
