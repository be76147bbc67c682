import { MappingError } from '../../../../lambdas/core/errors';
import {
  mergeColumns,
  trackingColumns,
  trackingForOrder,
  withTracking,
  type TrackingSettings,
} from '../../../../lambdas/core/mapping/tracking';
import { mapSalesOrderToInvoice } from '../../../../lambdas/core/mapping/invoice-mapping';
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { resolveMappingSettings } from '../../../../lambdas/core/settings-schema';
import { buildSalesOrder, guid } from '../../../helpers/dataverse-factories';

const REGION: TrackingSettings = {
  categories: [
    {
      category: 'Region',
      source: { kind: 'column', column: 'new_region' },
      values: { '100000000': 'North', 'South Island': 'South' },
    },
  ],
};

describe('trackingForOrder', () => {
  it('should map a choice value through the value map', () => {
    const order = buildSalesOrder({ conditionValues: { new_region: 100000000 } });
    expect(trackingForOrder(order, REGION)).toEqual([{ Name: 'Region', Option: 'North' }]);
  });

  it("should map by the choice's label when the value map names the label", () => {
    const order = buildSalesOrder({
      conditionValues: { new_region: 100000001 },
      conditionLabels: { new_region: 'south island' },
    });
    expect(trackingForOrder(order, REGION)).toEqual([{ Name: 'Region', Option: 'South' }]);
  });

  it('should use the label (else the value) as the option when there is no value map', () => {
    const asIs: TrackingSettings = {
      categories: [{ category: 'Region', source: { kind: 'column', column: 'new_region' } }],
    };
    const labelled = buildSalesOrder({ conditionValues: { new_region: 1 }, conditionLabels: { new_region: 'West' } });
    const text = buildSalesOrder({ conditionValues: { new_region: ' East ' } });
    expect(trackingForOrder(labelled, asIs)).toEqual([{ Name: 'Region', Option: 'West' }]);
    expect(trackingForOrder(text, asIs)).toEqual([{ Name: 'Region', Option: 'East' }]);
  });

  it('should take the option from the owning business unit, by id or by name', () => {
    const unitId = guid(77);
    const byUnit: TrackingSettings = {
      categories: [
        {
          category: 'Department',
          source: { kind: 'businessUnit' },
          values: { [unitId]: 'Wholesale', Retail: 'Shops' },
        },
      ],
    };
    const wholesale = buildSalesOrder({ owningBusinessUnit: { id: unitId.toUpperCase(), name: 'Contoso Wholesale' } });
    const retail = buildSalesOrder({ owningBusinessUnit: { id: guid(78), name: 'Retail' } });
    expect(trackingForOrder(wholesale, byUnit)).toEqual([{ Name: 'Department', Option: 'Wholesale' }]);
    expect(trackingForOrder(retail, byUnit)).toEqual([{ Name: 'Department', Option: 'Shops' }]);
  });

  it('should leave the category off, use the fallback option, or fail, as `otherwise` says', () => {
    const unmapped = buildSalesOrder({ ordernumber: 'ORD-9', conditionValues: { new_region: 'Atlantis' } });
    const empty = buildSalesOrder({ conditionValues: { new_region: null } });
    const category = REGION.categories[0]!;
    expect(trackingForOrder(unmapped, REGION)).toEqual([]);
    expect(trackingForOrder(empty, REGION)).toEqual([]);
    const withFallback = { categories: [{ ...category, otherwise: { option: 'Unassigned' } }] };
    expect(trackingForOrder(unmapped, withFallback)).toEqual([{ Name: 'Region', Option: 'Unassigned' }]);
    expect(trackingForOrder(empty, withFallback)).toEqual([{ Name: 'Region', Option: 'Unassigned' }]);
    const failing = { categories: [{ ...category, otherwise: 'fail' as const }] };
    expect(() => trackingForOrder(unmapped, failing)).toThrow(MappingError);
    expect(() => trackingForOrder(unmapped, failing)).toThrow(
      /ORD-9: new_region "Atlantis" is not in the value map.*mapping\.tracking\.categories\.0\.otherwise/
    );
  });

  it('should carry two categories, each from its own source', () => {
    const two: TrackingSettings = {
      categories: [
        REGION.categories[0]!,
        { category: 'Department', source: { kind: 'businessUnit' }, values: { Retail: 'Shops' } },
      ],
    };
    const order = buildSalesOrder({
      conditionValues: { new_region: 100000000 },
      owningBusinessUnit: { id: guid(5), name: 'Retail' },
    });
    expect(trackingForOrder(order, two)).toEqual([
      { Name: 'Region', Option: 'North' },
      { Name: 'Department', Option: 'Shops' },
    ]);
  });

  it('should give nothing without tracking settings', () => {
    expect(trackingForOrder(buildSalesOrder(), undefined)).toEqual([]);
  });
});

describe('tracking on invoice lines', () => {
  it('should put the same tracking on every line, freight included', () => {
    const order = buildSalesOrder({ freightamount: 10, conditionValues: { new_region: 100000000 } });
    const invoice = mapSalesOrderToInvoice(order, DEFAULT_MAPPING_SETTINGS, { customerContactNumber: guid(1) });
    const tracked = withTracking(invoice, trackingForOrder(order, REGION));
    expect(tracked.LineItems.length).toBeGreaterThan(1);
    for (const line of tracked.LineItems) expect(line.Tracking).toEqual([{ Name: 'Region', Option: 'North' }]);
    expect(withTracking(invoice, [])).toBe(invoice);
  });
});

describe('tracking settings', () => {
  it('should accept two categories and refuse a third, naming the setting', () => {
    const category = (name: string) => ({ category: name, source: { kind: 'businessUnit' } });
    expect(resolveMappingSettings({ tracking: { categories: [category('A'), category('B')] } }).tracking).toBeDefined();
    expect(() =>
      resolveMappingSettings({ tracking: { categories: [category('A'), category('B'), category('C')] } })
    ).toThrow(/mapping\.tracking\.categories: Xero allows at most 2 tracking categories/);
  });

  it('should refuse a bad column name, a category configured twice and an option name over 100 characters', () => {
    const column = (c: string) => ({ category: 'Region', source: { kind: 'column', column: c } });
    expect(() => resolveMappingSettings({ tracking: { categories: [column('New Region')] } })).toThrow(
      /mapping\.tracking\.categories\.0\.source\.column/
    );
    expect(() => resolveMappingSettings({ tracking: { categories: [column('new_a'), column('new_b')] } })).toThrow(
      /each tracking category may be configured once/
    );
    expect(() =>
      resolveMappingSettings({ tracking: { categories: [{ ...column('new_a'), values: { x: 'o'.repeat(101) } }] } })
    ).toThrow(/mapping\.tracking\.categories\.0\.values\.x/);
  });

  it('should list the columns the reader must select, merged with the sync condition ones', () => {
    expect(trackingColumns(REGION)).toEqual({ salesorder: ['new_region'] });
    expect(trackingColumns(undefined)).toEqual({});
    expect(mergeColumns({ salesorder: ['d365x_synctoxero'], account: ['statecode'] }, trackingColumns(REGION))).toEqual(
      {
        salesorder: ['d365x_synctoxero', 'new_region'],
        account: ['statecode'],
      }
    );
  });
});
