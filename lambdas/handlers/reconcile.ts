/**
 * Nightly reconciliation on AWS (EventBridge Scheduler): compare every synced record with Xero and publish the
 * drift as the ReconciliationDrift metric (alarmed) plus one log line per drifted record (ids only).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createReconcile, type ReconcileReport } from '../core/reconcile/reconcile';
import type { SyncRecord } from '../core/ports';
import { createPlanChange } from '../core/sync/plan-change';
import { clock } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseReader } from './shared/dataverse-deps';
import { loggerPort, metrics } from './shared/powertools';
import { mappingSettings } from './shared/settings';
import { syncState } from './shared/sync-deps';
import { withXeroDeadline, xeroAccess, xeroGateway, xeroLimiter } from './shared/xero-deps';
import { createXeroGateway } from '../adapters/xero/xero-gateway';
import { accessForTenant, perTenant } from '../core/routing/tenant-access';
import { createReconcilePerOrganisation, recordTenantOf } from '../core/reconcile/reconcile-per-organisation';

export function createHandler(
  getDeps: () => Promise<{
    reconcile: (records: readonly SyncRecord[]) => Promise<ReconcileReport>;
    synced: () => Promise<SyncRecord[]>;
  }>
) {
  return async (): Promise<{ checked: number; drift: number }> => {
    const deps = await getDeps();
    try {
      const report = await deps.reconcile(await deps.synced());
      for (const drift of report.drift)
        loggerPort.warn('reconciliation drift', { table: drift.table, id: drift.id, problem: drift.problem });
      metrics.addMetric('ReconciliationDrift', MetricUnit.Count, report.drift.length);
      loggerPort.info('reconciliation finished', { checked: report.checked, drift: report.drift.length });
      return { checked: report.checked, drift: report.drift.length };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

const env = envFor('reconcile');
const reconcileGatewayFor = perTenant((tenantId) =>
  createXeroGateway({
    access: accessForTenant(xeroAccess(env), tenantId),
    apiUrl: env.require('XERO_API_URL'),
    limiter: xeroLimiter(env),
    logger: loggerPort,
    clock,
  })
);
const reconcileHandler = createHandler(async () => {
  const planChange = createPlanChange({
    reader: dataverseReader(env),
    state: syncState(env),
    settings: mappingSettings(env),
  });
  return {
    // Each organisation's records against that organisation (core/reconcile/reconcile-per-organisation.ts).
    reconcile: createReconcilePerOrganisation({
      reconcileFor: (tenantId) =>
        createReconcile({
          planChange,
          xero: tenantId === undefined ? xeroGateway(env) : reconcileGatewayFor(tenantId),
          now: () => clock.now(),
        }),
      tenantOf: recordTenantOf,
      logger: loggerPort,
    }),
    synced: () => syncState(env).listByStatus('synced'),
  };
});

// Waits for the tenant's Xero budget end in time to give the work back (shared/xero-deps.ts).
export const handler = withXeroDeadline(reconcileHandler);
