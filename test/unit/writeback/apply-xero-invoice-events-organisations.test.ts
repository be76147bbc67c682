import { ReconnectRequiredError } from '../../../lambdas/core/errors';
import { createApplyXeroInvoiceEvents } from '../../../lambdas/core/writeback/apply-xero-invoice-events';
import { DEFAULT_WRITEBACK_COLUMNS } from '../../../lambdas/core/writeback/columns';
import type { XeroInvoiceReader } from '../../../lambdas/core/writeback/ports';
import { fixedClock, recordingLogger } from '../../helpers/in-memory-ports';
import { FakeInvoiceReader, FakeOrders, TENANT, invoiceEvent, salesInvoice, uuid } from './writeback-fakes';

const OTHER = '7a1c2b3d-0000-4000-8000-00000000beef';
const STRANGER = '9e9e9e9e-0000-4000-8000-000000000000';

/** Two organisations, each with its own books; a reader for any other one fails as the token service would. */
function setup(options: { tenantIds?: readonly string[] } = {}) {
  const readers = new Map([
    [TENANT, new FakeInvoiceReader()],
    [OTHER, new FakeInvoiceReader()],
  ]);
  const orders = new FakeOrders();
  const logger = recordingLogger();
  const notChosen: XeroInvoiceReader = {
    getInvoice: async () => {
      throw new ReconnectRequiredError('not chosen', 'tenant_not_chosen', STRANGER);
    },
    getCreditNote: async () => null,
    listSalesInvoicesModifiedSince: async () => ({ invoices: [], hasMore: false }),
  };
  const apply = createApplyXeroInvoiceEvents({
    xero: readers.get(TENANT)!,
    xeroFor: (tenantId) => readers.get(tenantId) ?? notChosen,
    ...(options.tenantIds ? { tenantIds: options.tenantIds } : {}),
    orders,
    columns: DEFAULT_WRITEBACK_COLUMNS,
    logger,
    clock: fixedClock(),
    syncState: orders.syncState,
  });
  return { readers, orders, logger, apply };
}

describe('createApplyXeroInvoiceEvents with several organisations', () => {
  it("should read each event's invoice from its own organisation", async () => {
    const { readers, orders, apply } = setup();
    orders.add(1);
    orders.add(2);
    readers.get(TENANT)!.put(salesInvoice(1, { status: 'PAID', amountDue: 0, amountPaid: 230 }));
    readers.get(OTHER)!.put(salesInvoice(2, { status: 'PAID', amountDue: 0, amountPaid: 230 }));

    const result = await apply([invoiceEvent(uuid(1)), invoiceEvent(uuid(2), { tenantId: OTHER })]);

    expect(result).toMatchObject({ applied: 2, failed: [], patched: 2 });
    expect(readers.get(TENANT)!.calls).toEqual([`invoice ${uuid(1)}`]);
    expect(readers.get(OTHER)!.calls).toEqual([`invoice ${uuid(2)}`]);
  });

  it('should ignore, with a log line, an event of an organisation the connector does not use', async () => {
    const { logger, apply } = setup();
    const result = await apply([invoiceEvent(uuid(3), { tenantId: STRANGER })]);
    expect(result).toMatchObject({ applied: 0, ignored: 1, failed: [] });
    expect(logger.lines.some((line) => line.includes('not in use'))).toBe(true);
  });

  it('should ignore events of an organisation outside the pinned ones without reading Xero', async () => {
    const { readers, apply } = setup({ tenantIds: [TENANT] });
    const result = await apply([invoiceEvent(uuid(2), { tenantId: OTHER })]);
    expect(result).toMatchObject({ ignored: 1, failed: [] });
    expect([...readers.get(OTHER)!.calls, ...readers.get(TENANT)!.calls]).toEqual([]);
  });

  it("should stop only a paused organisation's events and go on with the others", async () => {
    const { readers, orders, apply } = setup();
    orders.add(1);
    orders.add(4);
    const paused = new ReconnectRequiredError('removed', 'tenant_removed', OTHER);
    readers.get(OTHER)!.failNext = paused;
    readers.get(TENANT)!.put(salesInvoice(4, { status: 'PAID', amountDue: 0, amountPaid: 230 }));

    const result = await apply([
      invoiceEvent(uuid(2), { tenantId: OTHER }),
      invoiceEvent(uuid(3), { tenantId: OTHER }),
      invoiceEvent(uuid(4)),
    ]);

    expect(result.failed.map((f) => [f.resourceId, f.error])).toEqual([
      [uuid(2), paused],
      [uuid(3), paused],
    ]);
    expect(result).toMatchObject({ applied: 1, patched: 1 });
  });
});
