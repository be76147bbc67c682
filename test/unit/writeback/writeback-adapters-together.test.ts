/** The use case on the real adapters, each against its own 127.0.0.1 fake: Xero → Dataverse in one pass. */
import { DataverseOrderWritebackWriter } from '../../../lambdas/adapters/dataverse/order-writeback-writer';
import { XeroAccountingInvoiceReader } from '../../../lambdas/adapters/xero/xero-invoice-reader';
import { TenantRateLimiter } from '../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { createApplyXeroInvoiceEvents } from '../../../lambdas/core/writeback/apply-xero-invoice-events';
import { DEFAULT_WRITEBACK_COLUMNS } from '../../../lambdas/core/writeback/columns';
import { useFakeHttpServer, type FakeRoute } from '../../helpers/fake-http-server';
import { fixedClock, recordingLogger } from '../../helpers/in-memory-ports';
import { TENANT, invoiceEvent, uuid } from './writeback-fakes';

const ORDER_ID = '11111111-2222-4333-8444-555555555555';
const xero = useFakeHttpServer();
const dataverse = useFakeHttpServer();

function wire(patchReply: ReturnType<FakeRoute>) {
  xero.requests.length = 0;
  dataverse.requests.length = 0;
  xero.setRoute(() => ({
    body: {
      Invoices: [
        {
          InvoiceID: uuid(1),
          Type: 'ACCREC',
          InvoiceNumber: 'INV-0101',
          Reference: 'ORD-0101',
          Status: 'PAID',
          AmountDue: 0,
          AmountPaid: 115,
          AmountCredited: 0,
          FullyPaidOnDate: '/Date(1764028800000+0000)/',
        },
      ],
    },
  }));
  dataverse.setRoute((request) =>
    request.method === 'GET'
      ? { body: { value: [{ salesorderid: ORDER_ID, d365x_xeroinvoicestatus: 'AUTHORISED' }] } }
      : patchReply
  );
  const sleep = async () => undefined;
  const clock = fixedClock();
  const logger = recordingLogger();
  const apply = createApplyXeroInvoiceEvents({
    xero: new XeroAccountingInvoiceReader({
      access: { getAccess: async () => ({ accessToken: 'xero-token-for-tests', tenantId: TENANT }) },
      limiter: new TenantRateLimiter({ clock, sleep }),
      apiUrl: xero.url,
      timeoutMs: 2_000,
      clock,
      sleep,
    }),
    orders: new DataverseOrderWritebackWriter({
      serverUrl: dataverse.url,
      tokenSource: async () => 'dataverse-token-for-tests',
      timeoutMs: 2_000,
      sleep,
    }),
    columns: DEFAULT_WRITEBACK_COLUMNS,
    logger,
    clock,
    tenantId: TENANT,
    syncState: {
      get: async (table, id) =>
        table === 'salesorder' && id === ORDER_ID
          ? { table, id, xeroId: uuid(1), status: 'synced', updatedAt: '2026-11-20T00:00:00.000Z' }
          : null,
    },
  });
  return { apply, logger };
}

describe('write-back over the real adapters', () => {
  it('should read the invoice from Xero and PATCH the order found by its Reference', async () => {
    const { apply } = wire({ status: 204 });

    const result = await apply([invoiceEvent(uuid(1))]);

    expect(result).toEqual({ applied: 1, ignored: 0, failed: [], patched: 1 });
    const patch = dataverse.requests.find((request) => request.method === 'PATCH');
    expect(patch?.url).toBe(`/api/data/v9.2/salesorders(${ORDER_ID})`);
    expect(JSON.parse(patch?.body ?? '{}')).toEqual({
      d365x_xeroinvoicenumber: 'INV-0101',
      d365x_xeroinvoicestatus: 'PAID',
      d365x_xeroamountdue: 0,
      d365x_xeroamountpaid: 115,
      d365x_xerofullypaidon: '2025-11-25',
      d365x_xeroinvoiceurl: `https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=${uuid(1)}`,
    });
  });

  it('should ignore the event when Dataverse answers 404 for the order', async () => {
    const { apply, logger } = wire({
      status: 404,
      body: { error: { code: '0x80040217', message: 'salesorder Does Not Exist' } },
    });

    const result = await apply([invoiceEvent(uuid(1))]);

    expect(result).toEqual({ applied: 0, ignored: 1, failed: [], patched: 0 });
    expect(logger.lines.some((line) => line.includes('deleted before the update') && line.includes(ORDER_ID))).toBe(
      true
    );
  });
});
