import { DataverseWebApiReader } from '../../../../lambdas/adapters/dataverse/dataverse-reader';
import { createStaticTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';
import { ValidationError } from '../../../../lambdas/core/errors';
import { resolveMappingSettings } from '../../../../lambdas/core/settings-schema';
import {
  syncConditionColumns,
  unmetSyncCondition,
  type SyncCondition,
} from '../../../../lambdas/core/sync/sync-condition';
import { seedDemoData } from '../../../../sandbox/demo-data';
import { startSandboxDataverse } from '../../../../sandbox/dataverse/server';
import {
  buildAccount,
  buildOrderLine,
  buildProduct,
  buildSalesOrder,
  guid,
} from '../../../helpers/dataverse-factories';
import { changeEvent, inMemoryPipeline as pipeline } from '../../../helpers/in-memory-pipeline';
import { withoutProxy } from '../../../helpers/no-proxy';

const FLAG: SyncCondition = { kind: 'column', column: 'd365x_synctoxero' };

describe('unmetSyncCondition', () => {
  it('should let every record through without a condition or with kind all', () => {
    expect(unmetSyncCondition(undefined, undefined)).toBeUndefined();
    expect(unmetSyncCondition({ kind: 'all' }, {})).toBeUndefined();
  });

  it('should need the Yes/No column to be Yes', () => {
    expect(unmetSyncCondition(FLAG, { d365x_synctoxero: true })).toBeUndefined();
    expect(unmetSyncCondition(FLAG, { d365x_synctoxero: false })).toBe(
      'not marked for Xero: d365x_synctoxero is No, not Yes'
    );
    expect(unmetSyncCondition(FLAG, { d365x_synctoxero: null })).toContain('is empty');
  });

  it('should need statecode and statuscode in their lists when given', () => {
    const submittedOrFulfilled: SyncCondition = { kind: 'states', statecodes: [1, 3] };
    expect(unmetSyncCondition(submittedOrFulfilled, { statecode: 3 })).toBeUndefined();
    expect(unmetSyncCondition(submittedOrFulfilled, { statecode: 0 })).toBe(
      'not in a synced state: statecode is 0, not one of 1, 3'
    );
    const both: SyncCondition = { kind: 'states', statecodes: [1], statuscodes: [3] };
    expect(unmetSyncCondition(both, { statecode: 1, statuscode: 4 })).toContain('statuscode is 4');
  });

  it('should name the columns the reader must select per table', () => {
    expect(
      syncConditionColumns({ salesorder: FLAG, account: { kind: 'states', statecodes: [0] }, product: { kind: 'all' } })
    ).toEqual({ salesorder: ['d365x_synctoxero'], account: ['statecode'] });
  });
});

describe('sync conditions in the mapping settings', () => {
  it('should accept the three kinds per table and refuse a states condition without any list', () => {
    const settings = resolveMappingSettings({
      syncConditions: { salesorder: FLAG, account: { kind: 'all' }, product: { kind: 'states', statecodes: [0] } },
    });
    expect(settings.syncConditions?.salesorder).toEqual(FLAG);
    expect(() => resolveMappingSettings({ syncConditions: { salesorder: { kind: 'states' } } })).toThrow(
      ValidationError
    );
    expect(() => resolveMappingSettings({ syncConditions: { invoice: { kind: 'all' } } })).toThrow(ValidationError);
  });
});

const change = (id: string, n: number) => changeEvent('salesorder', id, 'Update', `op-${n}`);

function anOrder(conditionValues: Record<string, unknown>, overrides: Parameters<typeof buildSalesOrder>[0] = {}) {
  return buildSalesOrder({
    salesorderid: guid(30),
    ordernumber: 'SO-7001',
    customer: { table: 'account', id: guid(10) },
    lines: [buildOrderLine({ productid: guid(20), productnumber: 'P-1', quantity: 1, priceperunit: 10 })],
    conditionValues,
    ...overrides,
  });
}

describe('an order that does not meet its sync condition', () => {
  it('should be skipped (not failed, not retried) and synced by the change that marks it for Xero', async () => {
    const p = pipeline({ syncConditions: { salesorder: FLAG } });
    p.dataverse.add(buildAccount({ accountid: guid(10) }));
    p.dataverse.add(buildProduct({ productid: guid(20), productnumber: 'P-1' }));
    p.dataverse.add(anOrder({ d365x_synctoxero: false }));

    expect(await p.sync(change(guid(30), 1))).toEqual([{ status: 'done' }]);
    expect(p.xero.invoices.size).toBe(0);
    expect(p.outcomes.outcomes).toEqual([
      expect.objectContaining({
        table: 'salesorder',
        status: 'skipped',
        message: 'not marked for Xero: d365x_synctoxero is No, not Yes',
      }),
    ]);

    p.dataverse.add(anOrder({ d365x_synctoxero: true }, { modifiedon: '2026-11-26T10:05:00Z' }));
    const results = await p.sync(change(guid(30), 2));
    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(p.xero.invoices.size).toBe(1);
    expect(p.outcomes.outcomes.at(-1)).toMatchObject({ table: 'salesorder', status: 'synced' });
  });

  it('should sync only orders in the listed states', async () => {
    const p = pipeline({ syncConditions: { salesorder: { kind: 'states', statecodes: [1, 3] } } });
    p.dataverse.add(buildAccount({ accountid: guid(10) }));
    p.dataverse.add(buildProduct({ productid: guid(20), productnumber: 'P-1' }));
    p.dataverse.add(anOrder({ statecode: 0 }));
    await p.sync(change(guid(30), 1));
    expect(p.xero.invoices.size).toBe(0);

    p.dataverse.add(anOrder({ statecode: 1 }, { statecode: 1, modifiedon: '2026-11-26T10:05:00Z' }));
    await p.sync(change(guid(30), 2));
    expect(p.xero.invoices.size).toBe(1);
  });
});

describe('the reader selects the condition column', () => {
  withoutProxy();

  it('should return the Yes/No value of the configured column with the order', async () => {
    const dv = await startSandboxDataverse({ accessToken: 'tok' });
    try {
      const ids = seedDemoData(dv.state);
      dv.state.upsert('salesorder', { salesorderid: ids.orders.harbourview, d365x_synctoxero: true });
      const reader = new DataverseWebApiReader({
        serverUrl: dv.url,
        tokenSource: createStaticTokenSource('tok'),
        conditionColumns: { salesorder: ['d365x_synctoxero'] },
      });
      const order = await reader.getSalesOrder(ids.orders.harbourview);
      // The label comes along (routing by a choice column matches either).
      expect(order?.conditionValues).toEqual({ d365x_synctoxero: true });
      expect(order?.conditionLabels).toEqual({ d365x_synctoxero: 'Yes' });
      const read = dv.knobs.requests().find((r) => r.path.includes('salesorders('));
      expect(read?.query['$select']).toContain('d365x_synctoxero');
    } finally {
      await dv.close();
    }
  });
});
