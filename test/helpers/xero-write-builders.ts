/** Builders of mapped Xero writes for post-stage tests: record n has GUID guid(n) and ContactNumber guid(n). */
import type { XeroContact, XeroInvoice, XeroItem } from '../../lambdas/core/model/xero';
import type { SourceRef, XeroWrite } from '../../lambdas/core/model/xero-write';

export const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const source = (table: SourceRef['table'], n: number, version = '2026-11-01T00:00:00Z'): SourceRef => ({
  table,
  id: guid(n),
  event: 'Update',
  version,
});
export const contact = (n: number, name = `Customer ${n}`): XeroContact => ({
  ContactNumber: guid(n),
  Name: name,
  ContactStatus: 'ACTIVE',
});
export const upsertContact = (n: number, name?: string, version?: string): XeroWrite => ({
  kind: 'upsert-contact',
  source: source('account', n, version),
  contact: contact(n, name),
});
export const item = (code: string): XeroItem => ({
  Code: code,
  Name: `Product ${code}`,
  IsSold: true,
  SalesDetails: { UnitPrice: 10, AccountCode: '200' },
});
export const invoice = (reference: string, customer: number, codes: string[] = []): XeroInvoice => ({
  Type: 'ACCREC',
  Contact: { ContactNumber: guid(customer) },
  Reference: reference,
  Date: '2026-11-01',
  DueDate: '2026-12-01',
  CurrencyCode: 'USD',
  LineAmountTypes: 'Exclusive',
  Status: 'DRAFT',
  LineItems: codes.length
    ? codes.map((code) => ({ Description: code, ItemCode: code, Quantity: 1, UnitAmount: 10 }))
    : [{ Description: 'Write-in', Quantity: 1, UnitAmount: 5 }],
});
export const upsertInvoice = (
  reference: string,
  orderN: number,
  customer: number,
  codes: string[] = []
): XeroWrite => ({
  kind: 'upsert-invoice',
  source: source('salesorder', orderN),
  invoice: invoice(reference, customer, codes),
  requires: {
    contacts: [{ source: source('account', customer), contact: contact(customer) }],
    items: codes.map((code, i) => ({ source: source('product', 900 + i), item: item(code) })),
  },
});
