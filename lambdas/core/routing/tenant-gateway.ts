import type { XeroGateway } from '../ports';
import { idempotencyKeyFor } from '../sync/idempotency';

/**
 * The gateway of one routed organisation, with Idempotency-Keys that carry its tenant: the same customer created
 * in two organisations is the same request body twice, and must never share a key (Xero keeps keys per app).
 */
export function withTenantIdempotencyKeys(xero: XeroGateway, tenantId: string): XeroGateway {
  const key = (original: string) => idempotencyKeyFor('tenant', { tenantId, key: original });
  return {
    findContactsByNumber: (numbers) => xero.findContactsByNumber(numbers),
    findContactByName: (name) => xero.findContactByName(name),
    saveContacts: (contacts, idempotencyKey) => xero.saveContacts(contacts, key(idempotencyKey)),
    findItemsByCode: (codes) => xero.findItemsByCode(codes),
    saveItems: (items, idempotencyKey) => xero.saveItems(items, key(idempotencyKey)),
    findInvoicesByReference: (references) => xero.findInvoicesByReference(references),
    saveInvoices: (invoices, idempotencyKey) => xero.saveInvoices(invoices, key(idempotencyKey)),
    setInvoiceStatus: (id, status, idempotencyKey) => xero.setInvoiceStatus(id, status, key(idempotencyKey)),
    ...(xero.readOrganisation && { readOrganisation: () => xero.readOrganisation!() }),
    ...(xero.listBrandingThemes && { listBrandingThemes: (options) => xero.listBrandingThemes!(options) }),
  };
}
