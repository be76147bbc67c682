import { PermanentError, RateLimitedError, ReconnectRequiredError, TransientError } from '../../../lambdas/core/errors';
import { createApplyXeroInvoiceEvents } from '../../../lambdas/core/writeback/apply-xero-invoice-events';
import { DEFAULT_WRITEBACK_COLUMNS, resolveWritebackColumns } from '../../../lambdas/core/writeback/columns';
import { fixedClock, recordingLogger } from '../../helpers/in-memory-ports';
import { FakeInvoiceReader, FakeOrders, TENANT, invoiceEvent, salesInvoice, uuid } from './writeback-fakes';

function setup(columns = DEFAULT_WRITEBACK_COLUMNS) {
  const xero = new FakeInvoiceReader();
  const orders = new FakeOrders();
  const logger = recordingLogger();
  const apply = createApplyXeroInvoiceEvents({
    xero,
    orders,
    columns,
    logger,
    clock: fixedClock(),
    tenantId: TENANT,
    syncState: orders.syncState,
  });
  return { xero, orders, logger, apply };
}

const link = (n: number) => `https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=${uuid(n)}`;

describe('createApplyXeroInvoiceEvents', () => {
  // The Reference is free text anyone can type in Xero; only the InvoiceID the connector stored for the order
  // (developer.xero.com/documentation/api/accounting/invoices: InvoiceID is Xero's unique id) identifies its invoice.
  it('should ignore an invoice whose Reference names an order but is not the invoice the connector made for it', async () => {
    const { xero, orders, apply, logger } = setup();
    orders.add(4);
    xero.put(salesInvoice(40, { reference: 'ORD-4', status: 'PAID', amountDue: 0, amountPaid: 230 }));

    const result = await apply([invoiceEvent(uuid(40))]);

    expect(result).toMatchObject({ applied: 0, ignored: 1, patched: 0 });
    expect(orders.patches).toEqual([]);
    expect(logger.lines.some((line) => line.includes('did not make this invoice'))).toBe(true);
  });

  // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder: only active orders can be
  // edited, so a fulfilled order gets an integration-log row instead of a PATCH that Dataverse would refuse.
  it('should record the invoice state for an order that is not Active instead of editing it', async () => {
    const { xero, orders, apply } = setup();
    const order = orders.add(6);
    orders.inactive.add(order.salesOrderId);
    xero.put(salesInvoice(6, { status: 'PAID', amountDue: 0, amountPaid: 230 }));

    const result = await apply([invoiceEvent(uuid(6))]);

    expect(result).toMatchObject({ applied: 1, patched: 0, failed: [] });
    expect(orders.patches).toEqual([]);
    expect(orders.recorded).toEqual([
      expect.objectContaining({
        salesOrderId: order.salesOrderId,
        invoiceId: uuid(6),
        values: expect.objectContaining({ status: 'PAID' }),
      }),
    ]);
  });

  it('should ignore an order the connector never synced, even when the Reference matches', async () => {
    const { xero, orders, apply } = setup();
    const order = orders.add(5);
    orders.invoiceIdOf.delete(order.salesOrderId);
    xero.put(salesInvoice(5));

    expect(await apply([invoiceEvent(uuid(5))])).toMatchObject({ ignored: 1, patched: 0 });
  });

  it('should write a fully paid invoice to its order: number, status, amounts, paid date and link', async () => {
    const { xero, orders, apply } = setup();
    orders.add(1);
    xero.put(salesInvoice(1, { status: 'PAID', amountDue: 0, amountPaid: 230, fullyPaidOn: '2026-11-25' }));

    const result = await apply([invoiceEvent(uuid(1))]);

    expect(result).toEqual({ applied: 1, ignored: 0, failed: [], patched: 1 });
    expect(orders.valuesOf(1)).toEqual({
      invoiceNumber: 'INV-1001',
      status: 'PAID',
      amountDue: '0',
      amountPaid: '230',
      fullyPaidOn: '2026-11-25',
      invoiceUrl: link(1),
    });
  });

  it('should show a part-paid invoice with the amount still due and no paid date', async () => {
    const { xero, orders, apply } = setup();
    orders.add(2);
    xero.put(salesInvoice(2, { amountDue: 129.5, amountPaid: 100.5 }));

    await apply([invoiceEvent(uuid(2))]);

    expect(orders.valuesOf(2)).toMatchObject({
      status: 'AUTHORISED',
      amountDue: '129.5',
      amountPaid: '100.5',
      fullyPaidOn: null,
    });
  });

  it('should show a voided invoice as VOIDED with nothing due, whatever AmountDue Xero keeps', async () => {
    const { xero, orders, apply } = setup();
    orders.add(3, { status: 'AUTHORISED', amountDue: '230', amountPaid: '0', invoiceNumber: 'INV-1003' });
    xero.put(salesInvoice(3, { status: 'VOIDED', amountDue: 230, amountPaid: 0 }));

    await apply([invoiceEvent(uuid(3))]);

    expect(orders.valuesOf(3)).toMatchObject({ status: 'VOIDED', amountDue: '0' });
    expect(orders.patches[0]?.changes).toEqual({ status: 'VOIDED', amountDue: '0', invoiceUrl: link(3) });
  });

  it('should clear the paid date when a payment is removed and the invoice is no longer PAID', async () => {
    const { xero, orders, apply } = setup();
    orders.add(4, { status: 'PAID', amountDue: '0', amountPaid: '230', fullyPaidOn: '2026-11-25' });
    xero.put(salesInvoice(4, { status: 'AUTHORISED', amountDue: 230, amountPaid: 0, fullyPaidOn: '2026-11-25' }));

    await apply([invoiceEvent(uuid(4))]);

    expect(orders.valuesOf(4)).toMatchObject({ status: 'AUTHORISED', amountDue: '230', fullyPaidOn: null });
  });

  it('should refresh every invoice a customer credit note is allocated to', async () => {
    const { xero, orders, apply } = setup();
    orders.add(5, { status: 'AUTHORISED', amountDue: '230', amountPaid: '0' });
    orders.add(6, { status: 'AUTHORISED', amountDue: '230', amountPaid: '0' });
    xero.put(salesInvoice(5, { amountDue: 180, amountCredited: 50 }));
    xero.put(salesInvoice(6, { status: 'PAID', amountDue: 0, amountCredited: 230, fullyPaidOn: '2026-11-24' }));
    xero.creditNotes.set(uuid(90), {
      creditNoteId: uuid(90),
      type: 'ACCRECCREDIT',
      allocatedInvoiceIds: [uuid(5), uuid(6)],
    });

    const result = await apply([invoiceEvent(uuid(90), { eventCategory: 'CREDITNOTE' })]);

    expect(result).toMatchObject({ applied: 1, ignored: 0, patched: 2 });
    expect(orders.valuesOf(5)).toMatchObject({ amountDue: '180', amountPaid: '0', status: 'AUTHORISED' });
    expect(orders.valuesOf(6)).toMatchObject({ amountDue: '0', status: 'PAID', fullyPaidOn: '2026-11-24' });
  });

  it('should ignore a supplier credit note without reading any invoice', async () => {
    const { xero, apply } = setup();
    xero.creditNotes.set(uuid(91), { creditNoteId: uuid(91), type: 'ACCPAYCREDIT', allocatedInvoiceIds: [uuid(1)] });

    const result = await apply([invoiceEvent(uuid(91), { eventCategory: 'CREDITNOTE' })]);

    expect(result).toMatchObject({ applied: 0, ignored: 1 });
    expect(xero.calls).toEqual([`creditnote ${uuid(91)}`]);
  });

  it('should ignore an invoice no order matches, logging ids but not the Reference', async () => {
    const { xero, orders, logger, apply } = setup();
    xero.put(salesInvoice(7, { reference: 'ORD-SECRET-7' }));

    const result = await apply([invoiceEvent(uuid(7))]);

    expect(result).toEqual({ applied: 0, ignored: 1, failed: [], patched: 0 });
    expect(orders.patches).toHaveLength(0);
    const line = logger.lines.find((entry) => entry.includes('no sales order matches'));
    expect(line).toContain(uuid(7));
    expect(logger.lines.join('\n')).not.toContain('ORD-SECRET-7');
  });

  it.each([
    ['a bill', { type: 'ACCPAY' }, 'not a sales invoice'],
    ['an invoice without Reference', { reference: '' }, 'no Reference'],
  ])('should ignore %s with a log line', async (_name, overrides, message) => {
    const { xero, orders, logger, apply } = setup();
    orders.add(8);
    xero.put(salesInvoice(8, overrides));

    const result = await apply([invoiceEvent(uuid(8))]);

    expect(result).toMatchObject({ applied: 0, ignored: 1, failed: [] });
    expect(orders.patches).toHaveLength(0);
    expect(logger.lines.some((line) => line.includes(message) && line.includes(uuid(8)))).toBe(true);
  });

  it('should ignore an invoice Xero no longer knows, events of other tenants and other categories', async () => {
    const { xero, apply } = setup();
    const result = await apply([
      invoiceEvent(uuid(9)),
      invoiceEvent(uuid(10), { tenantId: 'ffffffff-0000-4000-8000-000000000000' }),
      invoiceEvent(uuid(11), { eventCategory: 'CONTACT' }),
      invoiceEvent('not-a-guid'),
    ]);
    expect(result).toEqual({ applied: 0, ignored: 4, failed: [], patched: 0 });
    expect(xero.calls).toEqual([`invoice ${uuid(9)}`]);
  });

  it('should make no second PATCH when the same event is applied twice', async () => {
    const { xero, orders, apply } = setup();
    orders.add(12);
    xero.put(salesInvoice(12, { status: 'PAID', amountDue: 0, amountPaid: 230, fullyPaidOn: '2026-11-25' }));

    const first = await apply([invoiceEvent(uuid(12))]);
    const stateAfterFirst = orders.valuesOf(12);
    const second = await apply([invoiceEvent(uuid(12))]);

    expect(first.patched).toBe(1);
    expect(second).toEqual({ applied: 1, ignored: 0, failed: [], patched: 0 });
    expect(orders.patches).toHaveLength(1);
    expect(orders.valuesOf(12)).toEqual(stateAfterFirst);
  });

  it('should treat amounts equal at 2 decimals as unchanged', async () => {
    const { xero, orders, apply } = setup();
    orders.add(13, {
      invoiceNumber: 'INV-1013',
      status: 'AUTHORISED',
      amountDue: '230.00',
      amountPaid: '0.0000',
      invoiceUrl: link(13),
    });
    xero.put(salesInvoice(13));
    const result = await apply([invoiceEvent(uuid(13))]);
    expect(result.patched).toBe(0);
  });

  it('should read an invoice named twice in one delivery only once', async () => {
    const { xero, orders, apply } = setup();
    orders.add(14);
    xero.put(salesInvoice(14));
    const result = await apply([invoiceEvent(uuid(14), { eventType: 'CREATE' }), invoiceEvent(uuid(14))]);
    expect(result).toMatchObject({ applied: 2, patched: 1 });
    expect(xero.calls).toEqual([`invoice ${uuid(14)}`]);
  });

  it('should ignore an order deleted between finding it and updating it', async () => {
    const { xero, orders, apply } = setup();
    orders.add(15);
    orders.deleteBeforeUpdate = true;
    xero.put(salesInvoice(15));
    const result = await apply([invoiceEvent(uuid(15))]);
    expect(result).toEqual({ applied: 0, ignored: 1, failed: [], patched: 0 });
  });

  it('should write to the configured columns', async () => {
    const columns = resolveWritebackColumns({ status: 'new_invoicestate' }, 'new_');
    const { xero, orders, apply } = setup(columns);
    const order = orders.add(16, {}, columns);
    xero.put(salesInvoice(16));
    await apply([invoiceEvent(uuid(16))]);
    expect(order.columns).toMatchObject({
      new_invoicestate: 'AUTHORISED',
      new_xeroinvoicenumber: 'INV-1016',
      new_xeroamountdue: '230',
    });
    expect(Object.keys(order.columns).some((name) => name.startsWith('d365x_'))).toBe(false);
  });

  it('should report a transient failure for the caller to retry and carry on with the next event', async () => {
    const { xero, orders, apply } = setup();
    orders.add(18);
    xero.put(salesInvoice(18));
    xero.failNext = new TransientError('Xero GET /Invoices/{id} failed with HTTP 503', 'XERO_SERVER');

    const result = await apply([invoiceEvent(uuid(17)), invoiceEvent(uuid(18))]);

    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.resourceId).toBe(uuid(17));
    expect(result.failed[0]?.error.retryable).toBe(true);
    expect(result).toMatchObject({ applied: 1, patched: 1 });
  });

  it('should log a permanent failure and report it as not retryable', async () => {
    const { xero, orders, logger, apply } = setup();
    xero.put(salesInvoice(19));
    orders.findOrderByNumber = async () => {
      throw new PermanentError('two orders share the number', 'WRITEBACK_AMBIGUOUS_ORDER');
    };
    const result = await apply([invoiceEvent(uuid(19))]);
    expect(result.failed[0]?.error).toBeInstanceOf(PermanentError);
    expect(result.failed[0]?.error.retryable).toBe(false);
    expect(logger.lines.some((line) => line.startsWith('error') && line.includes('WRITEBACK_AMBIGUOUS_ORDER'))).toBe(
      true
    );
  });

  it.each([
    ['a reconnect', new ReconnectRequiredError('Xero consent revoked')],
    ['a day rate limit', new RateLimitedError('Xero day limit', 3_600_000, 'day')],
  ])('should stop calling Xero after %s and report the remaining events with the same error', async (_n, error) => {
    const { xero, apply } = setup();
    xero.put(salesInvoice(21));
    xero.failNext = error;

    const result = await apply([invoiceEvent(uuid(20)), invoiceEvent(uuid(21)), invoiceEvent(uuid(22))]);

    expect(result.failed.map((failure) => failure.resourceId)).toEqual([uuid(20), uuid(21), uuid(22)]);
    expect(result.failed.every((failure) => failure.error === error)).toBe(true);
    expect(xero.calls).toHaveLength(1);
  });

  it('should turn an unexpected error into a retryable typed error', async () => {
    const { xero, apply } = setup();
    xero.failNext = new Error('socket closed');
    const result = await apply([invoiceEvent(uuid(23))]);
    expect(result.failed[0]?.error).toBeInstanceOf(TransientError);
    expect(result.failed[0]?.error.code).toBe('WRITEBACK_UNEXPECTED');
  });
});
