/**
 * The connector (real reader and gateway, core pipeline) against sandboxes that model Dataverse's and Xero's
 * documented behaviour. Each case names the rule and its documentation page.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_IDS, seedDemoData } from '../../../../sandbox/demo-data';
import {
  startPlatformHarness,
  type PlatformHarness,
  type PlatformHarnessOptions,
} from '../../../helpers/platform-harness';

const harnesses: PlatformHarness[] = [];
async function harness(options: PlatformHarnessOptions = {}): Promise<PlatformHarness> {
  const h = await startPlatformHarness(options);
  harnesses.push(h);
  seedDemoData(h.dataverse.state);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

/** A one-line write-in order for a demo account. */
function order(h: PlatformHarness, values: Record<string, unknown> = {}): string {
  const id = randomUUID();
  h.dataverse.state.upsert('salesorder', {
    salesorderid: id,
    customerid: { table: 'account', id: DEMO_IDS.accounts.northwind },
    transactioncurrencyid: { table: 'transactioncurrency', id: DEMO_IDS.currencies.usd },
    ...values,
  });
  h.dataverse.state.upsert('salesorderdetail', {
    salesorderid: { table: 'salesorder', id },
    isproductoverridden: true,
    productdescription: 'Consulting',
    priceperunit: 100,
    ispriceoverridden: true,
    quantity: 1,
  });
  return id;
}

function invoices(h: PlatformHarness) {
  return h.xero.state.snapshot().invoices;
}

describe('invoice dates (Dataverse UserLocal dates are UTC instants)', () => {
  // learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute: UserLocal columns
  // come back in UTC; developer.xero.com/documentation/api/accounting/organisation: Timezone.
  it("should date the invoice on the organisation's own day, from the Xero organisation's time zone", async () => {
    const h = await harness({
      dataverseUserTimeZone: 'Australia/Sydney',
      xeroTenant: { timezone: 'AUSEASTERNSTANDARDTIME' },
    });
    const id = order(h, { submitdate: '2024-05-01' });
    expect(h.dataverse.state.get('salesorder', id)?.submitdate).toBe('2024-04-30T14:00:00Z');

    const results = await h.sync('salesorder', id);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    const [invoice] = invoices(h);
    expect(invoice?.DateString).toBe('2024-05-01T00:00:00');
    expect(invoice?.DueDateString).toBe('2024-05-31T00:00:00');
  });

  it('should let the timeZone setting decide the day instead of the organisation', async () => {
    const h = await harness({ settings: { timeZone: 'America/New_York' } });
    const id = order(h, { submitdate: '2024-05-01T02:00:00Z' });

    await h.sync('salesorder', id);

    expect(invoices(h)[0]?.DateString).toBe('2024-04-30T00:00:00');
    expect(h.xero.knobs.callCounts()['GET /Organisation']).toBeUndefined();
  });
});
