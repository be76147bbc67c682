import { createReconcile } from '../../../../lambdas/core/reconcile/reconcile';
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { createPlanChange } from '../../../../lambdas/core/sync/plan-change';
import {
  buildAccount,
  buildProduct,
  buildSalesOrder,
  buildWriteInLine,
  guid,
} from '../../../helpers/dataverse-factories';
import { InMemoryDataverse } from '../../../helpers/in-memory-dataverse';
import { InMemorySyncState } from '../../../helpers/in-memory-ports';
import { inMemoryPostWrites } from '../../../helpers/in-memory-pipeline';
import { InMemoryXero } from '../../../helpers/in-memory-xero';

async function syncedWorld() {
  const dataverse = new InMemoryDataverse();
  const xero = new InMemoryXero();
  const state = new InMemorySyncState();
  dataverse.add(buildAccount({ accountid: guid(1), name: 'Fourth Coffee' }));
  dataverse.add(buildAccount({ accountid: guid(2), name: 'Contoso' }));
  dataverse.add(buildProduct({ productid: guid(3), productnumber: 'ESP-200' }));
  dataverse.add(
    buildSalesOrder({
      salesorderid: guid(4),
      ordernumber: 'SO-4',
      customer: { table: 'account', id: guid(1) },
      lines: [buildWriteInLine()],
    })
  );
  const planChange = createPlanChange({ reader: dataverse, state, settings: DEFAULT_MAPPING_SETTINGS });
  const post = inMemoryPostWrites({ xero, state });
  for (const [table, n] of [
    ['account', 1],
    ['account', 2],
    ['product', 3],
    ['salesorder', 4],
  ] as const) {
    const plan = await planChange({
      table,
      id: guid(n),
      message: 'Update',
      occurredAt: 't',
      dedupeId: `d${n}`,
      source: 'backfill',
    });
    await post(plan.writes);
  }
  const reconcile = createReconcile({ planChange, xero, now: () => new Date('2026-11-26T00:00:00Z') });
  return { dataverse, xero, state, reconcile, records: () => [...state.records.values()] };
}

describe('reconcile', () => {
  it('should find nothing when Xero matches Dataverse', async () => {
    const world = await syncedWorld();
    expect(await world.reconcile(world.records())).toEqual({ checked: 4, drift: [] });
  });

  it('should report renamed, missing and mis-totalled records', async () => {
    const world = await syncedWorld();
    const contoso = [...world.xero.contacts.values()].find((c) => c.Name === 'Contoso')!;
    world.xero.contacts.set(contoso.ContactID, { ...contoso, Name: 'Contoso (edited in Xero)' });
    world.xero.items.clear();
    const invoice = [...world.xero.invoices.values()][0]!;
    world.xero.invoices.set(invoice.InvoiceID, {
      ...invoice,
      LineItems: [{ Description: 'changed by hand', Quantity: 1, UnitAmount: 1 }],
    });

    const report = await world.reconcile(world.records());

    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: 'account',
          id: guid(2),
          problem: 'name_differs',
          expected: 'Contoso',
          actual: 'Contoso (edited in Xero)',
        }),
        expect.objectContaining({ table: 'product', id: guid(3), problem: 'missing_in_xero' }),
        expect.objectContaining({ table: 'salesorder', id: guid(4), problem: 'total_differs', actual: '1.00' }),
      ])
    );
    expect(report.drift).toHaveLength(3);
  });

  it('should report a record deleted in Dataverse whose Xero contact is still active', async () => {
    const world = await syncedWorld();
    world.dataverse.accounts.delete(guid(2));

    const report = await world.reconcile(world.records());

    expect(report.drift).toEqual([
      expect.objectContaining({ id: guid(2), problem: 'status_differs', expected: 'ARCHIVED', actual: 'ACTIVE' }),
    ]);
  });
});
