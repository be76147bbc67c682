/**
 * Scheduled (EventBridge Scheduler, every 5 minutes by default): the Dataverse catch-up sweep, then the Xero
 * preflight when it is due (a new connection, or a day since the last check: core/preflight/run-preflight.ts).
 * Publishes SweepMissedChanges (alarmed when non-zero for a while) and SweepFailedTables, and PreflightProblems
 * when the preflight ran.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbChangeSightings } from '../adapters/aws/dynamodb-change-sightings';
import { DynamoDbCheckpointStore } from '../adapters/aws/dynamodb-checkpoint-store';
import { DataverseSweepFinder } from '../adapters/dataverse/dataverse-sweep-finder';
import { dataverseCurrencyCodes } from '../adapters/dataverse/dataverse-currency-codes';
import { XeroAccountingOrganisationReader } from '../adapters/xero/xero-organisation-reader';
import { describeError, ReconnectRequiredError } from '../core/errors';
import type { PreflightReport } from '../core/preflight/preflight-report';
import { createPreflight, preflightIfDue } from '../core/preflight/run-preflight';
import { accessForTenant } from '../core/routing/tenant-access';
import { createSweep } from '../core/sweep/run-sweep';
import type { SweepReport } from '../core/sweep/sweep-report';
import { clock, dynamo } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseTokenSource } from './shared/dataverse-deps';
import { loggerPort, metrics } from './shared/powertools';
import { mappingSettings } from './shared/settings';
import { changeQueue, syncState } from './shared/sync-deps';
import { tokenServiceClient } from './shared/token-deps';
import { xeroAccess, xeroLimiter } from './shared/xero-deps';

export interface SweepHandlerDeps {
  readonly sweep: () => Promise<SweepReport>;
  /** The preflight if it is due, else the stored report; undefined when Xero is not connected. */
  readonly preflightIfDue: () => Promise<PreflightReport | undefined>;
}

export function createHandler(getDeps: () => Promise<SweepHandlerDeps>) {
  return async (): Promise<{ found: number; queued: number; missed: number; preflightOk?: boolean }> => {
    const deps = await getDeps();
    try {
      const report = await deps.sweep();
      metrics.addMetric('SweepMissedChanges', MetricUnit.Count, report.missed);
      metrics.addMetric('SweepFailedTables', MetricUnit.Count, report.tables.filter((t) => t.error).length);
      loggerPort.info('sweep finished', { found: report.found, queued: report.queued, missed: report.missed });
      let preflight: PreflightReport | undefined;
      try {
        preflight = await deps.preflightIfDue();
        if (preflight && !preflight.error)
          metrics.addMetric('PreflightProblems', MetricUnit.Count, preflight.problems.length);
      } catch (error) {
        // The sweep's result stands; the preflight is tried again on the next run.
        loggerPort.warn('preflight not run', { error: describeError(error) });
      }
      return { found: report.found, queued: report.queued, missed: report.missed, preflightOk: preflight?.ok };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

const env = envFor('sweep');
export const handler = createHandler(async () => {
  const table = env.require('SYNC_STATE_TABLE');
  const checkpoints = new DynamoDbCheckpointStore(dynamo(), table);
  const settings = mappingSettings(env);
  const dataverse = {
    serverUrl: env.require('DATAVERSE_URL'),
    tokenSource: dataverseTokenSource(env),
    logger: loggerPort,
  };
  const sweep = createSweep({
    finder: new DataverseSweepFinder(dataverse),
    state: syncState(env),
    sightings: new DynamoDbChangeSightings(dynamo(), table),
    changes: changeQueue(env),
    checkpoints,
    clock,
    logger: loggerPort,
    syncedTables: settings.syncedTables,
    routing: settings.routing,
  });
  // Each organisation is read with its own access (xero-tenant-id) and counted against its own Xero budget.
  const readerFor = (tenantId: string | undefined) =>
    new XeroAccountingOrganisationReader({
      access: accessForTenant(xeroAccess(env), tenantId),
      limiter: xeroLimiter(env),
      apiUrl: env.require('XERO_API_URL'),
      logger: loggerPort,
      clock,
    });
  const preflight = createPreflight({
    xero: readerFor(undefined),
    xeroFor: readerFor,
    settings,
    reports: checkpoints,
    clock,
    logger: loggerPort,
    orderCurrencies: dataverseCurrencyCodes(dataverse),
  });
  return {
    sweep,
    preflightIfDue: async () => {
      // Every usable chosen organisation (the token function's `organisations` command, allowed to the worker role).
      const organisations = await tokenServiceClient(env).organisations();
      if (organisations.tenantIds.length > 0) return preflightIfDue(preflight, checkpoints, organisations, clock.now());
      // None listed (a custom connection before its first token): the one organisation the access reaches, if any.
      let tenantId: string;
      try {
        tenantId = (await xeroAccess(env).getAccess()).tenantId;
      } catch (error) {
        if (error instanceof ReconnectRequiredError) return undefined; // nothing to check until Xero is connected
        throw error;
      }
      return preflightIfDue(preflight, checkpoints, tenantId, clock.now());
    },
  };
});
