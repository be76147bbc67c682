/**
 * The connector (real reader and gateway, core pipeline) against sandboxes that model Dataverse's and Xero's
 * documented behaviour. Each case names the rule and its documentation page.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_IDS } from '../../../../sandbox/demo-data';
import {
  demoOrder as order,
  demoPlatformHarnesses,
  type PlatformHarness,
  type PlatformHarnessOptions,
} from '../../../helpers/platform-harness';

const harness = demoPlatformHarnesses();

function invoices(h: PlatformHarness) {
  return h.xero.state.snapshot().invoices;
}

describe('invoice dates (Dataverse UserLocal dates are UTC instants)', () => {
  // learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute: UserLocal columns
  // come back in UTC; developer.xero.com/documentation/api/accounting/organisation: Timezone.
  it("should date the invoice on the organisation's own day, from the Xero organisation's time zone", async () => {
    const h = await harness({
      dataverseUserTimeZone: 'Australia/Sydney',
      xeroTenant: { timezone: 'AUSEASTERNSTANDARDTIME' },
    });
    const id = order(h, { submitdate: '2024-05-01' });
    expect(h.dataverse.state.get('salesorder', id)?.submitdate).toBe('2024-04-30T14:00:00Z');

    const results = await h.sync('salesorder', id);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    const [invoice] = invoices(h);
    expect(invoice?.DateString).toBe('2024-05-01T00:00:00');
    expect(invoice?.DueDateString).toBe('2024-05-31T00:00:00');
  });

  it('should let the timeZone setting decide the day instead of the organisation', async () => {
    const h = await harness({ settings: { timeZone: 'America/New_York' } });
    const id = order(h, { submitdate: '2024-05-01T02:00:00Z' });

    await h.sync('salesorder', id);

    expect(invoices(h)[0]?.DateString).toBe('2024-04-30T00:00:00');
  });
});

describe('creates use PUT, updates POST with the id', () => {
  // developer.xero.com/documentation/api/accounting/invoices: POST /Invoices updates an invoice that already has the
  // InvoiceNumber sent; PUT only creates and refuses a number in use.
  it('should never overwrite an invoice made by hand that already has the order number as its InvoiceNumber', async () => {
    const h = await harness({ settings: { invoiceNumbering: 'ordernumber' } });
    const books = h.xero.state.books();
    const customer = books.saveContact({ Name: 'Walk-in customer' }, 'create').record;
    const handMade = books.saveInvoice(
      {
        Type: 'ACCREC',
        Contact: { ContactID: customer.ContactID },
        InvoiceNumber: 'ORD-7001',
        Reference: 'typed by hand',
        LineItems: [{ Description: 'Hand-made', Quantity: 1, UnitAmount: 12.5 }],
      },
      'create',
      4
    ).record;
    const id = order(h, { ordernumber: 'ORD-7001', submitdate: '2026-03-02' });

    const results = await h.sync('salesorder', id);

    const after = h.xero.state.books().findInvoice(String(handMade.InvoiceID));
    expect(after).toMatchObject({
      Reference: 'typed by hand',
      Total: 12.5,
      Contact: { ContactID: customer.ContactID },
    });
    expect(results.find((r) => r.status === 'dead')).toMatchObject({
      error: expect.stringContaining('must be unique'),
    });
    expect(h.xero.knobs.callCounts()['POST /Invoices']).toBeUndefined();
  });

  it('should update an invoice it made by POST with the InvoiceID', async () => {
    const h = await harness();
    const id = order(h, { submitdate: '2026-03-02' });
    await h.sync('salesorder', id);
    h.dataverse.state.upsert('salesorder', { salesorderid: id, freightamount: 10 });

    const results = await h.sync('salesorder', id);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    const posts = h.xero.knobs.requests().filter((r) => r.route === 'POST /Invoices');
    expect(posts).toHaveLength(1);
    expect((posts[0]?.body as { Invoices: { InvoiceID?: string }[] }).Invoices[0]?.InvoiceID).toBe(
      invoices(h)[0]?.InvoiceID
    );
    expect(invoices(h)).toHaveLength(1);
    expect(invoices(h)[0]?.SubTotal).toBe(110);
  });
});

describe('archived Xero customers', () => {
  // developer.xero.com/documentation/api/accounting/contacts (ContactStatus): an archived contact must be restored
  // before it can take new invoices.
  async function archivedCustomer(options: PlatformHarnessOptions = {}) {
    const h = await harness(options);
    const first = order(h, { submitdate: '2026-03-02' });
    await h.sync('salesorder', first);
    const books = h.xero.state.books();
    const contact = books.listContacts().find((c) => c.ContactNumber === DEMO_IDS.accounts.northwind)!;
    books.saveContact({ ContactID: contact.ContactID, ContactStatus: 'ARCHIVED' }, 'upsert');
    h.xero.knobs.clearRequests();
    return { h, contactId: String(contact.ContactID), next: order(h, { submitdate: '2026-03-03' }) };
  }

  it('should fail an invoice for an archived customer early, saying how to fix it, and leave the contact alone', async () => {
    const { h, contactId, next } = await archivedCustomer();

    const results = await h.sync('salesorder', next);

    expect(results.find((r) => r.status === 'dead')).toMatchObject({
      error: expect.stringMatching(/archived in Xero.*restore the contact/),
    });
    expect(h.outcomes.outcomes.at(-1)).toMatchObject({ status: 'failed', errorCode: 'CUSTOMER_ARCHIVED' });
    expect(h.xero.knobs.callCounts()['PUT /Invoices']).toBeUndefined();
    expect(h.xero.knobs.callCounts()['POST /Contacts']).toBeUndefined();
    expect(h.xero.state.books().findContact(contactId)?.ContactStatus).toBe('ARCHIVED');
    expect(invoices(h)).toHaveLength(1);
  });

  it('should restore the customer around the invoice and archive it again when restoreArchivedCustomers is on', async () => {
    const { h, contactId, next } = await archivedCustomer({ settings: { restoreArchivedCustomers: true } });

    const results = await h.sync('salesorder', next);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(invoices(h)).toHaveLength(2);
    const statuses = h.xero.knobs
      .requests()
      .filter((r) => r.route === 'POST /Contacts')
      .map((r) => (r.body as { Contacts: { ContactStatus?: string }[] }).Contacts[0]?.ContactStatus);
    expect(statuses).toEqual(['ACTIVE', 'ARCHIVED']);
    expect(h.xero.state.books().findContact(contactId)?.ContactStatus).toBe('ARCHIVED');
  });
});

describe('orders without lines', () => {
  // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorderdetail: lines are records of
  // their own, created after their order, so the order's Create message arrives while it has none.
  it('should skip an order that has no lines yet, and invoice it once a line is added', async () => {
    const h = await harness();
    const id = randomUUID();
    h.dataverse.state.upsert('salesorder', {
      salesorderid: id,
      ordernumber: 'ORD-8001',
      customerid: { table: 'account', id: DEMO_IDS.accounts.northwind },
      transactioncurrencyid: { table: 'transactioncurrency', id: DEMO_IDS.currencies.usd },
    });

    const first = await h.sync('salesorder', id, 'Create');

    expect(first).toEqual([{ status: 'done' }]);
    expect(h.outcomes.outcomes).toEqual([
      expect.objectContaining({ status: 'skipped', message: expect.stringContaining('no lines yet') }),
    ]);
    expect(h.xero.knobs.requests()).toHaveLength(0);

    h.dataverse.state.upsert('salesorderdetail', {
      salesorderid: { table: 'salesorder', id },
      isproductoverridden: true,
      productdescription: 'Cupping session',
      priceperunit: 80,
      ispriceoverridden: true,
      quantity: 1,
    });
    const second = await h.sync('salesorder', id);

    expect(second.every((r) => r.status === 'done')).toBe(true);
    expect(invoices(h).map((i) => [i.Reference, i.SubTotal])).toEqual([['ORD-8001', 80]]);
  });
});

describe('disambiguated contact names', () => {
  // developer.xero.com/documentation/api/accounting/contacts: contact names are unique among active contacts.
  it('should keep the suffixed name on every update after a disambiguated create', async () => {
    const h = await harness({ settings: { disambiguateDuplicateNames: true } });
    h.xero.state.books().saveContact({ Name: 'Northwind Roasters Co-op' }, 'create');
    const id = DEMO_IDS.accounts.northwind;

    const created = await h.sync('account', id);
    h.dataverse.state.upsert('account', { accountid: id, telephone1: '+1 206 555 0100' });
    const updated = await h.sync('account', id);

    expect([...created, ...updated].every((r) => r.status === 'done')).toBe(true);
    const mine = h.xero.state
      .books()
      .listContacts()
      .find((c) => c.ContactNumber === id);
    expect(mine?.Name).toBe(`Northwind Roasters Co-op (${id.slice(0, 8)})`);
    expect(mine?.Phones).toEqual(expect.arrayContaining([expect.objectContaining({ PhoneNumber: '+1 206 555 0100' })]));
  });
});

describe('tax when Dataverse carries none', () => {
  // developer.xero.com/documentation/api/accounting/invoices (LineItems TaxAmount, TaxType): without a TaxAmount Xero
  // computes the tax of the line's tax type (the account's default when none is given).
  it('should let Xero compute GST on an order whose lines have no tax, instead of booking taxable lines at 0', async () => {
    const h = await harness();
    const id = order(h, { submitdate: '2026-03-02', freightamount: 20 });

    const results = await h.sync('salesorder', id);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    const [invoice] = invoices(h);
    // Account 200's default tax type in the sandbox is OUTPUT (15 %): 120 × 15 % = 18.
    expect(invoice).toMatchObject({ SubTotal: 120, TotalTax: 18, Total: 138 });
  });

  it('should send Dataverse’s own tax when the order carries it', async () => {
    const h = await harness();
    const id = order(h, { submitdate: '2026-03-02' });
    const [line] = h.dataverse.state.list('salesorderdetail').filter((l) => l._salesorderid_value === id);
    h.dataverse.state.upsert('salesorderdetail', { salesorderdetailid: line?.salesorderdetailid, tax: 12.5 });

    await h.sync('salesorder', id);

    expect(invoices(h)[0]).toMatchObject({ SubTotal: 100, TotalTax: 12.5, Total: 112.5 });
  });
});

describe('e-mail addresses Xero refuses', () => {
  // Xero's accounting OpenAPI contract, Contact EmailAddress: "umlauts not supported".
  it('should sync a contact whose e-mail Xero cannot take, without it, and punycode a non-ASCII domain', async () => {
    const h = await harness();
    const id = DEMO_IDS.accounts.northwind;
    h.dataverse.state.upsert('account', { accountid: id, emailaddress1: 'jürgen@example.de' });
    const other = randomUUID();
    h.dataverse.state.upsert('account', { accountid: other, name: 'Bücherei', emailaddress1: 'info@bücher.example' });

    const results = [...(await h.sync('account', id)), ...(await h.sync('account', other))];

    expect(results.every((r) => r.status === 'done')).toBe(true);
    const byNumber = (n: string) =>
      h.xero.state
        .books()
        .listContacts()
        .find((c) => c.ContactNumber === n);
    expect(byNumber(id)).toBeDefined();
    expect(byNumber(id)?.EmailAddress).toBeUndefined();
    expect(byNumber(other)?.EmailAddress).toBe('info@xn--bcher-kva.example');
  });
});

describe('items', () => {
  // developer.xero.com/documentation/api/accounting/items: IsSold and IsPurchased default to true, and setting one to
  // false nulls its description and details.
  it('should create catalogue items for sale only, and send a product that is not sold without sales details', async () => {
    const h = await harness();

    await h.sync('product', DEMO_IDS.products.grinder);
    await h.sync('product', DEMO_IDS.products.retiredKettle);

    const items = h.xero.state.books().listItems();
    expect(items.find((i) => i.Code === 'GRD-CONICAL-64')).toMatchObject({
      IsSold: true,
      IsPurchased: false,
      SalesDetails: expect.objectContaining({ UnitPrice: 689.99 }),
    });
    const sent = h.xero.knobs
      .requests()
      .filter((r) => r.route === 'PUT /Items')
      .map((r) => (r.body as { Items: Record<string, unknown>[] }).Items[0]);
    expect(sent[1]).toStrictEqual({
      Code: 'KTL-GOOSENECK-V1',
      Name: 'Gooseneck kettle (first edition)',
      IsSold: false,
      IsPurchased: false,
    });
  });

  it('should leave IsPurchased alone when it updates an item', async () => {
    const h = await harness();
    await h.sync('product', DEMO_IDS.products.grinder);
    const books = h.xero.state.books();
    const item = books.listItems().find((i) => i.Code === 'GRD-CONICAL-64')!;
    books.saveItem({ ItemID: item.ItemID, IsPurchased: true, PurchaseDetails: { UnitPrice: 400 } }, 'upsert', 4);
    h.dataverse.state.upsert('product', { productid: DEMO_IDS.products.grinder, price: 699 });

    await h.sync('product', DEMO_IDS.products.grinder);

    expect(books.listItems().find((i) => i.Code === 'GRD-CONICAL-64')).toMatchObject({
      IsPurchased: true,
      PurchaseDetails: { UnitPrice: 400 },
      SalesDetails: expect.objectContaining({ UnitPrice: 699 }),
    });
  });
});

describe('contact persons of an account', () => {
  // developer.xero.com/documentation/api/accounting/contacts (ContactPersons): the list sent on update replaces the
  // contact's persons.
  const persons = (h: PlatformHarness, accountId: string) =>
    (h.xero.state
      .books()
      .listContacts()
      .find((c) => c.ContactNumber === accountId)?.ContactPersons ?? []) as {
      FirstName?: string;
    }[];

  it('should take a deleted contact off its account’s Xero contact', async () => {
    const h = await harness();
    const { bjornLindqvist } = DEMO_IDS.contacts;
    await h.sync('contact', bjornLindqvist);
    expect(persons(h, DEMO_IDS.accounts.cafeNandu).map((p) => p.FirstName)).toEqual(['Björn']);

    h.dataverse.state.remove('contact', bjornLindqvist);
    const results = await h.sync('contact', bjornLindqvist, 'Delete');

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(persons(h, DEMO_IDS.accounts.cafeNandu)).toEqual([]);
  });

  it('should move a re-parented contact from the old account’s Xero contact to the new one', async () => {
    const h = await harness();
    const { bjornLindqvist } = DEMO_IDS.contacts;
    await h.sync('contact', bjornLindqvist);

    h.dataverse.state.upsert('contact', {
      contactid: bjornLindqvist,
      parentcustomerid: { table: 'account', id: DEMO_IDS.accounts.northwind },
    });
    await h.sync('contact', bjornLindqvist);

    expect(persons(h, DEMO_IDS.accounts.cafeNandu)).toEqual([]);
    expect(persons(h, DEMO_IDS.accounts.northwind).map((p) => p.FirstName)).toEqual(['Björn']);
  });
});

describe('deep links', () => {
  // developer.xero.com/documentation/guides/how-to-guides/deep-link-xero: organisationlogin with the ShortCode opens
  // the document in the right organisation.
  it('should give outcomes the organisation ShortCode so links open in that organisation', async () => {
    const h = await harness({ xeroTenant: { shortCode: '!Ab3xY' } });

    await h.sync('account', DEMO_IDS.accounts.northwind);

    expect(h.outcomes.outcomes.at(-1)).toMatchObject({ status: 'synced', xeroShortCode: '!Ab3xY' });
  });
});
