/**
 * The map stage's routing: which organisation(s) each planned Xero write goes to.
 *
 * 1. An order goes to its own route (core/routing/route-record.ts); its customer and items travel with it (the
 *    invoice's `requires` are created on demand in the order's organisation).
 * 2. An order already invoiced in another organisation (its route changed) carries `moveFrom`: the post stage
 *    voids or deletes the old invoice before it creates the new one (core/sync/move-invoices.ts).
 * 3. An account, contact or product changed on its own is updated in every organisation its sync state says it is
 *    in; a record in none is created in its own route (its business unit, currency, or the default).
 * 4. Deletes go to every organisation the record is in.
 * Without routing settings every write keeps no tenant: the single organisation, exactly as before.
 */
import type { SyncedTable } from '../model/change-event';
import type { InvoiceLocation, XeroWrite } from '../model/xero-write';
import type { SyncStateStore } from '../ports';
import { routeOf, type Routable } from './route-record';
import type { RoutingSettings } from './routing-settings';
import { placementsOf } from './tenant-state';

/** A natural key (ContactNumber, Code, Reference) in one organisation; no tenant without routing. */
export interface KeyInTenant {
  readonly tenantId?: string;
  readonly key: string;
}

export function createWriteRouting(routing: RoutingSettings | undefined, state: SyncStateStore) {
  const placed = async (table: SyncedTable, id: string) =>
    routing ? await placementsOf(routing, state, table, id) : [];

  return {
    /** The tenant for a record of its own, or undefined without routing. */
    routeOf(record: Routable): string | undefined {
      return routing ? routeOf(routing, record) : undefined;
    },

    /** Step 3/4: one copy of the write per organisation the record is in, or one for its own route. */
    async spread(write: XeroWrite, record: Routable = {}): Promise<XeroWrite[]> {
      if (!routing) return [write];
      const placements = await placed(write.source.table, write.source.id);
      const tenants = placements.length > 0 ? placements.map((p) => p.tenantId) : [routeOf(routing, record)];
      return tenants.map((tenantId) => ({ ...write, tenantId }));
    },

    /** The natural key the record has in each organisation it is in (the sync state's xeroKey). */
    async syncedKeys(table: SyncedTable, id: string): Promise<KeyInTenant[]> {
      if (!routing) {
        const key = (await state.get(table, id))?.xeroKey;
        return key ? [{ key }] : [];
      }
      return (await placed(table, id)).flatMap((p) =>
        p.record.xeroKey ? [{ tenantId: p.tenantId, key: p.record.xeroKey }] : []
      );
    },

    /** Steps 1/2: the order's organisation, and where its invoice was before, when that differs. */
    async orderRoute(
      order: Routable & { readonly salesorderid: string; readonly ordernumber: string }
    ): Promise<{ tenantId?: string; moveFrom?: InvoiceLocation[] }> {
      if (!routing) return {};
      const tenantId = routeOf(routing, order);
      const moveFrom = (await placed('salesorder', order.salesorderid))
        .filter((p) => p.tenantId !== tenantId)
        .map((p) => ({ tenantId: p.tenantId, reference: p.record.xeroKey ?? order.ordernumber }));
      return moveFrom.length > 0 ? { tenantId, moveFrom } : { tenantId };
    },
  };
}

export type WriteRouting = ReturnType<typeof createWriteRouting>;
