/**
 * The connector's adapters talk to these sandboxes through dynamics-web-api and xero-node, so the sandboxes must
 * answer in shapes those libraries parse. These tests drive the real client libraries against them on 127.0.0.1.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { AccountingApi, Contact, Contacts, Invoice, LineAmountTypes } from 'xero-node';
import { startSandboxDataverse, type SandboxDataverse } from '../../../sandbox/dataverse/server';
import { DEMO_IDS, seedDemoData } from '../../../sandbox/demo-data';
import { startSandboxXero, type SandboxXero } from '../../../sandbox/xero-accounting/server';

describe('sandbox compatibility with the client libraries', () => {
  let dv: SandboxDataverse;
  let xero: SandboxXero;

  beforeAll(async () => {
    dv = await startSandboxDataverse({ accessToken: 'dv-token' });
    seedDemoData(dv.state);
    xero = await startSandboxXero();
  });
  afterAll(async () => {
    await dv.close();
    await xero.close();
  });

  it('should let dynamics-web-api retrieve an order with expanded lines and annotations', async () => {
    const client = new DynamicsWebApi({ serverUrl: dv.url, onTokenRefresh: async () => 'dv-token', timeout: 5000 });
    const order = await client.retrieve<Record<string, unknown>>({
      collection: 'salesorders',
      key: DEMO_IDS.orders.harbourview,
      select: ['ordernumber', 'totalamount', '_customerid_value'],
      expand: [{ property: 'order_details', select: ['quantity', 'extendedamount', 'isproductoverridden'] }],
      includeAnnotations: '*',
    });
    expect(order.ordernumber).toBe('ORD-01001-HVP');
    expect(order['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    expect((order.order_details as unknown[]).length).toBe(3);
  });

  it('should let dynamics-web-api page through everything and create a record', async () => {
    const client = new DynamicsWebApi({ serverUrl: dv.url, onTokenRefresh: async () => 'dv-token', timeout: 5000 });
    const all = await client.retrieveAll<Record<string, unknown>>({
      collection: 'contacts',
      select: ['fullname'],
      maxPageSize: 2,
    });
    expect(all.value.map((c) => c.fullname).sort()).toEqual(['Aria Te Whare', 'Björn Lindqvist', 'Maya Okafor']);
    const id = await client.create({ collection: 'accounts', data: { name: 'Created through the library' } });
    expect(dv.state.get('account', String(id))?.name).toBe('Created through the library');
    await expect(
      client.retrieve({ collection: 'accounts', key: '12345678-1234-1234-1234-123456789012' })
    ).rejects.toMatchObject({ status: 404 });
  });

  it('should let xero-node create and read contacts and surface validation errors', async () => {
    const api = new AccountingApi();
    api.basePath = xero.apiUrl;
    api.accessToken = 'sandbox-token';
    const contact: Contact = { name: 'Library Contact', contactNumber: 'LIB-1' };
    const created = await api.createContacts(xero.tenantId, { contacts: [contact] } as Contacts, false);
    expect(created.body.contacts?.[0]?.contactID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.contacts?.[0]?.statusAttributeString).toBe('OK');
    const found = await api.getContacts(xero.tenantId, undefined, 'ContactNumber=="LIB-1"');
    expect(found.body.contacts?.map((c) => c.name)).toEqual(['Library Contact']);
    const failure = await api
      .createContacts(xero.tenantId, { contacts: [contact] } as Contacts)
      .catch((e: unknown) => e);
    const parsed = JSON.parse(String(failure)) as { response: { statusCode: number }; body: { Type: string } };
    expect(parsed.response.statusCode).toBe(400);
    expect(parsed.body.Type).toBe('ValidationException');
  });

  it('should let xero-node upsert invoices with element statuses, idempotency keys and see 429 headers', async () => {
    const api = new AccountingApi();
    api.basePath = xero.apiUrl;
    api.accessToken = 'sandbox-token';
    const contact = await api.createContacts(xero.tenantId, { contacts: [{ name: 'Invoice Customer' }] } as Contacts);
    const invoice: Invoice = {
      type: Invoice.TypeEnum.ACCREC,
      contact: { contactID: contact.body.contacts![0]!.contactID! },
      reference: 'ORD-9',
      date: '2026-04-01',
      dueDate: '2026-04-30',
      lineAmountTypes: LineAmountTypes.Exclusive,
      lineItems: [{ description: 'Write-in', quantity: 2, unitAmount: 10.125, taxType: 'OUTPUT' }],
    };
    const result = await api.updateOrCreateInvoices(xero.tenantId, { invoices: [invoice] }, false, 4, 'inv-ORD-9');
    const saved = result.body.invoices![0]!;
    expect(saved.statusAttributeString).toBe('OK');
    expect(saved).toMatchObject({ invoiceNumber: 'INV-0001', subTotal: 20.25, totalTax: 3.04, total: 23.29 });
    const replay = await api.updateOrCreateInvoices(xero.tenantId, { invoices: [invoice] }, false, 4, 'inv-ORD-9');
    expect(replay.body.invoices![0]!.invoiceID).toBe(saved.invoiceID);

    xero.knobs.failNext(1, 429, 12);
    const limited = await api.getInvoices(xero.tenantId).catch((e: unknown) => e);
    const parsed = JSON.parse(String(limited)) as { response: { statusCode: number; headers: Record<string, string> } };
    expect(parsed.response.statusCode).toBe(429);
    expect(parsed.response.headers['retry-after']).toBe('12');
    expect(parsed.response.headers['x-rate-limit-problem']).toBe('minute');
  });
});
