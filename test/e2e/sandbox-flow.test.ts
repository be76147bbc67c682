/**
 * Sandbox mode end to end: seeded Dataverse records reach the sandbox Xero exactly right, then changes made in the
 * sandbox Dataverse travel as webhooks through the connector and update Xero in place.
 */
import { DEMO_IDS } from '../../sandbox/demo-data';
import type { XeroRecord } from '../../sandbox/xero-accounting/xero-json';
import { SANDBOX_XERO_TENANT_ID } from '../../sandbox/xero-accounting/server';
import { SANDBOX_EUROPE_TENANT_ID } from '../../src/local/sandbox-mode';
import {
  badXeroRequests,
  books,
  contactsByNumber,
  getStatus,
  invoicesByReference,
  waitFor,
  waitForDrain,
  useSandboxRun,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const ids = DEMO_IDS;

const run = useSandboxRun('sandbox-flow');
const sandbox = () => run.sandbox;
const only = <T>(list: T[], what: string): T => {
  if (list.length !== 1) throw new Error(`expected exactly one ${what}, found ${list.length}`);
  return list[0] as T;
};
const lines = (invoice: XeroRecord) => invoice.LineItems as XeroRecord[];

describe('sandbox mode, seeded records', () => {
  it('should report sandbox mode and a completed consent on /status', async () => {
    const status = await getStatus(run.url);
    expect(status.runtime).toBe('sandbox');
    expect(status.connection.state).toBe('connected');
    expect(status.connection.tenantName).toBeTruthy();
    expect(status.counts.failed).toBe(0);
  });

  it('should create one Xero contact per account and own contact, keyed by the Dataverse GUID', () => {
    for (const id of [...Object.values(ids.accounts), ids.contacts.mayaOkafor]) {
      only(contactsByNumber(sandbox(), id), `contact ${id}`);
    }
    // Contacts of an account are contact persons, not contacts of their own.
    expect(contactsByNumber(sandbox(), ids.contacts.ariaTeWhare)).toHaveLength(0);
    expect(books(sandbox()).flatMap((b) => b.contacts)).toHaveLength(4);
    const nandu = only(contactsByNumber(sandbox(), ids.accounts.cafeNandu), 'Café Ñandú');
    expect(nandu.Name).toBe('Café Ñandú Größhandel GmbH');
    const harbourview = only(contactsByNumber(sandbox(), ids.accounts.harbourview), 'Harbourview');
    expect(harbourview.ContactPersons).toEqual([expect.objectContaining({ FirstName: 'Aria', LastName: 'Te Whare' })]);
    expect(nandu.ContactPersons).toEqual([expect.objectContaining({ FirstName: 'Björn', LastName: 'Lindqvist' })]);
  });

  it('should route the demo data by business unit: Europe to the second organisation, Pacific to the first', () => {
    const europe = SANDBOX_EUROPE_TENANT_ID;
    expect(contactsByNumber(sandbox(), ids.accounts.cafeNandu, europe)).toHaveLength(1);
    expect(invoicesByReference(sandbox(), 'ORD-01003-CNG', europe)).toHaveLength(1);
    expect(invoicesByReference(sandbox(), 'ORD-01001-HVP', SANDBOX_XERO_TENANT_ID)).toHaveLength(1);
    expect(books(sandbox(), europe)[0]?.invoices).toHaveLength(1);
    // The order's catalogue item is created on demand in the organisation of the invoice that needs it.
    expect(books(sandbox(), europe)[0]?.items.map((item) => item.Code)).toEqual(['GRD-CONICAL-64']);
  });

  it('should create items with codes of at most 30 characters and the retired product not sold', () => {
    const items = sandbox().accounting.state.snapshot().items;
    expect(items).toHaveLength(4);
    for (const item of items) expect(String(item.Code).length).toBeLessThanOrEqual(30);
    const planter = only(
      items.filter((i) => i.Name === 'Glazed terracotta planter, large'),
      'planter'
    );
    expect(String(planter.Code)).not.toBe('PLANTER-TERRACOTTA-GLAZED-SEAGREEN-LARGE-2026');
    expect(String(planter.Code).startsWith('PLANTER-')).toBe(true);
    const kettle = only(
      items.filter((i) => i.Code === 'KTL-GOOSENECK-V1'),
      'kettle'
    );
    expect(kettle.IsSold).toBe(false);
    expect(
      only(
        items.filter((i) => i.Code === 'BEAN-ESP-1KG'),
        'beans'
      ).IsSold
    ).toBe(true);
  });

  it('should create one invoice per order whose totals equal the Dataverse totals', () => {
    expect(books(sandbox()).flatMap((b) => b.invoices)).toHaveLength(3);
    const expected: [string, string, number, string][] = [
      ['ORD-01001-HVP', ids.accounts.harbourview, 1500.19, 'USD'],
      ['ORD-01002-MOK', ids.contacts.mayaOkafor, 209.01, 'USD'],
      ['ORD-01003-CNG', ids.accounts.cafeNandu, 1470.49, 'EUR'],
    ];
    for (const [reference, customer, total, currency] of expected) {
      const invoice = only(invoicesByReference(sandbox(), reference), `invoice ${reference}`);
      expect(invoice.Type).toBe('ACCREC');
      expect(invoice.Total).toBe(total);
      expect(invoice.CurrencyCode).toBe(currency);
      expect((invoice.Contact as XeroRecord).ContactNumber).toBe(customer);
    }
    for (const order of Object.values(ids.orders)) {
      const dv = sandbox().dataverseServer.state.get('salesorder', order);
      const invoice = only(invoicesByReference(sandbox(), String(dv?.ordernumber)), 'invoice');
      expect(invoice.Total).toBe(dv?.totalamount);
    }
  });

  it('should send the write-in line without an ItemCode and with its description', () => {
    const invoice = only(invoicesByReference(sandbox(), 'ORD-01001-HVP'), 'invoice');
    const writeIn = only(
      lines(invoice).filter((l) => l.Description === 'On-site installation and barista training (half day)'),
      'write-in line'
    );
    expect(writeIn.ItemCode).toBeUndefined();
    expect(writeIn.UnitAmount).toBe(320);
  });

  it('should have sent only contract-valid bodies to Xero', () => {
    expect(badXeroRequests(sandbox())).toEqual([]);
  });
});

describe('sandbox mode, changes made in Dataverse afterwards', () => {
  beforeAll(async () => {
    const dv = sandbox().dataverseServer.state;
    dv.update('account', ids.accounts.harbourview, { name: 'Harbourview Provisions & Co' });
    dv.create('salesorderdetail', {
      salesorderid: { table: 'salesorder', id: ids.orders.mayaOkafor },
      productid: { table: 'product', id: ids.products.grinder },
      quantity: 1,
      tax: 0,
    });
    dv.recalculateOrder(ids.orders.mayaOkafor);
    dv.update('account', ids.accounts.northwind, { statecode: 1, statuscode: 2 });
    dv.update('salesorder', ids.orders.cafeNanduEur, { statecode: 2, statuscode: 4 });
    const expectedMaya = Number(dv.get('salesorder', ids.orders.mayaOkafor)?.totalamount);
    await waitFor('the changes to reach Xero', () => {
      const harbour = contactsByNumber(sandbox(), ids.accounts.harbourview)[0];
      const maya = invoicesByReference(sandbox(), 'ORD-01002-MOK')[0];
      const northwind = contactsByNumber(sandbox(), ids.accounts.northwind)[0];
      const nandu = invoicesByReference(sandbox(), 'ORD-01003-CNG')[0];
      return (
        harbour?.Name === 'Harbourview Provisions & Co' &&
        maya?.Total === expectedMaya &&
        northwind?.ContactStatus === 'ARCHIVED' &&
        (nandu?.Status === 'DELETED' || nandu?.Status === 'VOIDED')
      );
    });
    await waitForDrain(run.url);
  });

  it('should rename the Xero contact in place', () => {
    const harbour = only(contactsByNumber(sandbox(), ids.accounts.harbourview), 'Harbourview');
    expect(harbour.Name).toBe('Harbourview Provisions & Co');
    expect(books(sandbox()).flatMap((b) => b.contacts)).toHaveLength(4);
  });

  it('should update the invoice in place with the new line and the new Dataverse total', () => {
    const invoice = only(invoicesByReference(sandbox(), 'ORD-01002-MOK'), 'Maya invoice');
    const dv = sandbox().dataverseServer.state.get('salesorder', ids.orders.mayaOkafor);
    expect(invoice.Total).toBe(dv?.totalamount);
    expect(invoice.Total).not.toBe(209.01);
    expect(lines(invoice).some((l) => l.ItemCode === 'GRD-CONICAL-64')).toBe(true);
    expect((invoice.Contact as XeroRecord).ContactNumber).toBe(ids.contacts.mayaOkafor);
  });

  it('should archive the Xero contact of a deactivated account', () => {
    expect(only(contactsByNumber(sandbox(), ids.accounts.northwind), 'Northwind').ContactStatus).toBe('ARCHIVED');
  });

  it('should delete (or void) the invoice of a cancelled order and keep just that one invoice', () => {
    const invoice = only(invoicesByReference(sandbox(), 'ORD-01003-CNG'), 'Nandu invoice');
    expect(['DELETED', 'VOIDED']).toContain(invoice.Status);
    expect(books(sandbox()).flatMap((b) => b.invoices)).toHaveLength(3);
  });

  it('should archive the Xero contact of an account deleted in Dataverse', async () => {
    const dv = sandbox().dataverseServer.state;
    const created = dv.create('account', { name: 'Short-lived Trading Ltd' });
    await waitFor('the new account in Xero', () => contactsByNumber(sandbox(), created.id).length === 1);
    await waitForDrain(run.url);
    dv.remove('account', created.id);
    await waitFor(
      'the deleted account to be archived',
      () => contactsByNumber(sandbox(), created.id)[0]?.ContactStatus === 'ARCHIVED'
    );
    expect(contactsByNumber(sandbox(), created.id)).toHaveLength(1);
  });

  it('should update two invoices whose orders changed together (one batched lookup by Reference)', async () => {
    const dv = sandbox().dataverseServer.state;
    const { knobs } = sandbox().accounting;
    // Hold Xero on a contact update so both invoice writes queue up and travel in one batch.
    knobs.pause();
    try {
      dv.update('account', ids.accounts.harbourview, { telephone1: '+64 9 555 0143' });
      await waitFor('a held Xero request', () => knobs.inFlight() >= 1);
      dv.update('salesorder', ids.orders.harbourview, { freightamount: 50 });
      dv.update('salesorder', ids.orders.mayaOkafor, { freightamount: 5 });
      await waitFor('both invoice writes queued', () => run.connector.app.queue.depth('writes').ready >= 2);
    } finally {
      knobs.resume();
    }
    await waitForDrain(run.url);
    for (const order of [ids.orders.harbourview, ids.orders.mayaOkafor]) {
      const dvOrder = dv.get('salesorder', order);
      const invoice = only(invoicesByReference(sandbox(), String(dvOrder?.ordernumber)), 'invoice');
      expect(invoice.Total).toBe(dvOrder?.totalamount);
    }
    const status = await getStatus(run.url);
    expect(status.failures).toEqual([]);
  });

  it('should finish with no failures, no dead letters and only contract-valid Xero requests', async () => {
    const status = await waitForDrain(run.url);
    expect(status.counts.failed).toBe(0);
    expect(status.queues.changes.dead + status.queues.writes.dead).toBe(0);
    expect(badXeroRequests(sandbox())).toEqual([]);
  });
});
