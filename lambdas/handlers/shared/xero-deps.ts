/** Xero access for workers: a cached token from the token function, one rate limiter shared by sync and write-back. */
import { createXeroGateway } from '../../adapters/xero/xero-gateway';
import { XeroKeyIndex } from '../../core/sync/xero-key-index';
import { TokenServiceAccessProvider } from '../../core/connection/worker-access-provider';
import { TenantRateLimiter } from '../../core/rate-limit/tenant-rate-limiter';
import { clock, once } from './aws-clients';
import { tokenServiceClient } from './token-deps';
import { loggerPort } from './powertools';

export const xeroAccess = once(() => new TokenServiceAccessProvider(tokenServiceClient(), clock));
export const xeroLimiter = once(
  () => new TenantRateLimiter({ clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) })
);
export const xeroGateway = once(() =>
  createXeroGateway({
    access: xeroAccess(),
    apiUrl: process.env.XERO_API_URL,
    limiter: xeroLimiter(),
    logger: loggerPort,
    clock,
  })
);

/** One key index per container: bulk runs of new records skip per-batch lookups (core/sync/xero-key-index.ts). */
export const xeroKeyIndex = once(() => new XeroKeyIndex({ lister: xeroGateway(), clock, logger: loggerPort }));
