import { ReconnectRequiredError } from '../../../../lambdas/core/errors';
import type { SyncRecord } from '../../../../lambdas/core/ports';
import type { ReconcileReport } from '../../../../lambdas/core/reconcile/reconcile';
import { createReconcilePerOrganisation } from '../../../../lambdas/core/reconcile/reconcile-per-organisation';
import { recordingLogger } from '../../../helpers/in-memory-ports';

const record = (id: string, tenantId?: string): SyncRecord & { tenantId?: string } => ({
  table: 'account',
  id,
  status: 'synced',
  updatedAt: '2026-11-26T00:00:00Z',
  ...(tenantId ? { tenantId } : {}),
});

describe('createReconcilePerOrganisation', () => {
  it("should check each organisation's records against that organisation only", async () => {
    const seen: [string | undefined, string[]][] = [];
    const reconcile = createReconcilePerOrganisation({
      reconcileFor:
        (tenantId) =>
        async (records): Promise<ReconcileReport> => {
          seen.push([tenantId, records.map((r) => r.id)]);
          return { checked: records.length, drift: [] };
        },
      tenantOf: (r) => (r as { tenantId?: string }).tenantId,
      logger: recordingLogger(),
    });
    const report = await reconcile([record('a1'), record('b1', 'org-b'), record('a2'), record('b2', 'org-b')]);
    expect(seen).toEqual([
      [undefined, ['a1', 'a2']],
      ['org-b', ['b1', 'b2']],
    ]);
    expect(report).toEqual({ checked: 4, drift: [] });
  });

  it("should report a paused organisation's records as not checkable and check the others", async () => {
    const reconcile = createReconcilePerOrganisation({
      reconcileFor:
        (tenantId) =>
        async (records): Promise<ReconcileReport> => {
          if (tenantId === 'org-b') throw new ReconnectRequiredError('removed', 'tenant_removed', 'org-b');
          return { checked: records.length, drift: [] };
        },
      tenantOf: (r) => (r as { tenantId?: string }).tenantId,
      logger: recordingLogger(),
    });
    const report = await reconcile([record('a1'), record('b1', 'org-b')]);
    expect(report.checked).toBe(1);
    expect(report.drift).toEqual([
      expect.objectContaining({ id: 'b1', problem: 'cannot_check', detail: expect.stringContaining('tenant_removed') }),
    ]);
  });
});
