/**
 * The operations function: `connector preview --aws` and `connector backfill --aws` invoke it directly (Lambda
 * Invoke, IAM-authorised; it has no API route). Reserved concurrency 1, so only one backfill runs at a time. A
 * backfill works until the invocation's time runs low, then answers `partial`; the CLI invokes again and the
 * ledger skips what is already queued.
 */
import type { Context } from 'aws-lambda';
import { DynamoDbBackfillLedger } from '../adapters/aws/dynamodb-backfill-ledger';
import { createBackfill } from '../core/backfill/backfill';
import {
  createOperations,
  parseOperationRequest,
  type OperationAnswer,
  type OperationDeps,
} from '../core/operations/operations';
import { createPlanChange } from '../core/sync/plan-change';
import { clock, dynamo } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseReader } from './shared/dataverse-deps';
import { loggerPort } from './shared/powertools';
import { mappingSettings } from './shared/settings';
import { changeQueue, syncState } from './shared/sync-deps';

/**
 * Time kept back when deciding to stop: the slowest step between two checks is one Dataverse page (three attempts
 * of 15 s plus Retry-After waits) and one batch to SQS and the ledger.
 */
export const DEFAULT_RESERVE_MS = 120_000;

/** Xero calls per day the estimate plans against: 5,000 (1,000 on the Starter plan) unless XERO_DAY_BUDGET says. */
export function dayBudgetFrom(env: { readonly XERO_DAY_BUDGET?: string | undefined }): number {
  const value = Number(env.XERO_DAY_BUDGET);
  return Number.isInteger(value) && value > 0 ? value : 5000;
}

export function createHandler(getDeps: () => Promise<OperationDeps>, options: { reserveMs?: number } = {}) {
  const reserveMs = options.reserveMs ?? DEFAULT_RESERVE_MS;
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<OperationAnswer> => {
    const request = parseOperationRequest(event);
    if ('error' in request) {
      loggerPort.warn('operation refused', { reason: request.message });
      return request;
    }
    const operations = createOperations(await getDeps());
    const answer = await operations.run(request, () => context.getRemainingTimeInMillis() < reserveMs);
    loggerPort.info('operation finished', { action: request.action, ...summaryOf(answer) });
    return answer;
  };
}

/** Stable ids and counts only, never the mapped documents. */
function summaryOf(answer: OperationAnswer): Record<string, unknown> {
  if ('error' in answer) return { error: answer.error, message: answer.message };
  if ('state' in answer) return { runId: answer.runId, state: answer.state, progress: answer.progress };
  if ('dryRun' in answer) return { runId: answer.runId, records: answer.estimate.records };
  return { writes: answer.writes.length, forward: answer.forward.length };
}

const env = envFor('operations');
export const handler = createHandler(async () => {
  const reader = dataverseReader(env);
  return {
    planChange: createPlanChange({ reader, state: syncState(env), settings: mappingSettings(env) }),
    backfill: createBackfill({
      lister: reader,
      changes: changeQueue(env),
      ledger: new DynamoDbBackfillLedger(dynamo(), env.require('SYNC_STATE_TABLE'), clock),
      clock,
    }),
    dayBudget: dayBudgetFrom({ XERO_DAY_BUDGET: env.require('XERO_DAY_BUDGET') }),
    clock,
  };
});
