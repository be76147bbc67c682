import { ReconnectRequiredError } from '../../../lambdas/core/errors';
import { DEFAULT_WRITEBACK_COLUMNS } from '../../../lambdas/core/writeback/columns';
import { InMemoryCheckpointStore } from '../../../lambdas/core/writeback/memory-checkpoint-store';
import { INVOICE_POLL_CHECKPOINT, runInvoicePollPerOrganisation } from '../../../lambdas/core/writeback/poll-invoices';
import { fixedClock, recordingLogger } from '../../helpers/in-memory-ports';
import { FakeInvoiceReader, FakeOrders, salesInvoice } from './writeback-fakes';

const at = (second: number) => `2026-11-20T10:00:${String(second).padStart(2, '0')}.000Z`;

function setup() {
  const readers = new Map([
    ['org-a', new FakeInvoiceReader()],
    ['org-b', new FakeInvoiceReader()],
    ['org-c', new FakeInvoiceReader()],
  ]);
  const orders = new FakeOrders();
  const checkpoints = new InMemoryCheckpointStore();
  const logger = recordingLogger();
  const deps = {
    organisations: ['org-a', 'org-b', 'org-c'],
    xeroFor: (tenantId: string) => readers.get(tenantId)!,
    orders,
    checkpoints,
    logger,
    columns: DEFAULT_WRITEBACK_COLUMNS,
    clock: fixedClock('2026-11-26T10:00:00.000Z'),
    syncState: orders.syncState,
  };
  return { readers, orders, checkpoints, logger, deps };
}

describe('runInvoicePollPerOrganisation', () => {
  it('should poll each organisation from its own checkpoint, the default one under the old name', async () => {
    const { readers, orders, checkpoints, deps } = setup();
    orders.add(1);
    orders.add(2);
    readers.get('org-a')!.put(salesInvoice(1, { status: 'PAID', amountDue: 0, amountPaid: 230, updatedAt: at(10) }));
    readers.get('org-b')!.put(salesInvoice(2, { status: 'PAID', amountDue: 0, amountPaid: 230, updatedAt: at(20) }));
    await checkpoints.save(INVOICE_POLL_CHECKPOINT, at(5));

    const result = await runInvoicePollPerOrganisation(deps);

    expect(readers.get('org-a')!.calls[0]).toBe(`list ${at(5)} p1`);
    expect(result).toMatchObject({ 'org-a': at(10), 'org-b': at(20) });
    await expect(checkpoints.load(INVOICE_POLL_CHECKPOINT)).resolves.toBe(at(10));
    await expect(checkpoints.load(`${INVOICE_POLL_CHECKPOINT}:org-b`)).resolves.toBe(at(20));
    expect(orders.patches).toHaveLength(2);
  });

  it('should skip a paused organisation and still poll the others', async () => {
    const { readers, orders, logger, deps } = setup();
    orders.add(3);
    readers.get('org-a')!.failNext = new ReconnectRequiredError('removed', 'tenant_removed', 'org-a');
    readers.get('org-c')!.put(salesInvoice(3, { status: 'PAID', amountDue: 0, amountPaid: 230, updatedAt: at(30) }));

    const result = await runInvoicePollPerOrganisation(deps);

    expect(Object.keys(result)).toEqual(['org-b', 'org-c']);
    expect(orders.patches).toHaveLength(1);
    expect(logger.lines.some((line) => line.includes('organisation paused'))).toBe(true);
  });
});
