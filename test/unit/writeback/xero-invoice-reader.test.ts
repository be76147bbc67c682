import { RateLimitedError } from '../../../lambdas/core/errors';
import { TenantRateLimiter } from '../../../lambdas/core/rate-limit/tenant-rate-limiter';
import {
  XeroAccountingInvoiceReader,
  parseXeroDate,
  type XeroInvoiceReaderOptions,
} from '../../../lambdas/adapters/xero/xero-invoice-reader';
import { XeroAccountingGateway } from '../../../lambdas/adapters/xero/xero-gateway';
import { useFakeHttpServer } from '../../helpers/fake-http-server';
import { fakeTime } from '../../helpers/fake-time';
import { uuid } from './writeback-fakes';

const TOKEN = 'test-access-token-for-writeback';
const TENANT_ID = '2b9c1d7e-3f40-4a51-8b62-7c83d94ea5f6';
const access = { getAccess: async () => ({ accessToken: TOKEN, tenantId: TENANT_ID }) };

const server = useFakeHttpServer();

function reader(overrides: Partial<XeroInvoiceReaderOptions> = {}) {
  const time = fakeTime('2026-11-26T01:00:00Z');
  const limiter = new TenantRateLimiter({ clock: time.clock, sleep: time.sleep });
  const instance = new XeroAccountingInvoiceReader({
    access,
    limiter,
    apiUrl: server.url,
    timeoutMs: 2_000,
    clock: time.clock,
    sleep: time.sleep,
    ...overrides,
  });
  return { reader: instance, time, limiter };
}

const wireInvoice = (n: number, overrides: Record<string, unknown> = {}) => ({
  InvoiceID: uuid(n),
  Type: 'ACCREC',
  InvoiceNumber: `INV-${n}`,
  Reference: `ORD-${n}`,
  Status: 'PAID',
  Total: 230,
  AmountDue: 0,
  AmountPaid: 180,
  AmountCredited: 50,
  FullyPaidOnDate: '/Date(1764028800000+0000)/',
  UpdatedDateUTC: '/Date(1764151200123+0000)/',
  ...overrides,
});

describe('XeroAccountingInvoiceReader', () => {
  it('should GET one invoice for the tenant and read Xero amounts and .NET dates', async () => {
    server.setRoute(() => ({ body: { Invoices: [wireInvoice(1)] } }));

    const invoice = await reader().reader.getInvoice(uuid(1));

    const request = server.requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`/api.xro/2.0/Invoices/${uuid(1)}?unitdp=4`);
    expect(request.headers['xero-tenant-id']).toBe(TENANT_ID);
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(invoice).toEqual({
      invoiceId: uuid(1),
      type: 'ACCREC',
      invoiceNumber: 'INV-1',
      reference: 'ORD-1',
      status: 'PAID',
      total: 230,
      amountDue: 0,
      amountPaid: 180,
      amountCredited: 50,
      fullyPaidOn: '2025-11-25',
      updatedAt: '2025-11-26T10:00:00.123Z',
    });
  });

  it('should return null for an invoice Xero does not know (404)', async () => {
    server.setRoute(() => ({ status: 404, body: 'The resource you have specified cannot be found' }));
    await expect(reader().reader.getInvoice(uuid(2))).resolves.toBeNull();
  });

  it('should read the invoices a credit note is allocated to, once each', async () => {
    server.setRoute(() => ({
      body: {
        CreditNotes: [
          {
            CreditNoteID: uuid(90),
            Type: 'ACCRECCREDIT',
            Status: 'PAID',
            Allocations: [
              { Amount: 20, Invoice: { InvoiceID: uuid(3) } },
              { Amount: 30, Invoice: { InvoiceID: uuid(4) } },
              { Amount: 5, Invoice: { InvoiceID: uuid(3) } },
            ],
          },
        ],
      },
    }));
    const note = await reader().reader.getCreditNote(uuid(90));
    expect(server.requests[0]!.url).toBe(`/api.xro/2.0/CreditNotes/${uuid(90)}?unitdp=4`);
    expect(note).toEqual({ creditNoteId: uuid(90), type: 'ACCRECCREDIT', allocatedInvoiceIds: [uuid(3), uuid(4)] });
  });

  it('should list sales invoices with If-Modified-Since, oldest change first, paged', async () => {
    server.setRoute(() => ({ body: { Invoices: [wireInvoice(5), wireInvoice(6)] } }));
    const { reader: instance } = reader({ pageSize: 2 });

    const page = await instance.listSalesInvoicesModifiedSince('2026-11-20T10:00:00.000Z', 3);

    const request = server.requests[0]!;
    expect(request.headers['if-modified-since']).toBe('2026-11-20T10:00:00.000Z');
    const query = new URL(request.url, server.url).searchParams;
    expect(request.url.startsWith('/api.xro/2.0/Invoices?')).toBe(true);
    expect(query.get('where')).toBe('Type=="ACCREC"');
    expect(query.get('order')).toBe('UpdatedDateUTC ASC');
    expect(query.get('page')).toBe('3');
    expect(query.get('pageSize')).toBe('2');
    expect(page.hasMore).toBe(true);
    expect(page.invoices.map((invoice) => invoice.invoiceId)).toEqual([uuid(5), uuid(6)]);

    server.setRoute(() => ({ body: { Invoices: [wireInvoice(7)] } }));
    const last = await instance.listSalesInvoicesModifiedSince('2026-11-20T10:00:00.000Z', 4);
    expect(last.hasMore).toBe(false);
  });

  it('should wait out a 429 through the shared limiter and then succeed', async () => {
    let calls = 0;
    server.setRoute(() => {
      calls += 1;
      return calls === 1
        ? { status: 429, headers: { 'retry-after': '3', 'x-rate-limit-problem': 'minute' } }
        : { body: { Invoices: [wireInvoice(8)] } };
    });
    const { reader: instance, time } = reader();

    const invoice = await instance.getInvoice(uuid(8));

    expect(invoice?.invoiceId).toBe(uuid(8));
    // The invoice twice (429, then OK), then the organisation for the link's ShortCode.
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual([
      `/api.xro/2.0/Invoices/${uuid(8)}`,
      `/api.xro/2.0/Invoices/${uuid(8)}`,
      '/api.xro/2.0/Organisation',
    ]);
    expect(time.sleeps).toEqual([3_000]);
  });

  // developer.xero.com/documentation/guides/how-to-guides/deep-link-xero: organisationlogin with the ShortCode.
  it('should give invoices the organisation ShortCode, read once, for links that open in that organisation', async () => {
    server.setRoute((request) =>
      request.url.startsWith('/api.xro/2.0/Organisation')
        ? { body: { Organisations: [{ ShortCode: '!Ab3xY' }] } }
        : { body: { Invoices: [wireInvoice(8)] } }
    );
    const { reader: instance } = reader();

    const first = await instance.getInvoice(uuid(8));
    await instance.getInvoice(uuid(8));

    expect(first?.shortCode).toBe('!Ab3xY');
    expect(server.requests.filter((r) => r.url.startsWith('/api.xro/2.0/Organisation'))).toHaveLength(1);
  });

  it('should make the sync gateway sharing the limiter wait after a 429 seen by the reader', async () => {
    server.setRoute((request) =>
      request.url.startsWith('/api.xro/2.0/Invoices/')
        ? { status: 429, headers: { 'retry-after': '7', 'x-rate-limit-problem': 'minute' } }
        : { body: { Items: [] } }
    );
    const time = fakeTime('2026-11-26T01:00:00Z');
    const limiter = new TenantRateLimiter({ clock: time.clock, sleep: time.sleep });
    const shared = { access, limiter, apiUrl: server.url, timeoutMs: 2_000, clock: time.clock, sleep: time.sleep };
    const invoiceReader = new XeroAccountingInvoiceReader({ ...shared, retry: { maxRateLimitRetries: 0 } });
    const gateway = new XeroAccountingGateway(shared);

    await expect(invoiceReader.getInvoice(uuid(9))).rejects.toBeInstanceOf(RateLimitedError);
    expect(time.sleeps).toEqual([]);
    await gateway.findItemsByCode(['ANY']);

    expect(time.sleeps).toEqual([7_000]);
  });
});

describe('parseXeroDate', () => {
  it('should read .NET dates with or without offset and zone-less ISO as UTC', () => {
    expect(parseXeroDate('/Date(1764028800000+0000)/')).toBe(Date.parse('2025-11-25T00:00:00Z'));
    expect(parseXeroDate('/Date(1764028800000)/')).toBe(Date.parse('2025-11-25T00:00:00Z'));
    expect(parseXeroDate('2025-11-25T10:30:00')).toBe(Date.parse('2025-11-25T10:30:00Z'));
    expect(parseXeroDate('yesterday')).toBeUndefined();
    expect(parseXeroDate(42)).toBeUndefined();
  });
});
