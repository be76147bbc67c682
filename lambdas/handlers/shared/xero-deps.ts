/** Xero access for workers: a cached token from the token function, one rate limiter shared by sync and write-back. */
import { LambdaTokenServiceClient } from '../../adapters/aws/lambda-token-service-client';
import { createXeroGateway } from '../../adapters/xero/xero-gateway';
import { TokenServiceAccessProvider } from '../../core/connection/worker-access-provider';
import { TenantRateLimiter } from '../../core/rate-limit/tenant-rate-limiter';
import { clock, lambda, once, requireEnv } from './aws-clients';
import { loggerPort } from './powertools';

export const tokenServiceClient = once(() => new LambdaTokenServiceClient(lambda(), requireEnv('TOKEN_FUNCTION_NAME')));
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
