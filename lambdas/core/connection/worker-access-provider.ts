/**
 * XeroAccessProvider for workers: a cached token per organisation, and a call to the token service when it nears
 * expiry. Workers never refresh themselves; concurrent callers in one process share one request per organisation.
 */
import type { Clock, XeroAccessProvider } from '../ports';
import type { TokenServiceClient } from './ports';
import type { AccessGrant } from './types';

type Access = { readonly accessToken: string; readonly tenantId: string };

/** The cache key of the default organisation (a tenant id is never empty). */
const DEFAULT_TENANT = '';

export class TokenServiceAccessProvider implements XeroAccessProvider {
  private readonly cached = new Map<string, AccessGrant>();
  private readonly inflight = new Map<string, Promise<AccessGrant>>();

  constructor(
    private readonly tokenService: TokenServiceClient,
    private readonly clock: Clock,
    /** Ask again when fewer than this many seconds remain (below the token service's own margin). */
    private readonly marginSeconds = 180
  ) {}

  /**
   * A token for `tenantId` (default: the default organisation). An organisation that is not chosen or was
   * disconnected throws ReconnectRequiredError carrying its tenantId, so only its work pauses.
   */
  async getAccess(tenantId?: string): Promise<Access> {
    const key = tenantId ?? DEFAULT_TENANT;
    const cached = this.cached.get(key);
    if (cached && Date.parse(cached.expiresAt) - this.clock.now().getTime() > this.marginSeconds * 1000) {
      return { accessToken: cached.accessToken, tenantId: cached.tenantId };
    }
    let request = this.inflight.get(key);
    if (!request) {
      request = this.tokenService.getAccess(tenantId).finally(() => this.inflight.delete(key));
      this.inflight.set(key, request);
    }
    try {
      const grant = await request;
      this.cached.set(key, grant);
      return { accessToken: grant.accessToken, tenantId: grant.tenantId };
    } catch (error) {
      this.cached.delete(key);
      throw error;
    }
  }

  /** Drop the cached tokens (e.g. after Xero answered 401 to one: they are one token set). */
  forget(): void {
    this.cached.clear();
  }

  /** Xero refused a freshly issued token: the token service decides (it marks the connection reconnect-required). */
  async reportRejected(reason: string, tenantId?: string): Promise<void> {
    this.cached.clear();
    await this.tokenService.reportRejected?.(reason, tenantId);
  }
}

/** TokenServiceClient for the one-machine runtime: the token service lives in the same process. */
export class InProcessTokenServiceClient implements TokenServiceClient {
  constructor(private readonly service: TokenServiceClient) {}
  getAccess(tenantId?: string): Promise<AccessGrant> {
    return this.service.getAccess(tenantId);
  }
  async reportRejected(reason: string, tenantId?: string): Promise<void> {
    await this.service.reportRejected?.(reason, tenantId);
  }
}
