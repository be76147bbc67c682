/**
 * Routing on the synthesized stack (issue #16): MAPPING_SETTINGS routes the demo's business units to the sandbox's
 * two organisations; the map function decides each record's organisation and the post function writes each part
 * through that organisation's own gateway. An order moved to the other business unit is voided in the old one.
 */
import { SANDBOX_EUROPE_TENANT_ID } from '../../src/local/sandbox-mode';
import { demoRouting } from '../../sandbox/demo-data';
import { SANDBOX_XERO_TENANT_ID } from '../../sandbox/xero-accounting/server';
import { contactsByNumber, deliverWebhook, invoicesByReference, waitFor } from '../helpers/e2e-harness';
import { consentInBrowser, DEMO_IDS, startScenario, waitForIdle, type Scenario } from '../helpers/aws-scenario';
import { Browser } from '../helpers/browser';

jest.setTimeout(90_000);

const PACIFIC = SANDBOX_XERO_TENANT_ID;
const EUROPE = SANDBOX_EUROPE_TENANT_ID;
let s: Scenario;
beforeAll(async () => {
  s = await startScenario({
    mapping: { routing: demoRouting(PACIFIC, EUROPE), invoiceStatus: 'AUTHORISED' },
    organisations: 2,
  });
}, 240_000);
afterAll(async () => s?.close());

const deliver = (change: Parameters<typeof deliverWebhook>[2]) => deliverWebhook(s.stack.api.url, s.webhookKey, change);

describe('two organisations on AWS, routed by business unit', () => {
  it('should invoice each order in its business unit organisation, with its customer there', async () => {
    // Two organisations and no pin: the consent asks which ones; the operator ticks both.
    const browser = new Browser();
    const consent = await consentInBrowser(s, browser);
    expect(consent.body).toContain('Choose Xero organisations');
    const token = /name="token" value="([^"]+)"/.exec(consent.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const body = new URLSearchParams([
      ['token', token],
      ['tenantId', PACIFIC],
      ['tenantId', EUROPE],
    ]);
    const chosen = await browser.fetch(`${s.stack.api.url}/oauth/xero/choose`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(chosen.status).toBe(200);

    await deliver({ table: 'salesorder', id: DEMO_IDS.orders.harbourview, message: 'Update' });
    await deliver({ table: 'salesorder', id: DEMO_IDS.orders.cafeNanduEur, message: 'Update' });
    await waitFor('both invoices', () => invoicesByReference(s.sandbox, 'ORD-01003-CNG', EUROPE).length === 1, {
      timeoutMs: 60_000,
    });
    await waitFor('the Pacific invoice', () => invoicesByReference(s.sandbox, 'ORD-01001-HVP', PACIFIC).length === 1);
    await waitForIdle(s.stack);

    expect(invoicesByReference(s.sandbox, 'ORD-01001-HVP')).toHaveLength(1);
    expect(invoicesByReference(s.sandbox, 'ORD-01003-CNG')).toHaveLength(1);
    expect(contactsByNumber(s.sandbox, DEMO_IDS.accounts.cafeNandu, EUROPE)).toHaveLength(1);
    expect(contactsByNumber(s.sandbox, DEMO_IDS.accounts.harbourview, PACIFIC)).toHaveLength(1);
    expect(contactsByNumber(s.sandbox, DEMO_IDS.accounts.cafeNandu, PACIFIC)).toHaveLength(0);
  });

  it('should void the invoice in the old organisation and create it in the new one when the business unit changes', async () => {
    const europe = { table: 'businessunit', id: DEMO_IDS.businessUnits.europe };
    s.sandbox.dataverseServer.state.update('salesorder', DEMO_IDS.orders.harbourview, { owningbusinessunit: europe });
    await deliver({ table: 'salesorder', id: DEMO_IDS.orders.harbourview, message: 'Update' });

    await waitFor('the invoice in Europe', () => invoicesByReference(s.sandbox, 'ORD-01001-HVP', EUROPE).length === 1);
    await waitForIdle(s.stack);

    expect(invoicesByReference(s.sandbox, 'ORD-01001-HVP', PACIFIC).map((i) => i.Status)).toEqual(['VOIDED']);
    expect(invoicesByReference(s.sandbox, 'ORD-01001-HVP', EUROPE).map((i) => i.Status)).toEqual(['AUTHORISED']);
    for (const queue of s.stack.queues) expect(await s.stack.depth(queue)).toBe(0);
  });

  it('should check the settings in each organisation on the sweep schedule and show each verdict in /status', async () => {
    const sweepFn = s.stack.fn(/SweepFunction/);
    const schedule = s.stack.schedules.find((sc) => sc.functionName === sweepFn.name);
    const result = await s.stack.runSchedule(schedule!);
    expect(result.functionError).toBeUndefined();

    const status = await fetch(`${s.stack.api.url}/status`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    const body = (await status.json()) as {
      preflight?: {
        ok: boolean;
        problems: unknown[];
        organisations?: { tenantId: string; ok: boolean; baseCurrency?: string }[];
      };
    };
    expect(body.preflight).toMatchObject({ ok: true, problems: [] });
    expect(body.preflight?.organisations?.map((o) => [o.tenantId, o.ok, o.baseCurrency])).toEqual([
      [PACIFIC, true, 'NZD'],
      [EUROPE, true, 'EUR'],
    ]);
    expect(JSON.parse(result.payload)).toMatchObject({ preflightOk: true });
  });
});
