/**
 * Xero access for workers: a cached token from the token function, and one Xero budget per tenant shared by every
 * function that calls Xero (post, write-back, reconcile), kept in DynamoDB (adapters/aws/dynamodb-xero-budget.ts).
 */
import { createXeroGateway } from '../../adapters/xero/xero-gateway';
import { XeroKeyIndex } from '../../core/sync/xero-key-index';
import { TokenServiceAccessProvider } from '../../core/connection/worker-access-provider';
import { createDynamoDbXeroBudget } from '../../adapters/aws/dynamodb-xero-budget';
import { DynamoDbAppCallCounter } from '../../adapters/aws/dynamodb-app-call-counter';
import { AppWideCallBudget } from '../../core/rate-limit/app-wide-budget';
import { DynamoDbSharedReads } from '../../adapters/aws/dynamodb-shared-reads';
import { shareXeroReads } from '../../core/sync/shared-xero-reads';
import type { XeroAccessProvider } from '../../core/ports';
import { clock, dynamo, once } from './aws-clients';
import type { EnvReader } from './env';
import { tokenServiceClient } from './token-deps';
import { loggerPort } from './powertools';
import { accessForTenant, perTenant } from '../../core/routing/tenant-access';

/** What a Xero caller is given: the token function, Xero's URL and the table of the tenant's shared Xero budget. */
export type XeroEnv = EnvReader<'TOKEN_FUNCTION_NAME' | 'XERO_API_URL' | 'XERO_BUDGET_TABLE'>;

export const xeroAccess = once(
  (env: EnvReader<'TOKEN_FUNCTION_NAME'>) => new TokenServiceAccessProvider(tokenServiceClient(env), clock)
);
/** Left of an invocation after the last wait for the budget: one Xero call (20 s timeout) and settling the batch. */
const XERO_DEADLINE_RESERVE_MS = 30_000;
/** One invocation at a time per container, so one deadline. */
let invocationDeadline: number | undefined;

/** Wraps a handler so that waits for the tenant's Xero budget end in time to give the work back, never time out. */
export function withXeroDeadline<E, R>(
  handler: (event: E) => Promise<R>
): (event: E, context?: { getRemainingTimeInMillis?: () => number }) => Promise<R> {
  return (event, context) => {
    const remaining = context?.getRemainingTimeInMillis?.();
    invocationDeadline =
      remaining === undefined ? undefined : clock.now().getTime() + remaining - XERO_DEADLINE_RESERVE_MS;
    return handler(event);
  };
}

/** Each organisation's own budget, inside the app-wide 10,000 calls a minute across all of them. */
export const xeroLimiter = once(
  (env: EnvReader<'XERO_BUDGET_TABLE'>) =>
    new AppWideCallBudget(
      createDynamoDbXeroBudget({
        client: dynamo(),
        tableName: env.require('XERO_BUDGET_TABLE'),
        clock,
        logger: loggerPort,
        deadline: () => invocationDeadline,
      }),
      {
        counter: new DynamoDbAppCallCounter(dynamo(), env.require('XERO_BUDGET_TABLE')),
        clock,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      }
    )
);
/** A gateway for one organisation whose organisation read and key listings are shared by every container. */
function sharedGateway(env: XeroEnv, access: XeroAccessProvider) {
  // The organisation and key listings are read once for the tenant, not once per container (shared-xero-reads.ts).
  return shareXeroReads(
    createXeroGateway({ access, apiUrl: env.require('XERO_API_URL'), limiter: xeroLimiter(env), logger: loggerPort, clock }),
    new DynamoDbSharedReads({
      client: dynamo(),
      tableName: env.require('XERO_BUDGET_TABLE'),
      tenantId: async () => (await access.getAccess()).tenantId,
      clock,
      logger: loggerPort,
    }),
    clock
  );
}

export const xeroGateway = once((env: XeroEnv) => sharedGateway(env, xeroAccess(env)));

/** One key index per container: bulk runs of new records skip per-batch lookups (core/sync/xero-key-index.ts). */
export const xeroKeyIndex = once(
  (env: XeroEnv) => new XeroKeyIndex({ lister: xeroGateway(env), clock, logger: loggerPort })
);

/**
 * Routing (several organisations): one gateway per tenant, each counted against its own shared budget (the
 * limiter keys budgets by tenant, adapters/aws/xero-budget-keys.ts); `undefined` is the default gateway.
 */
export const xeroGatewayFor = once((env: XeroEnv) =>
  perTenant((tenantId) =>
    tenantId === undefined ? xeroGateway(env) : sharedGateway(env, accessForTenant(xeroAccess(env), tenantId))
  )
);
export const xeroKeyIndexFor = once((env: XeroEnv) =>
  perTenant((tenantId) =>
    tenantId === undefined
      ? xeroKeyIndex(env)
      : new XeroKeyIndex({ lister: xeroGatewayFor(env)(tenantId), clock, logger: loggerPort })
  )
);
