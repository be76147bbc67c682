/**
 * The nightly reconcile with several Xero organisations: each organisation's records are checked against that
 * organisation only (a customer of two entities exists in both, so one organisation's books cannot vouch for the
 * other's record).
 *   1. group the synced records by the organisation they were written to (`tenantOf`; undefined = the default);
 *   2. reconcile each group with that organisation's gateway;
 *   3. an organisation that needs a new consent is not checked: its records are reported `cannot_check`, the
 *      others are reconciled as usual;
 *   4. one report for all.
 */
import { ReconnectRequiredError } from '../errors';
import type { Logger, SyncRecord } from '../ports';
import type { Drift, ReconcileReport } from './reconcile';

export interface ReconcilePerOrganisationDeps {
  /** The reconcile of one organisation (createReconcile over that organisation's gateway). */
  readonly reconcileFor: (tenantId: string | undefined) => (records: readonly SyncRecord[]) => Promise<ReconcileReport>;
  /** Which organisation a record was written to; undefined for the default one. */
  readonly tenantOf: (record: SyncRecord) => string | undefined;
  readonly logger: Logger;
}

/**
 * The organisation a sync record was written to. The sync state carries the tenant once records are routed (issue
 * #16, routing); until then every record belongs to the default organisation. One place to adjust the field name.
 */
export function recordTenantOf(record: SyncRecord): string | undefined {
  return (record as SyncRecord & { readonly tenantId?: string }).tenantId;
}

export function createReconcilePerOrganisation(
  deps: ReconcilePerOrganisationDeps
): (records: readonly SyncRecord[]) => Promise<ReconcileReport> {
  return async (records) => {
    const groups = new Map<string | undefined, SyncRecord[]>();
    for (const record of records) {
      const tenantId = deps.tenantOf(record);
      groups.set(tenantId, [...(groups.get(tenantId) ?? []), record]);
    }
    let checked = 0;
    const drift: Drift[] = [];
    for (const [tenantId, group] of groups) {
      try {
        const report = await deps.reconcileFor(tenantId)(group);
        checked += report.checked;
        drift.push(...report.drift);
      } catch (error) {
        if (!(error instanceof ReconnectRequiredError)) throw error;
        deps.logger.warn('reconcile skipped an organisation that needs a new consent', {
          tenantId,
          reason: error.reason,
        });
        for (const record of group.filter((r) => r.status === 'synced')) {
          drift.push({
            table: record.table,
            id: record.id,
            problem: 'cannot_check',
            detail: `the Xero organisation needs a new consent (${error.reason})`,
          });
        }
      }
    }
    return { checked, drift };
  };
}
