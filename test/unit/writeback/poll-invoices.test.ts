import { PermanentError, TransientError } from '../../../lambdas/core/errors';
import { DEFAULT_WRITEBACK_COLUMNS } from '../../../lambdas/core/writeback/columns';
import { InMemoryCheckpointStore } from '../../../lambdas/core/writeback/memory-checkpoint-store';
import {
  INVOICE_POLL_CHECKPOINT,
  pollInvoices,
  runInvoicePoll,
  type PollInvoicesDeps,
} from '../../../lambdas/core/writeback/poll-invoices';
import { fixedClock, recordingLogger } from '../../helpers/in-memory-ports';
import { FakeInvoiceReader, FakeOrders, salesInvoice } from './writeback-fakes';

const at = (second: number) => `2026-11-20T10:00:${String(second).padStart(2, '0')}.000Z`;

function setup(overrides: Partial<PollInvoicesDeps> = {}) {
  const xero = new FakeInvoiceReader();
  const orders = new FakeOrders();
  const checkpoints = new InMemoryCheckpointStore();
  const logger = recordingLogger();
  const deps: PollInvoicesDeps = {
    xero,
    orders,
    checkpoints,
    logger,
    columns: DEFAULT_WRITEBACK_COLUMNS,
    clock: fixedClock('2026-11-26T10:00:00.000Z'),
    syncState: orders.syncState,
    ...overrides,
  };
  return { xero, orders, checkpoints, logger, deps };
}

describe('pollInvoices', () => {
  it('should page with If-Modified-Since from the checkpoint and save it after each applied page', async () => {
    const { xero, orders, checkpoints, deps } = setup();
    for (let n = 1; n <= 5; n++) {
      orders.add(n);
      xero.put(salesInvoice(n, { status: 'PAID', amountDue: 0, amountPaid: 230, updatedAt: at(n * 10) }));
    }
    xero.put(salesInvoice(99, { updatedAt: at(1) })); // modified before the checkpoint: not read

    const next = await pollInvoices(deps)(at(5));

    expect(next).toBe(at(50));
    // Each request starts at the newest change already applied (If-Modified-Since is inclusive in the fake).
    expect(xero.calls).toEqual([5, 20, 30, 40, 50].map((second) => `list ${at(second)} p1`));
    expect(checkpoints.saved.map((entry) => entry.checkpoint)).toEqual([at(20), at(30), at(40), at(50)]);
    expect(checkpoints.saved.every((entry) => entry.name === INVOICE_POLL_CHECKPOINT)).toBe(true);
    for (let n = 1; n <= 5; n++) expect(orders.valuesOf(n).status).toBe('PAID');
    // The boundary invoices were read twice but patched once.
    expect(orders.patches).toHaveLength(5);
  });

  it('should not advance the checkpoint past a page that failed, and resume from it on the next run', async () => {
    const { xero, orders, checkpoints, deps } = setup();
    for (let n = 1; n <= 4; n++) {
      orders.add(n);
      xero.put(salesInvoice(n, { updatedAt: at(n * 10) }));
    }
    const realFind = orders.findOrderByNumber.bind(orders);
    let failOnce = true;
    orders.findOrderByNumber = async (number, columns) => {
      if (number === 'ORD-3' && failOnce) {
        failOnce = false;
        throw new TransientError('Dataverse busy', 'DATAVERSE_SERVER');
      }
      return realFind(number, columns);
    };

    await expect(pollInvoices(deps)(at(0))).rejects.toBeInstanceOf(TransientError);
    expect(await checkpoints.load(INVOICE_POLL_CHECKPOINT)).toBe(at(20));

    const next = await runInvoicePoll(deps);
    expect(next).toBe(at(40));
    for (let n = 1; n <= 4; n++) expect(orders.valuesOf(n).status).toBe('AUTHORISED');
  });

  it('should ask for the next page number when a full page does not move the checkpoint', async () => {
    const { xero, orders, deps } = setup();
    for (let n = 1; n <= 3; n++) {
      orders.add(n);
      xero.put(salesInvoice(n, { updatedAt: at(30) }));
    }
    const next = await pollInvoices(deps)(at(30));
    expect(next).toBe(at(30));
    expect(xero.calls).toEqual([`list ${at(30)} p1`, `list ${at(30)} p2`]);
    for (let n = 1; n <= 3; n++) expect(orders.valuesOf(n).status).toBe('AUTHORISED');
  });

  it('should start a first run from the look-back window instead of reading every invoice ever', async () => {
    const { xero, deps } = setup({ initialLookbackDays: 2 });
    await pollInvoices(deps)(undefined);
    expect(xero.calls).toEqual(['list 2026-11-24T10:00:00.000Z p1']);
  });

  it('should log a permanent failure of one invoice and keep polling', async () => {
    const { xero, orders, logger, deps } = setup();
    orders.add(2);
    xero.put(salesInvoice(1, { updatedAt: at(10) }));
    xero.put(salesInvoice(2, { updatedAt: at(20) }));
    const realFind = orders.findOrderByNumber.bind(orders);
    orders.findOrderByNumber = async (number, columns) => {
      if (number === 'ORD-1') throw new PermanentError('two orders share the number', 'WRITEBACK_AMBIGUOUS_ORDER');
      return realFind(number, columns);
    };
    const next = await pollInvoices(deps)(at(0));
    expect(next).toBe(at(20));
    expect(orders.valuesOf(2).status).toBe('AUTHORISED');
    expect(logger.lines.some((line) => line.includes('WRITEBACK_AMBIGUOUS_ORDER'))).toBe(true);
  });

  it('should stop after maxPages requests so one run stays bounded', async () => {
    const { xero, deps } = setup({ maxPages: 2 });
    for (let n = 1; n <= 9; n++) xero.put(salesInvoice(n, { updatedAt: at(n) }));
    const next = await pollInvoices(deps)(at(0));
    expect(xero.calls).toHaveLength(2);
    expect(next).toBe(at(3));
  });
});
