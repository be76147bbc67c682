/**
 * A routed order whose organisation changed (e.g. its business unit moved to another legal entity): its invoice
 * leaves the old organisation before it is created in the new one, so no order is ever invoiced twice.
 *
 * 1. For each routed `upsert-invoice`, find the organisations the order was invoiced in before: `moveFrom` (what the
 *    map stage saw) and, read now, every other organisation whose sync state holds the order. Look the old invoice
 *    up there by its Reference.
 * 2. None there, or already VOIDED/DELETED: nothing to undo. DRAFT or SUBMITTED: delete it. AUTHORISED without
 *    payments or credit: void it. Xero allows exactly these status changes through the API
 *    (developer.xero.com/documentation/api/accounting/invoices, "Deleting and voiding invoices").
 * 3. PAID, or with payments or credit notes allocated: Xero cannot void it, so the write fails for good with a
 *    message naming both organisations; nothing is created in the new one. Customers and items stay where they are
 *    (other invoices may need them).
 * 4. The old organisation's sync state is marked `skipped` ("moved to …") without a Xero id, so the record no
 *    longer counts as being there (core/routing/tenant-state.ts isPlaced).
 */
import { PermanentError, dispositionOf } from '../errors';
import type { InvoiceLocation, XeroWrite } from '../model/xero-write';
import type { SyncStateStore, XeroGateway } from '../ports';
import type { RoutingSettings } from '../routing/routing-settings';
import { placementsOf, stateTenantOf } from '../routing/tenant-state';
import type { BatchContext } from './batch-context';
import { idempotencyKeyFor } from './idempotency';

export interface MoveDeps {
  readonly xeroFor: (tenantId?: string) => XeroGateway;
  /** Sync state of every organisation (not scoped to the batch's). */
  readonly state: SyncStateStore;
  readonly routing?: RoutingSettings;
}

type InvoiceWrite = Extract<XeroWrite, { kind: 'upsert-invoice' }>;

export async function moveRoutedInvoices(ctx: BatchContext, deps: MoveDeps): Promise<void> {
  for (const index of ctx.pending('upsert-invoice')) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice' || write.tenantId === undefined) continue;
    try {
      for (const from of await leavingFrom(write, deps)) await moveOut(ctx, write, from, deps);
    } catch (error) {
      if (dispositionOf(error) !== 'permanent') throw error;
      await ctx.fail(index, error);
    }
  }
}

/**
 * Where the invoice must leave: what the map stage saw (`moveFrom`) and what sync state says now. The latter
 * matters when the order's previous write was still on its way to Xero while this one was mapped.
 */
async function leavingFrom(write: InvoiceWrite, deps: MoveDeps): Promise<InvoiceLocation[]> {
  const found = new Map<string, InvoiceLocation>();
  for (const from of write.moveFrom ?? []) found.set(from.tenantId.toLowerCase(), from);
  if (deps.routing) {
    for (const placement of await placementsOf(deps.routing, deps.state, 'salesorder', write.source.id)) {
      const reference = placement.record.xeroKey ?? write.invoice.Reference;
      if (!found.has(placement.tenantId)) found.set(placement.tenantId, { tenantId: placement.tenantId, reference });
    }
  }
  const here = write.tenantId?.toLowerCase();
  return [...found.values()].filter((from) => from.tenantId.toLowerCase() !== here);
}

async function moveOut(ctx: BatchContext, write: InvoiceWrite, from: InvoiceLocation, deps: MoveDeps): Promise<void> {
  const old = deps.xeroFor(from.tenantId);
  const current = (await old.findInvoicesByReference([from.reference])).get(from.reference);
  let left = current ? `invoice ${current.InvoiceID} was already ${current.Status}` : 'no invoice was there';
  if (current && current.Status !== 'VOIDED' && current.Status !== 'DELETED') {
    const paid = current.Status === 'PAID' || (current.AmountPaid ?? 0) !== 0 || (current.AmountCredited ?? 0) !== 0;
    if (paid) {
      const [was, now] = await Promise.all([
        nameOf(old, from.tenantId),
        nameOf(deps.xeroFor(write.tenantId), write.tenantId),
      ]);
      throw new PermanentError(
        `order ${from.reference} now belongs to ${now}, but its invoice ${current.InvoiceNumber ?? current.InvoiceID} ` +
          `in ${was} is ${current.Status === 'PAID' ? 'PAID' : 'part-paid or credited'}, which Xero cannot void; ` +
          `it was not created in ${now}. Remove its payments and credit allocations in ${was}, or move the order back, then retry`,
        'ROUTE_CHANGE_BLOCKED'
      );
    }
    const target = current.Status === 'AUTHORISED' ? 'VOIDED' : 'DELETED';
    await old.setInvoiceStatus(
      current.InvoiceID,
      target,
      idempotencyKeyFor('invoice-status', { tenant: from.tenantId, id: current.InvoiceID, target })
    );
    left = `invoice ${current.InvoiceID} ${target.toLowerCase()}`;
  }
  const tenant = stateTenantOf(deps.routing, from.tenantId);
  await deps.state.put({
    table: write.source.table,
    id: write.source.id,
    ...(tenant !== undefined && { tenantId: tenant }),
    xeroKey: from.reference,
    status: 'skipped',
    message: `moved to organisation ${write.tenantId ?? 'default'}; ${left} here`,
    updatedAt: ctx.deps.clock.now().toISOString(),
  });
}

/** "Name (tenant id)" for messages; the tenant id alone when the organisation cannot be read. */
async function nameOf(xero: XeroGateway, tenantId: string | undefined): Promise<string> {
  const id = tenantId ?? 'the default organisation';
  try {
    const name = (await xero.readOrganisation?.())?.Name;
    return name ? `"${name}" (${id})` : id;
  } catch {
    return id;
  }
}
