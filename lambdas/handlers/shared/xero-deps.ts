/** Xero access for workers: a cached token from the token function, one rate limiter shared by sync and write-back. */
import { createXeroGateway } from '../../adapters/xero/xero-gateway';
import { XeroKeyIndex } from '../../core/sync/xero-key-index';
import { TokenServiceAccessProvider } from '../../core/connection/worker-access-provider';
import { TenantRateLimiter } from '../../core/rate-limit/tenant-rate-limiter';
import { clock, once } from './aws-clients';
import type { EnvReader } from './env';
import { tokenServiceClient } from './token-deps';
import { loggerPort } from './powertools';

/** What a Xero caller is given. A shared Xero budget (its table) would be one more name here and in the contract. */
export type XeroEnv = EnvReader<'TOKEN_FUNCTION_NAME' | 'XERO_API_URL'>;

export const xeroAccess = once(
  (env: EnvReader<'TOKEN_FUNCTION_NAME'>) => new TokenServiceAccessProvider(tokenServiceClient(env), clock)
);
export const xeroLimiter = once(
  () => new TenantRateLimiter({ clock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) })
);
export const xeroGateway = once((env: XeroEnv) =>
  createXeroGateway({
    access: xeroAccess(env),
    apiUrl: env.require('XERO_API_URL'),
    limiter: xeroLimiter(),
    logger: loggerPort,
    clock,
  })
);

/** One key index per container: bulk runs of new records skip per-batch lookups (core/sync/xero-key-index.ts). */
export const xeroKeyIndex = once(
  (env: XeroEnv) => new XeroKeyIndex({ lister: xeroGateway(env), clock, logger: loggerPort })
);
