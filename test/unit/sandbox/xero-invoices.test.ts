import { startSandboxXero, type SandboxXero } from '../../../sandbox/xero-accounting/server';
import { elements, validationMessages, xeroClient } from './xero-test-client';

describe('sandbox Xero invoices', () => {
  let xero: SandboxXero;
  let call: ReturnType<typeof xeroClient>;
  let contactId: string;

  beforeEach(async () => {
    xero = await startSandboxXero();
    call = xeroClient(xero);
    const contact = await call('PUT', '/Contacts', { Contacts: [{ Name: 'Pōhutukawa Cafe', ContactNumber: 'P-1' }] });
    contactId = String(elements(contact, 'Contacts')[0]!.ContactID);
    await call('PUT', '/Items', {
      Items: [{ Code: 'BEANS', Name: 'Coffee beans', SalesDetails: { UnitPrice: 24.5, TaxType: 'OUTPUT' } }],
    });
  });
  afterEach(() => xero.close());

  const draft = (extra: Record<string, unknown> = {}) => ({
    Type: 'ACCREC',
    Contact: { ContactID: contactId },
    Reference: 'SO-1001',
    Date: '2026-03-01',
    DueDate: '2026-03-31',
    LineAmountTypes: 'Exclusive',
    LineItems: [
      { Description: 'Write-in setup', Quantity: 3, UnitAmount: 33.335, DiscountAmount: 5, TaxType: 'OUTPUT' },
      { ItemCode: 'BEANS', Quantity: 2 },
      { Description: 'Freight', Quantity: 1, UnitAmount: 10, TaxAmount: 1.11 },
    ],
    ...extra,
  });

  // developer.xero.com/documentation/api/accounting/contacts (ContactStatus ARCHIVED).
  it('should refuse a new invoice for an archived contact until the contact is restored', async () => {
    await call('POST', '/Contacts', { Contacts: [{ ContactID: contactId, ContactStatus: 'ARCHIVED' }] });
    const refused = await call('PUT', '/Invoices', { Invoices: [draft()] });
    expect(validationMessages(refused)).toEqual([
      'The contact must be un-archived before creating new invoices or credit notes.',
    ]);
    await call('POST', '/Contacts', { Contacts: [{ ContactID: contactId, ContactStatus: 'ACTIVE' }] });
    expect((await call('PUT', '/Invoices', { Invoices: [draft()] })).status).toBe(200);
  });

  it('should number invoices INV-0001 onwards and compute Xero totals per line', async () => {
    const first = await call('PUT', '/Invoices', { Invoices: [draft()] });
    expect(first.status).toBe(200);
    const invoice = elements(first, 'Invoices')[0]!;
    expect(invoice.InvoiceNumber).toBe('INV-0001');
    const lines = invoice.LineItems as Array<Record<string, unknown>>;
    // 3 × 33.34 (unit rounded to 2 dp) = 100.02 − 5 = 95.02; 15 % tax = 14.25
    expect(lines[0]).toMatchObject({ LineAmount: 95.02, TaxAmount: 14.25 });
    // item defaults: 2 × 24.50 = 49.00, tax 7.35, description from the item
    expect(lines[1]).toMatchObject({ Description: 'Coffee beans', LineAmount: 49, TaxAmount: 7.35 });
    expect(lines[2]).toMatchObject({ LineAmount: 10, TaxAmount: 1.11 });
    expect(invoice).toMatchObject({
      SubTotal: 154.02,
      TotalTax: 22.71,
      Total: 176.73,
      AmountDue: 176.73,
      AmountPaid: 0,
    });
    expect(invoice.Status).toBe('DRAFT');
    expect(invoice.Date).toBe(`/Date(${Date.UTC(2026, 2, 1)}+0000)/`);

    const second = await call('PUT', '/Invoices', { Invoices: [draft({ Reference: 'SO-1002' })] });
    expect(elements(second, 'Invoices')[0]!.InvoiceNumber).toBe('INV-0002');
  });

  it('should refuse a repeated ACCREC InvoiceNumber on PUT and edit that invoice on POST', async () => {
    await call('PUT', '/Invoices', { Invoices: [draft({ InvoiceNumber: 'SO-7' })] });
    const dup = await call('PUT', '/Invoices', { Invoices: [draft({ InvoiceNumber: 'SO-7' })] });
    expect(validationMessages(dup)).toEqual(['Invoice # must be unique.']);
    const edit = await call('POST', '/Invoices', { Invoices: [{ InvoiceNumber: 'SO-7', Reference: 'changed' }] });
    expect(edit.status).toBe(200);
    const invoices = xero.state.snapshot().invoices;
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ Reference: 'changed', Total: 176.73 });
  });

  it('should compute inclusive amounts and discount rates', async () => {
    const result = await call('PUT', '/Invoices', {
      Invoices: [
        draft({
          LineAmountTypes: 'Inclusive',
          LineItems: [{ Description: 'Gift box', Quantity: 1, UnitAmount: 115, DiscountRate: 10, TaxType: 'OUTPUT' }],
        }),
      ],
    });
    const invoice = elements(result, 'Invoices')[0]!;
    // 115 × 0.9 = 103.50 including 15 % tax: tax = 103.50 × 15/115 = 13.50
    expect(invoice).toMatchObject({ Total: 103.5, TotalTax: 13.5, SubTotal: 90, TotalDiscount: 11.5 });
  });

  it('should allow DRAFT to AUTHORISED to VOIDED and refuse going back to DRAFT', async () => {
    const id = String(elements(await call('PUT', '/Invoices', { Invoices: [draft()] }), 'Invoices')[0]!.InvoiceID);
    expect((await call('POST', `/Invoices/${id}`, { Invoices: [{ Status: 'AUTHORISED' }] })).status).toBe(200);
    const back = await call('POST', `/Invoices/${id}`, { Invoices: [{ Status: 'DRAFT' }] });
    expect(validationMessages(back)).toEqual(['Invoice status cannot change from AUTHORISED to DRAFT.']);
    expect((await call('POST', `/Invoices/${id}`, { Invoices: [{ Status: 'VOIDED' }] })).status).toBe(200);
    const edit = await call('POST', `/Invoices/${id}`, { Invoices: [{ Reference: 'x' }] });
    expect(validationMessages(edit)).toEqual(['This document cannot be edited as it has a status of VOIDED.']);
  });

  it('should delete a draft but not create an invoice as DELETED', async () => {
    const id = String(elements(await call('PUT', '/Invoices', { Invoices: [draft()] }), 'Invoices')[0]!.InvoiceID);
    expect((await call('POST', '/Invoices', { Invoices: [{ InvoiceID: id, Status: 'DELETED' }] })).status).toBe(200);
    expect(xero.state.snapshot().invoices[0]!.Status).toBe('DELETED');
    expect((await call('PUT', '/Invoices', { Invoices: [draft({ Status: 'DELETED' })] })).status).toBe(400);
  });

  it('should block line edits and voiding once the invoice is part-paid and mark it PAID when settled', async () => {
    const id = String(
      elements(await call('PUT', '/Invoices', { Invoices: [draft({ Status: 'AUTHORISED' })] }), 'Invoices')[0]!
        .InvoiceID
    );
    const partPaid = xero.knobs.markInvoicePaid(id, 100);
    expect(partPaid).toMatchObject({ Status: 'AUTHORISED', AmountPaid: 100, AmountDue: 76.73 });
    const lines = await call('POST', `/Invoices/${id}`, {
      Invoices: [{ LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 1 }] }],
    });
    expect(lines.status).toBe(400);
    expect((await call('POST', `/Invoices/${id}`, { Invoices: [{ Status: 'VOIDED' }] })).status).toBe(400);
    expect((await call('POST', `/Invoices/${id}`, { Invoices: [{ Reference: 'paid ref' }] })).status).toBe(200);
    expect(xero.knobs.markInvoicePaid('INV-0001')).toMatchObject({ Status: 'PAID', AmountDue: 0, AmountPaid: 176.73 });
  });

  it('should refuse unknown contacts, item codes and tax types', async () => {
    const result = await call('PUT', '/Invoices?summarizeErrors=false', {
      Invoices: [
        draft({ Contact: { ContactID: '00000000-0000-0000-0000-000000000000' } }),
        draft({ LineItems: [{ ItemCode: 'NOPE', Quantity: 1 }] }),
        draft({ LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 1, TaxType: 'MADEUP' }] }),
        draft({ Contact: { ContactNumber: 'P-1' } }),
      ],
    });
    expect(elements(result, 'Invoices').map((e) => e.StatusAttributeString)).toEqual(['ERROR', 'ERROR', 'ERROR', 'OK']);
  });

  it('should find invoices by Reference and InvoiceNumber where clauses', async () => {
    await call('PUT', '/Invoices', {
      Invoices: [draft({ Reference: 'SO-A' }), draft({ Reference: 'SO-B' }), draft({ Reference: 'SO-C' })],
    });
    const where = encodeURIComponent('Reference=="SO-A" OR InvoiceNumber=="INV-0003"');
    const found = elements(await call('GET', `/Invoices?where=${where}`), 'Invoices');
    expect(found.map((i) => i.Reference)).toEqual(['SO-A', 'SO-C']);
    expect(elements(await call('GET', '/Invoices/INV-0002'), 'Invoices')[0]!.Reference).toBe('SO-B');
    const byContact = encodeURIComponent(`Contact.ContactID=guid("${contactId.toUpperCase()}") AND Reference!="SO-B"`);
    expect(elements(await call('GET', `/Invoices?where=${byContact}`), 'Invoices').map((i) => i.Reference)).toEqual([
      'SO-A',
      'SO-C',
    ]);
  });

  it('should keep 4-decimal unit amounts when a later update omits the lines', async () => {
    const created = await call('PUT', '/Invoices?unitdp=4', {
      Invoices: [draft({ LineItems: [{ Description: 'Precise', Quantity: 1000, UnitAmount: 0.0125 }] })],
    });
    const invoice = elements(created, 'Invoices')[0]!;
    expect(invoice.Total).toBe(12.5);
    await call('POST', `/Invoices/${String(invoice.InvoiceID)}`, { Invoices: [{ Reference: 'renamed' }] });
    const [saved] = xero.state.snapshot().invoices;
    expect(saved).toMatchObject({ Reference: 'renamed', Total: 12.5 });
    expect((saved!.LineItems as Array<Record<string, unknown>>)[0]!.UnitAmount).toBe(0.0125);
  });
});
