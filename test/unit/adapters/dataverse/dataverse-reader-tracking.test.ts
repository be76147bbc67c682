import { DataverseWebApiReader } from '../../../../lambdas/adapters/dataverse/dataverse-reader';
import { createStaticTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';
import { trackingForOrder, withTrackingColumns } from '../../../../lambdas/core/mapping/tracking';
import type { TrackingSettings } from '../../../../lambdas/core/mapping/tracking';
import { seedDemoData } from '../../../../sandbox/demo-data';
import { startSandboxDataverse } from '../../../../sandbox/dataverse/server';
import { withoutProxy } from '../../../helpers/no-proxy';

withoutProxy();

const TRACKING: TrackingSettings = {
  categories: [
    { category: 'Stage', source: { kind: 'column', column: 'statuscode' }, values: { 'In Progress': 'Open' } },
    { category: 'Region', source: { kind: 'column', column: 'd365x_region' } },
  ],
};

describe('the reader selects the tracking columns', () => {
  it('should read each tracking column with its choice label, next to the sync condition column', async () => {
    const dv = await startSandboxDataverse({ accessToken: 'tok' });
    try {
      const ids = seedDemoData(dv.state);
      dv.state.upsert('salesorder', {
        salesorderid: ids.orders.harbourview,
        statuscode: 3,
        d365x_region: 'West',
        d365x_synctoxero: true,
      });
      const reader = new DataverseWebApiReader({
        serverUrl: dv.url,
        tokenSource: createStaticTokenSource('tok'),
        conditionColumns: withTrackingColumns({ salesorder: ['d365x_synctoxero'] }, TRACKING),
      });
      const order = await reader.getSalesOrder(ids.orders.harbourview);
      expect(order?.conditionValues).toEqual({ d365x_synctoxero: true, statuscode: 3, d365x_region: 'West' });
      expect(order?.conditionLabels).toMatchObject({ statuscode: 'In Progress' });
      expect(order && trackingForOrder(order, TRACKING)).toEqual([
        { Name: 'Stage', Option: 'Open' },
        { Name: 'Region', Option: 'West' },
      ]);
      const read = dv.knobs.requests().find((r) => r.path.includes('salesorders('));
      expect(read?.query['$select']).toContain('d365x_region');
    } finally {
      await dv.close();
    }
  });
});
