import { PermanentError, RateLimitedError } from '../../../lambdas/core/errors';
import {
  DataverseOrderWritebackWriter,
  odataString,
  type OrderWritebackWriterOptions,
} from '../../../lambdas/adapters/dataverse/order-writeback-writer';
import { DEFAULT_WRITEBACK_COLUMNS } from '../../../lambdas/core/writeback/columns';
import type { FakeDataverseHandler } from '../../helpers/dataverse-fake-server';
import { dataverseError, useDataverseFakeServer } from '../../helpers/dataverse-fake-server';
import { useFakeHttpServer } from '../../helpers/fake-http-server';
import { DEFAULT_WRITEBACK_COLUMN_NAMES } from '../../helpers/writeback-column-names';

const ORDER_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
const TOKEN = 'writeback-test-bearer';

let handler: FakeDataverseHandler = () => ({ status: 500 });
const server = useDataverseFakeServer((request, base) => handler(request, base));
/** Records request bodies too, which the PATCH tests need. */
const recorder = useFakeHttpServer(() => ({ status: 204 }));

function writer(options: Partial<OrderWritebackWriterOptions> = {}) {
  const { options: common, sleeps } = server.clientOptions(TOKEN);
  return { writer: new DataverseOrderWritebackWriter({ ...common, ...options }), sleeps };
}

const orderRow = (values: Record<string, unknown> = {}) => ({
  '@odata.etag': 'W/"1234"',
  salesorderid: ORDER_ID.toUpperCase(),
  d365x_xeroinvoicenumber: 'INV-0042',
  d365x_xeroinvoicestatus: 'AUTHORISED',
  d365x_xeroamountdue: 130.5,
  d365x_xeroamountpaid: 100,
  d365x_xerofullypaidon: null,
  d365x_xeroinvoiceurl: null,
  ...values,
});

describe('DataverseOrderWritebackWriter.findOrderByNumber', () => {
  it('should filter salesorders by the escaped ordernumber and read the write-back columns in the same GET', async () => {
    handler = () => ({ status: 200, body: { value: [orderRow({ d365x_xerofullypaidon: '2026-11-25' })] } });

    const order = await writer().writer.findOrderByNumber("ORD-7'1", DEFAULT_WRITEBACK_COLUMNS);

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/api/data/v9.2/salesorders');
    expect(request.query.get('$filter')).toBe("ordernumber eq 'ORD-7''1'");
    expect(request.query.get('$select')?.split(',')).toEqual([
      'salesorderid',
      'statecode',
      ...DEFAULT_WRITEBACK_COLUMN_NAMES,
    ]);
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(order).toEqual({
      salesOrderId: ORDER_ID,
      current: {
        invoiceNumber: 'INV-0042',
        status: 'AUTHORISED',
        amountDue: '130.5',
        amountPaid: '100',
        fullyPaidOn: '2026-11-25',
        invoiceUrl: null,
      },
    });
  });

  it('should read a date-time paid-on column as its date', async () => {
    handler = () => ({ status: 200, body: { value: [orderRow({ d365x_xerofullypaidon: '2026-11-25T00:00:00Z' })] } });
    const order = await writer().writer.findOrderByNumber('ORD-1', DEFAULT_WRITEBACK_COLUMNS);
    expect(order?.current.fullyPaidOn).toBe('2026-11-25');
  });

  it('should return null when no order has the number', async () => {
    handler = () => ({ status: 200, body: { value: [] } });
    await expect(writer().writer.findOrderByNumber('ORD-404', DEFAULT_WRITEBACK_COLUMNS)).resolves.toBeNull();
  });

  it('should refuse to pick one of two orders sharing a number', async () => {
    handler = () => ({ status: 200, body: { value: [orderRow(), orderRow({ salesorderid: ORDER_ID })] } });
    const found = writer().writer.findOrderByNumber('ORD-1', DEFAULT_WRITEBACK_COLUMNS);
    await expect(found).rejects.toBeInstanceOf(PermanentError);
    await expect(found).rejects.toMatchObject({ code: 'WRITEBACK_AMBIGUOUS_ORDER' });
  });

  it('should retry a 429 after Retry-After and give up with RateLimitedError after its attempts', async () => {
    handler = () => dataverseError(429, '0x80072322', 'Number of requests exceeded the limit', { 'Retry-After': '2' });
    const { writer: instance, sleeps } = writer();
    await expect(instance.findOrderByNumber('ORD-1', DEFAULT_WRITEBACK_COLUMNS)).rejects.toBeInstanceOf(
      RateLimitedError
    );
    expect(sleeps).toEqual([2_000, 2_000]);
    expect(server.requests).toHaveLength(3);
  });
});

describe('DataverseOrderWritebackWriter for orders that are not Active', () => {
  // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder (StateCode): only active
  // orders can be edited.
  it('should report a fulfilled order as not active and an active one as active', async () => {
    handler = () => ({ status: 200, body: { value: [orderRow({ statecode: 3 })] } });
    expect((await writer().writer.findOrderByNumber('ORD-1', DEFAULT_WRITEBACK_COLUMNS))?.active).toBe(false);
    handler = () => ({ status: 200, body: { value: [orderRow({ statecode: 0 })] } });
    expect((await writer().writer.findOrderByNumber('ORD-1', DEFAULT_WRITEBACK_COLUMNS))?.active).toBe(true);
  });

  it('should record the invoice state as one integration-log row regarding the order, the same row each time', async () => {
    const values = {
      invoiceNumber: 'INV-0042',
      status: 'PAID',
      amountDue: '0',
      amountPaid: '230.5',
      fullyPaidOn: '2026-11-25',
      invoiceUrl: null,
    };
    const { writer: instance } = writer({ serverUrl: recorder.url });
    const invoiceId = '11111111-2222-4333-8444-555555555555';

    await instance.recordOnInactiveOrder(ORDER_ID, invoiceId, values);
    await instance.recordOnInactiveOrder(ORDER_ID, invoiceId, values);
    await instance.recordOnInactiveOrder(ORDER_ID, invoiceId, { ...values, status: 'AUTHORISED' });

    const urls = recorder.requests.map((request) => `${request.method} ${request.url}`);
    expect(urls[0]).toMatch(/^PATCH \/api\/data\/v9\.2\/d365x_integrationlogs\([0-9a-f-]{36}\)$/);
    expect(urls[1]).toBe(urls[0]);
    expect(urls[2]).not.toBe(urls[0]);
    const first = recorder.requests[0]!;
    expect(first.headers['if-match']).toBeUndefined();
    expect(JSON.parse(first.body)).toMatchObject({
      d365x_xeroid: invoiceId,
      d365x_message: expect.stringContaining('INV-0042, PAID, amount due 0, paid 230.5'),
      'd365x_RegardingSalesOrderId@odata.bind': `/salesorders(${ORDER_ID})`,
    });
  });
});

describe('DataverseOrderWritebackWriter.updateOrder', () => {
  it('should PATCH only the changed write-back columns, as an update that never creates', async () => {
    const result = await writer({ serverUrl: recorder.url }).writer.updateOrder(
      ORDER_ID,
      { status: 'PAID', amountDue: '0', amountPaid: '230.5', fullyPaidOn: '2026-11-25' },
      DEFAULT_WRITEBACK_COLUMNS
    );

    expect(result).toBe('updated');
    expect(recorder.requests).toHaveLength(1);
    const request = recorder.requests[0]!;
    expect(request.method).toBe('PATCH');
    expect(request.url).toBe(`/api/data/v9.2/salesorders(${ORDER_ID})`);
    expect(request.headers['if-match']).toBe('*');
    expect(JSON.parse(request.body)).toEqual({
      d365x_xeroinvoicestatus: 'PAID',
      d365x_xeroamountdue: 0,
      d365x_xeroamountpaid: 230.5,
      d365x_xerofullypaidon: '2026-11-25',
    });
  });

  it('should clear a column with null', async () => {
    await writer({ serverUrl: recorder.url }).writer.updateOrder(
      ORDER_ID,
      { fullyPaidOn: null },
      DEFAULT_WRITEBACK_COLUMNS
    );
    expect(JSON.parse(recorder.requests[0]!.body)).toEqual({ d365x_xerofullypaidon: null });
  });

  it('should report a deleted order (404) as not-found instead of failing', async () => {
    handler = () => dataverseError(404, '0x80040217', 'salesorder With Id = … Does Not Exist');
    const result = await writer().writer.updateOrder(ORDER_ID, { status: 'PAID' }, DEFAULT_WRITEBACK_COLUMNS);
    expect(result).toBe('not-found');
    expect(server.requests).toHaveLength(1);
  });

  it('should fail permanently when Dataverse rejects the columns (e.g. setup-dataverse not run)', async () => {
    handler = () => dataverseError(400, '0x80060888', "Could not find a property named 'd365x_xeroamountdue'");
    await expect(
      writer().writer.updateOrder(ORDER_ID, { amountDue: '1' }, DEFAULT_WRITEBACK_COLUMNS)
    ).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('odataString', () => {
  it('should double single quotes so a value cannot end the literal', () => {
    expect(odataString("O'Brien' or 1 eq 1")).toBe("'O''Brien'' or 1 eq 1'");
  });
});
