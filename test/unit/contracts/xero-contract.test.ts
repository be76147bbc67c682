import { validateXeroRequest } from '../../../contracts/xero-contract';
import { trackingForOrder, withTracking } from '../../../lambdas/core/mapping/tracking';
import type { XeroContact, XeroInvoice, XeroItem } from '../../../lambdas/core/model/xero';
import { buildSalesOrder } from '../../helpers/dataverse-factories';

const contact = (overrides: Partial<XeroContact> = {}): XeroContact => ({
  ContactNumber: 'D365-6f1c2a3b-0000-4000-8000-000000000001',
  Name: 'Harbour Freight Ltd',
  EmailAddress: 'accounts@harbour.example',
  Phones: [{ PhoneType: 'DEFAULT', PhoneNumber: '555 0101' }],
  Addresses: [{ AddressType: 'STREET', AddressLine1: '1 Quay St', City: 'Auckland', Country: 'NZ' }],
  ContactPersons: [{ FirstName: 'Ana', LastName: 'Rua', EmailAddress: 'ana@harbour.example', IncludeInEmails: true }],
  ...overrides,
});

const item = (overrides: Partial<XeroItem> = {}): XeroItem => ({
  Code: 'WIDGET-42',
  Name: 'Widget 42',
  Description: 'A sturdy widget',
  IsSold: true,
  SalesDetails: { UnitPrice: 12.3456, AccountCode: '200', TaxType: 'OUTPUT2' },
  ...overrides,
});

const invoice = (overrides: Partial<XeroInvoice> = {}): XeroInvoice => ({
  Type: 'ACCREC',
  Contact: { ContactID: '0b9a6a1e-5c1f-4a8e-9d34-3f1e2a7c9b10' },
  Reference: 'ORD-01001',
  Date: '2026-11-20',
  DueDate: '2026-12-20',
  CurrencyCode: 'NZD',
  LineAmountTypes: 'Exclusive',
  Status: 'DRAFT',
  LineItems: [
    { Description: 'Widget 42', Quantity: 2, UnitAmount: 12.5, ItemCode: 'WIDGET-42', AccountCode: '200' },
    { Description: 'Custom install (write-in)', Quantity: 1, UnitAmount: 80, AccountCode: '200', DiscountRate: 10 },
  ],
  ...overrides,
});

describe('validateXeroRequest', () => {
  it('should accept well-formed batches of contacts, items and invoices', () => {
    expect(validateXeroRequest('Contacts', { Contacts: [contact(), contact({ Name: 'Other' })] })).toEqual([]);
    expect(validateXeroRequest('Items', { Items: [item()] })).toEqual([]);
    expect(validateXeroRequest('Invoices', { Invoices: [invoice()] })).toEqual([]);
  });

  it('should accept single documents by their element schema', () => {
    expect(validateXeroRequest('Contact', contact())).toEqual([]);
    expect(validateXeroRequest('Item', item())).toEqual([]);
    expect(validateXeroRequest('Invoice', invoice({ Status: 'VOIDED' }))).toEqual([]);
  });

  it('should report a wrong type with the JSON pointer of the offending field', () => {
    const bad = {
      Invoices: [invoice({ LineItems: [{ Description: 'a' }, { Description: 'b', Quantity: '2' as never }] })],
    };
    expect(validateXeroRequest('Invoices', bad)).toContain('/Invoices/0/LineItems/1/Quantity must be number');
  });

  it('should reject unknown (misspelt) properties even though Xero would ignore them', () => {
    const errors = validateXeroRequest('Contacts', { Contacts: [{ ...contact(), EmailAdress: 'x@y.example' }] });
    expect(errors).toEqual(["/Contacts/0 must NOT have unknown property 'EmailAdress'"]);
    expect(validateXeroRequest('Items', { Items: [item()], Extra: true })).toEqual([
      "/ must NOT have unknown property 'Extra'",
    ]);
  });

  it('should reject an item Code longer than 30 characters', () => {
    expect(validateXeroRequest('Item', item({ Code: 'C'.repeat(30) }))).toEqual([]);
    expect(validateXeroRequest('Item', item({ Code: 'C'.repeat(31) }))).toEqual([
      '/Code must NOT have more than 30 characters',
    ]);
  });

  it('should reject values outside an enum and list the allowed ones', () => {
    const errors = validateXeroRequest('Invoice', invoice({ LineAmountTypes: 'Gross' as never }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\/LineAmountTypes must be one of: .*Exclusive.*Inclusive.*NoTax/);
  });

  it('should reject a missing required field and a malformed uuid', () => {
    expect(validateXeroRequest('Item', { Name: 'No code' })).toEqual(["/ must have required property 'Code'"]);
    expect(validateXeroRequest('Invoice', invoice({ Contact: { ContactID: 'not-a-uuid' } }))).toEqual([
      '/Contact/ContactID must match format "uuid"',
    ]);
  });

  it('should report every problem at once', () => {
    const errors = validateXeroRequest('Items', { Items: [item({ Code: 'X'.repeat(40) }), { Name: 5 }] });
    expect(errors).toEqual(
      expect.arrayContaining([
        '/Items/0/Code must NOT have more than 30 characters',
        "/Items/1 must have required property 'Code'",
        '/Items/1/Name must be string',
      ])
    );
  });

  it('should accept the mapped line Tracking and a BrandingThemeID, and refuse a misspelt tracking field', () => {
    const tracked = withTracking(
      { ...invoice(), BrandingThemeID: '5d4dd402-c851-497e-aae1-9ff265c0d15a' },
      trackingForOrder(buildSalesOrder({ conditionValues: { new_region: 'North' } }), {
        categories: [{ category: 'Region', source: { kind: 'column', column: 'new_region' } }],
      })
    );
    expect(tracked.LineItems[0]?.Tracking).toEqual([{ Name: 'Region', Option: 'North' }]);
    expect(validateXeroRequest('Invoices', { Invoices: [tracked] })).toEqual([]);
    const misspelt = { ...tracked, LineItems: [{ Description: 'x', Tracking: [{ Name: 'Region', Opt: 'North' }] }] };
    expect(validateXeroRequest('Invoice', misspelt)).toEqual([
      "/LineItems/0/Tracking/0 must NOT have unknown property 'Opt'",
    ]);
  });
});
