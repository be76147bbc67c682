/**
 * Reconciliation: compare what Dataverse says Xero should hold with what Xero holds, for every record the connector
 * has synced. It reuses the map stage's planning (so "expected" is exactly what a sync would send) and Xero's
 * natural-key lookups in batches of 50; it writes nothing.
 */
import { describeError } from '../errors';
import { invoiceTotals } from '../mapping/invoice-mapping';
import type { ChangeEvent, SyncedTable } from '../model/change-event';
import type { XeroContactStatus } from '../model/xero';
import type { SyncRecord, XeroGateway } from '../ports';
import type { ChangePlan } from '../sync/plan-change';
import { XERO_BATCH_SIZE, chunk } from '../sync/idempotency';

export type DriftProblem = 'missing_in_xero' | 'name_differs' | 'status_differs' | 'total_differs' | 'cannot_check';

export interface Drift {
  readonly table: SyncedTable;
  readonly id: string;
  readonly problem: DriftProblem;
  readonly expected?: string;
  readonly actual?: string;
  readonly detail?: string;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly drift: readonly Drift[];
}

interface Expectation {
  readonly record: SyncRecord;
  readonly key: string;
  readonly name?: string;
  readonly status?: string;
  readonly total?: string;
}

export function createReconcile(deps: {
  planChange: (event: ChangeEvent) => Promise<ChangePlan>;
  xero: XeroGateway;
  now: () => Date;
}) {
  return async function reconcile(records: readonly SyncRecord[]): Promise<ReconcileReport> {
    const drift: Drift[] = [];
    const contacts: Expectation[] = [];
    const items: Expectation[] = [];
    const invoices: Expectation[] = [];
    let checked = 0;

    for (const record of records.filter((r) => r.status === 'synced')) {
      let plan: ChangePlan;
      try {
        plan = await deps.planChange({
          table: record.table,
          id: record.id,
          message: 'Update',
          occurredAt: deps.now().toISOString(),
          dedupeId: `reconcile:${record.table}:${record.id}`,
          source: 'manual',
        });
      } catch (error) {
        drift.push({ table: record.table, id: record.id, problem: 'cannot_check', detail: describeError(error) });
        continue;
      }
      const write = plan.writes[0];
      if (!write) continue; // e.g. a contact synced as a person of its account
      checked++;
      switch (write.kind) {
        case 'upsert-contact':
          contacts.push({
            record,
            key: write.contact.ContactNumber,
            name: write.contact.Name,
            status: write.contact.ContactStatus ?? 'ACTIVE',
          });
          break;
        case 'archive-contact':
          contacts.push({ record, key: write.contactNumber, status: 'ARCHIVED' });
          break;
        case 'upsert-item':
          items.push({
            record,
            key: write.item.Code,
            name: write.item.Name,
            status: write.item.IsSold === false ? 'not sold' : 'sold',
          });
          break;
        case 'stop-selling-item':
          items.push({ record, key: write.code, status: 'not sold' });
          break;
        case 'upsert-invoice':
          invoices.push({ record, key: write.invoice.Reference, total: invoiceTotals(write.invoice).total });
          break;
        case 'cancel-invoice':
          invoices.push({ record, key: write.reference, status: 'VOIDED or DELETED' });
          break;
      }
    }

    const differ = (e: Expectation, problem: DriftProblem, expected: string, actual: string) =>
      drift.push({ table: e.record.table, id: e.record.id, problem, expected, actual });

    for (const group of chunk(contacts, XERO_BATCH_SIZE)) {
      const found = await deps.xero.findContactsByNumber(group.map((e) => e.key));
      for (const e of group) {
        const ref = found.get(e.key);
        if (!ref) {
          if (e.status !== 'ARCHIVED') differ(e, 'missing_in_xero', `contact ${e.key}`, 'none');
          continue;
        }
        if (e.name !== undefined && ref.Name !== e.name) differ(e, 'name_differs', e.name, ref.Name);
        const status: XeroContactStatus = ref.ContactStatus ?? 'ACTIVE';
        if (e.status !== undefined && status !== e.status) differ(e, 'status_differs', e.status, status);
      }
    }
    for (const group of chunk(items, XERO_BATCH_SIZE)) {
      const found = await deps.xero.findItemsByCode(group.map((e) => e.key));
      for (const e of group) {
        const ref = found.get(e.key);
        if (!ref) {
          if (e.status !== 'not sold') differ(e, 'missing_in_xero', `item ${e.key}`, 'none');
          continue;
        }
        if (e.name !== undefined && ref.Name !== undefined && ref.Name !== e.name)
          differ(e, 'name_differs', e.name, ref.Name);
        const sold = ref.IsSold === false ? 'not sold' : 'sold';
        if (e.status !== undefined && sold !== e.status) differ(e, 'status_differs', e.status, sold);
      }
    }
    for (const group of chunk(invoices, XERO_BATCH_SIZE)) {
      const found = await deps.xero.findInvoicesByReference(group.map((e) => e.key));
      for (const e of group) {
        const ref = found.get(e.key);
        if (!ref) {
          if (e.total !== undefined) differ(e, 'missing_in_xero', `invoice with reference ${e.key}`, 'none');
          continue;
        }
        if (e.status !== undefined && ref.Status !== 'VOIDED' && ref.Status !== 'DELETED')
          differ(e, 'status_differs', e.status, ref.Status);
        if (e.total !== undefined && ref.Total !== undefined && Number(e.total) !== ref.Total)
          differ(e, 'total_differs', e.total, ref.Total.toFixed(2));
      }
    }
    return { checked, drift };
  };
}
