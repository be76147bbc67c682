/** The map stage puts tracking on the invoice lines and keeps the business unit for the theme choice. */
import type { ChangeEvent } from '../../../../lambdas/core/model/change-event';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { createPlanChange } from '../../../../lambdas/core/sync/plan-change';
import { buildAccount, buildSalesOrder, buildWriteInLine, guid } from '../../../helpers/dataverse-factories';
import { InMemoryDataverse } from '../../../helpers/in-memory-dataverse';
import { InMemorySyncState } from '../../../helpers/in-memory-ports';

const UNIT = { id: guid(70), name: 'Wholesale' };

function plan(settings: Partial<MappingSettings>) {
  const dataverse = new InMemoryDataverse();
  dataverse.add(buildAccount({ accountid: guid(1) }));
  dataverse.add(
    buildSalesOrder({
      salesorderid: guid(30),
      customer: { table: 'account', id: guid(1) },
      lines: [buildWriteInLine()],
      freightamount: 5,
      owningBusinessUnit: UNIT,
    })
  );
  const planChange = createPlanChange({
    reader: dataverse,
    state: new InMemorySyncState(),
    settings: { ...DEFAULT_MAPPING_SETTINGS, ...settings },
  });
  const event: ChangeEvent = {
    table: 'salesorder',
    id: guid(30),
    message: 'Update',
    occurredAt: '2026-11-26T10:00:00Z',
    dedupeId: 'd-1',
    source: 'dataverse-webhook',
  };
  return planChange(event);
}

describe('planning an order with tracking and branding settings', () => {
  it('should track every line by the business unit and keep the unit on the write', async () => {
    const result = await plan({
      tracking: { categories: [{ category: 'Division', source: { kind: 'businessUnit' } }] },
      brandingThemes: { default: { byBusinessUnit: { Wholesale: 'Trade' } } },
    });
    const [write] = result.writes;
    expect(write?.kind).toBe('upsert-invoice');
    if (write?.kind !== 'upsert-invoice') return;
    expect(write.invoice.LineItems).toHaveLength(2);
    for (const line of write.invoice.LineItems)
      expect(line.Tracking).toEqual([{ Name: 'Division', Option: 'Wholesale' }]);
    expect(write.businessUnit).toEqual(UNIT);
  });

  it('should change nothing on the write without the settings', async () => {
    const [write] = (await plan({})).writes;
    if (write?.kind !== 'upsert-invoice') throw new Error('expected an invoice');
    expect(write.invoice.LineItems.every((line) => line.Tracking === undefined)).toBe(true);
    expect(write.businessUnit).toBeUndefined();
  });
});
