import { PermanentError } from '../errors';
import { mapAccountToContact, mapContact } from '../mapping/contact-mapping';
import { invoiceDateSource, mapSalesOrderToInvoice, orderIsCancelled } from '../mapping/invoice-mapping';
import { mapProductToItem } from '../mapping/item-mapping';
import { trackingForOrder, withTracking } from '../mapping/tracking';
import type { ChangeEvent } from '../model/change-event';
import type { DvAccount, DvSalesOrder } from '../model/dataverse';
import type { XeroContact } from '../model/xero';
import type { ContactDependency, ItemDependency, SourceRef, XeroWrite } from '../model/xero-write';
import type { DataverseReader, SyncStateStore } from '../ports';
import type { MappingSettings } from '../settings';
import { withContactPersons } from './contact-persons';
import { unmetSyncCondition } from './sync-condition';
import { createWriteRouting } from '../routing/write-routing';

export interface PlanDeps {
  readonly reader: DataverseReader;
  readonly state: SyncStateStore;
  readonly settings: MappingSettings;
}

/** What one change turns into: Xero writes, changes of other records to sync instead, or a reason to do nothing. */
export interface ChangePlan {
  readonly writes: readonly XeroWrite[];
  readonly forward: readonly ChangeEvent[];
  readonly skipped?: string;
  /** Set when Dataverse does not have the record ("salesorder <id> not found in Dataverse"); a preview fails on it. */
  readonly missing?: string;
  /** A contact synced as a person of this account: the map stage remembers it, so a later move or delete re-syncs it. */
  readonly parentAccountId?: string;
}

const nothing = (reason: string): ChangePlan => ({ writes: [], forward: [], skipped: reason });

/**
 * Map stage, pure of side effects: re-read the record's current state (never trust the webhook body), map it,
 * and say what Xero must receive. A record that no longer exists is archived, stops selling, or has its invoice
 * cancelled. Used by the pipeline and by `connector preview`.
 */
export function createPlanChange(deps: PlanDeps) {
  const { reader, settings } = deps;
  // Which organisation(s) each write goes to; a no-op without routing settings (core/routing/write-routing.ts).
  const routing = createWriteRouting(settings.routing, deps.state);

  async function planAccount(event: ChangeEvent): Promise<ChangePlan> {
    const account = await reader.getAccount(event.id);
    if (!account) return gone(event, await archive(event));
    const unmet = unmetCondition(event, account);
    if (unmet) return nothing(unmet);
    const source = sourceOf(event, account.modifiedon);
    return {
      writes: await routing.spread({ kind: 'upsert-contact', source, contact: accountContact(account) }, account),
      forward: [],
    };
  }

  async function planContact(event: ChangeEvent): Promise<ChangePlan> {
    const contact = await reader.getContact(event.id);
    // The account the contact was last synced under: it must drop the person when the contact is deleted or moves.
    const previous = (await deps.state.get('contact', event.id))?.xeroKey;
    const previousParent = previous !== undefined && previous !== event.id ? previous : undefined;
    const leaving = (now?: string) =>
      previousParent !== undefined && previousParent !== now ? [accountResync(event, previousParent, 'previous')] : [];
    if (!contact) return gone(event, { ...(await archive(event)), forward: leaving() });
    const unmet = unmetCondition(event, contact);
    if (unmet) return nothing(unmet);
    const mapped = mapContact(contact);
    if (mapped.kind === 'own-contact') {
      const source = sourceOf(event, contact.modifiedon);
      return {
        writes: await routing.spread({ kind: 'upsert-contact', source, contact: mapped.contact }, contact),
        forward: leaving(),
      };
    }
    // A contact of an account is a person on the account's Xero contact: re-sync the account.
    return {
      writes: [],
      forward: [accountResync(event, mapped.accountId, 'parent'), ...leaving(mapped.accountId)],
      skipped: `synced as a contact person of account ${mapped.accountId}`,
      parentAccountId: mapped.accountId,
    };
  }

  async function planProduct(event: ChangeEvent): Promise<ChangePlan> {
    const product = await reader.getProduct(event.id);
    if (!product) {
      const codes = await routing.syncedKeys('product', event.id);
      if (codes.length === 0) return gone(event, nothing('deleted product was never synced to Xero'));
      const writes = codes.map(({ tenantId, key: code }): XeroWrite => ({
        kind: 'stop-selling-item',
        source: sourceOf(event),
        code,
        ...routed(tenantId),
      }));
      return gone(event, { writes, forward: [] });
    }
    const unmet = unmetCondition(event, product);
    if (unmet) return nothing(unmet);
    const item = mapProductToItem(product, settings);
    return {
      writes: await routing.spread({ kind: 'upsert-item', source: sourceOf(event, product.modifiedon), item }, product),
      forward: [],
    };
  }

  async function planOrder(event: ChangeEvent): Promise<ChangePlan> {
    const order = await reader.getSalesOrder(event.id);
    if (!order) {
      const references = await routing.syncedKeys('salesorder', event.id);
      if (references.length === 0) return gone(event, nothing('deleted order was never synced to Xero'));
      const writes = references.map(({ tenantId, key: reference }): XeroWrite => ({
        kind: 'cancel-invoice',
        source: sourceOf(event),
        reference,
        ...routed(tenantId),
      }));
      return gone(event, { writes, forward: [] });
    }
    const source = sourceOf(event, order.modifiedon);
    if (orderIsCancelled(order)) {
      const cancel: XeroWrite = { kind: 'cancel-invoice', source, reference: order.ordernumber };
      return { writes: await routing.spread(cancel, order), forward: [] };
    }
    // Dataverse creates an order before its lines (the Create message comes first); each line added later changes
    // the order's totals, which brings the order back here.
    if (Array.isArray(order.lines) && order.lines.length === 0) {
      return nothing(`order ${order.ordernumber} has no lines yet; it is invoiced once lines are added`);
    }
    // After the cancellation above: an invoice already in Xero is voided even when the order no longer qualifies.
    const unmet = unmetCondition(event, order);
    if (unmet) return nothing(unmet);
    const customer = await customerOf(order, event);
    const items = await itemsOf(order, event);
    const invoice = withTracking(
      mapSalesOrderToInvoice(order, settings, {
        customerContactNumber: customer.contact.ContactNumber,
        timeZone: settings.timeZone,
      }),
      trackingForOrder(order, settings.tracking)
    );
    // Without a time zone setting the post stage dates the invoice in the Xero organisation's own zone.
    const dateSource = settings.timeZone === undefined ? invoiceDateSource(order) : undefined;
    // Its customer and items are ensured in the order's organisation: `requires` travel under the same tenant.
    const { tenantId, moveFrom } = await routing.orderRoute(order);
    return {
      writes: [
        {
          kind: 'upsert-invoice',
          source,
          invoice,
          ...(dateSource !== undefined && { dateSource }),
          // Branding themes may be chosen by business unit (core/sync/apply-branding.ts).
          ...(settings.brandingThemes && order.owningBusinessUnit && { businessUnit: order.owningBusinessUnit }),
          requires: { contacts: [customer], items },
          ...routed(tenantId),
          ...(moveFrom !== undefined && { moveFrom }),
        },
      ],
      forward: [],
    };
  }

  /** The Xero contact an order is billed to: the account, or a contact's parent account, or the contact itself. */
  async function customerOf(order: DvSalesOrder, event: ChangeEvent): Promise<ContactDependency> {
    if (order.customer.table === 'account') {
      return {
        source: sourceOf({ ...event, table: 'account', id: order.customer.id }),
        contact: accountContact(await requireAccount(order.customer.id, order)),
      };
    }
    const contact = await reader.getContact(order.customer.id);
    if (!contact)
      throw new PermanentError(
        `order ${order.ordernumber}: customer contact ${order.customer.id} not found in Dataverse`,
        'MISSING_CUSTOMER'
      );
    const mapped = mapContact(contact);
    if (mapped.kind === 'own-contact') {
      return { source: sourceOf({ ...event, table: 'contact', id: contact.contactid }), contact: mapped.contact };
    }
    const account = await requireAccount(mapped.accountId, order);
    return {
      source: sourceOf({ ...event, table: 'account', id: account.accountid }),
      contact: accountContact(account),
    };
  }

  async function requireAccount(id: string, order: DvSalesOrder): Promise<DvAccount> {
    const account = await reader.getAccount(id);
    if (!account)
      throw new PermanentError(
        `order ${order.ordernumber}: customer account ${id} not found in Dataverse`,
        'MISSING_CUSTOMER'
      );
    return account;
  }

  async function itemsOf(order: DvSalesOrder, event: ChangeEvent): Promise<ItemDependency[]> {
    const productIds = [
      ...new Set(
        order.lines
          .filter((line) => !line.isproductoverridden && line.productid)
          .map((line) => line.productid as string)
      ),
    ];
    const items: ItemDependency[] = [];
    for (const productId of productIds) {
      const product = await reader.getProduct(productId);
      if (!product)
        throw new PermanentError(
          `order ${order.ordernumber}: product ${productId} not found in Dataverse`,
          'MISSING_PRODUCT'
        );
      items.push({
        source: sourceOf({ ...event, table: 'product', id: productId }, product.modifiedon),
        item: mapProductToItem(product, settings),
      });
    }
    return items;
  }

  /** The table's sync condition (settings.syncConditions); dependencies of an order are written regardless. */
  function unmetCondition(
    event: ChangeEvent,
    record: { readonly conditionValues?: Readonly<Record<string, unknown>> }
  ) {
    return unmetSyncCondition(settings.syncConditions?.[event.table], record.conditionValues);
  }

  /** A deleted contact or account is archived in every organisation it is in (its route is unknown once gone). */
  async function archive(event: ChangeEvent): Promise<ChangePlan> {
    const write: XeroWrite = { kind: 'archive-contact', source: sourceOf(event), contactNumber: event.id };
    return { writes: await routing.spread(write), forward: [] };
  }

  function accountContact(account: DvAccount): XeroContact {
    return withContactPersons(mapAccountToContact(account), account);
  }

  async function planByTable(event: ChangeEvent): Promise<ChangePlan> {
    switch (event.table) {
      case 'account':
        return planAccount(event);
      case 'contact':
        return planContact(event);
      case 'product':
        return planProduct(event);
      case 'salesorder':
        return planOrder(event);
    }
  }

  return async function planChange(event: ChangeEvent): Promise<ChangePlan> {
    if (!settings.syncedTables.includes(event.table)) return nothing(`table ${event.table} is not synced`);
    return planByTable(event);
  };
}

/** The plan for a record Dataverse no longer has, marked so a preview can say so. */
function gone(event: ChangeEvent, plan: ChangePlan): ChangePlan {
  return { ...plan, missing: `${event.table} ${event.id} not found in Dataverse` };
}

/** An Update of the account whose contact persons a contact change affects. */
function accountResync(event: ChangeEvent, accountId: string, role: 'parent' | 'previous'): ChangeEvent {
  return {
    table: 'account',
    id: accountId,
    message: 'Update',
    occurredAt: event.occurredAt,
    dedupeId: `${event.dedupeId}:${role}-account`,
    correlationId: event.correlationId,
    operationId: event.operationId,
    source: event.source,
  };
}

/** The tenant field of a write: absent (not undefined) without routing, so queued writes stay as they were. */
function routed(tenantId: string | undefined): { tenantId?: string } {
  return tenantId !== undefined ? { tenantId } : {};
}

function sourceOf(event: Pick<ChangeEvent, 'table' | 'id' | 'message' | 'correlationId'>, version?: string): SourceRef {
  return { table: event.table, id: event.id, event: event.message, version, correlationId: event.correlationId };
}
