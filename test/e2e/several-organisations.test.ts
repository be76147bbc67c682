/**
 * Several Xero organisations end to end (issue #16), in sandbox mode: the demo's two business units are routed to
 * the sandbox's two organisations. A customer who buys from both entities exists once in each; an order moved to
 * the other business unit leaves its old organisation (voided) and is invoiced in the new one; a paid invoice is
 * not moved and the order fails naming both organisations. Every document ends in the right organisation, once.
 */
import {
  SANDBOX_EUROPE_TENANT_ID,
  SANDBOX_EUROPE_TENANT_NAME,
  SANDBOX_TENANT_NAME,
} from '../../src/local/sandbox-mode';
import { DEMO_IDS } from '../../sandbox/demo-data';
import { SANDBOX_XERO_TENANT_ID } from '../../sandbox/xero-accounting/server';
import type { XeroRecord } from '../../sandbox/xero-accounting/xero-json';
import {
  adminFetch,
  badXeroRequests,
  contactsByNumber,
  getStatus,
  invoicesByReference,
  waitFor,
  waitForDrain,
  useSandboxRun,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const PACIFIC = SANDBOX_XERO_TENANT_ID;
const EUROPE = SANDBOX_EUROPE_TENANT_ID;
const units = {
  pacific: { table: 'businessunit', id: DEMO_IDS.businessUnits.pacific },
  europe: { table: 'businessunit', id: DEMO_IDS.businessUnits.europe },
};

const run = useSandboxRun('several-organisations', {
  MAPPING_SETTINGS: JSON.stringify({ invoiceStatus: 'AUTHORISED' }),
});
const sandbox = () => run.sandbox;
const live = (invoices: XeroRecord[]) => invoices.filter((i) => i.Status !== 'VOIDED' && i.Status !== 'DELETED');

/** A one-line order for the customer, owned by the given business unit. */
function createOrder(customerId: string, ordernumber: string, unit: { table: string; id: string }): string {
  const dv = sandbox().dataverseServer.state;
  const order = dv.create('salesorder', {
    name: `Order ${ordernumber}`,
    ordernumber,
    customerid: { table: 'account', id: customerId },
    transactioncurrencyid: { table: 'transactioncurrency', id: DEMO_IDS.currencies.usd },
    owningbusinessunit: unit,
  });
  dv.create('salesorderdetail', {
    salesorderid: { table: 'salesorder', id: order.id },
    productid: { table: 'product', id: DEMO_IDS.products.espressoBeans },
    quantity: 2,
  });
  return order.id;
}

let customerId: string;
let pacificOrder: string;
let europeOrder: string;

describe('two organisations routed by business unit', () => {
  it('should keep a customer who buys from both entities once in each organisation, keyed by the account GUID', async () => {
    const dv = sandbox().dataverseServer.state;
    customerId = dv.create('account', { name: 'Twin Markets Ltd', owningbusinessunit: units.pacific }).id;
    pacificOrder = createOrder(customerId, 'ORD-02001-TWN', units.pacific);
    europeOrder = createOrder(customerId, 'ORD-02002-TWN', units.europe);

    await waitFor('both invoices', () => invoicesByReference(sandbox(), 'ORD-02002-TWN', EUROPE).length === 1);
    await waitFor('the Pacific invoice', () => invoicesByReference(sandbox(), 'ORD-02001-TWN', PACIFIC).length === 1);
    await waitForDrain(run.url);

    expect(contactsByNumber(sandbox(), customerId, PACIFIC)).toHaveLength(1);
    expect(contactsByNumber(sandbox(), customerId, EUROPE)).toHaveLength(1);
    expect(invoicesByReference(sandbox(), 'ORD-02001-TWN', EUROPE)).toHaveLength(0);
    expect(invoicesByReference(sandbox(), 'ORD-02002-TWN', PACIFIC)).toHaveLength(0);
    const europeInvoice = invoicesByReference(sandbox(), 'ORD-02002-TWN', EUROPE)[0];
    const europeContact = contactsByNumber(sandbox(), customerId, EUROPE)[0];
    expect((europeInvoice?.Contact as XeroRecord).ContactID).toBe(europeContact?.ContactID);
  });

  it('should void the invoice in the old organisation and create it in the new one when the business unit changes', async () => {
    sandbox().dataverseServer.state.update('salesorder', pacificOrder, { owningbusinessunit: units.europe });

    await waitFor('the invoice in Europe', () => invoicesByReference(sandbox(), 'ORD-02001-TWN', EUROPE).length === 1);
    await waitForDrain(run.url);

    expect(invoicesByReference(sandbox(), 'ORD-02001-TWN', PACIFIC).map((i) => i.Status)).toEqual(['VOIDED']);
    expect(live(invoicesByReference(sandbox(), 'ORD-02001-TWN'))).toHaveLength(1);
    // The customer is not moved: it stays in Pacific (other invoices may need it) and is not duplicated in Europe.
    expect(contactsByNumber(sandbox(), customerId, PACIFIC)).toHaveLength(1);
    expect(contactsByNumber(sandbox(), customerId, EUROPE)).toHaveLength(1);
  });

  it('should refuse to move a paid invoice and fail the order with a message naming both organisations', async () => {
    const paid = invoicesByReference(sandbox(), 'ORD-02002-TWN', EUROPE)[0];
    sandbox().accounting.knobs.markInvoicePaid(String(paid?.InvoiceID), undefined, EUROPE);
    sandbox().dataverseServer.state.update('salesorder', europeOrder, { owningbusinessunit: units.pacific });

    const failure = await waitFor('the order to fail', async () =>
      (await getStatus(run.url)).failures.find((f) => f.id === europeOrder)
    );
    expect(failure.message).toContain(PACIFIC);
    expect(failure.message).toContain(EUROPE);
    expect(invoicesByReference(sandbox(), 'ORD-02002-TWN', PACIFIC)).toHaveLength(0);
    expect(invoicesByReference(sandbox(), 'ORD-02002-TWN', EUROPE).map((i) => i.Status)).toEqual(['PAID']);
  });

  it('should end with every invoice in the right organisation exactly once, and only contract-valid requests', async () => {
    await waitForDrain(run.url);
    const expected: [string, string][] = [
      ['ORD-01001-HVP', PACIFIC],
      ['ORD-01002-MOK', PACIFIC],
      ['ORD-01003-CNG', EUROPE],
      ['ORD-02001-TWN', EUROPE],
      ['ORD-02002-TWN', EUROPE],
    ];
    for (const [reference, tenant] of expected) {
      expect(live(invoicesByReference(sandbox(), reference))).toHaveLength(1);
      expect(live(invoicesByReference(sandbox(), reference, tenant))).toHaveLength(1);
    }
    expect(badXeroRequests(sandbox())).toEqual([]);
  });
});

describe('the settings check and the demo mapping in each organisation', () => {
  interface PreflightBody {
    ok: boolean;
    problems: unknown[];
    organisations?: { tenantId: string; name: string; ok: boolean; baseCurrency?: string }[];
  }
  it('should check the settings in each organisation and show a verdict per organisation', async () => {
    const preflight = await waitFor(
      'the preflight of both organisations',
      async () => {
        const body = (await (await adminFetch(run.url, '/status')).json()) as { preflight?: PreflightBody };
        return body.preflight?.organisations?.length === 2 ? body.preflight : undefined;
      },
      { timeoutMs: 30_000 }
    );
    expect(preflight.problems).toEqual([]);
    expect(preflight.ok).toBe(true);
    expect(preflight.organisations?.map((o) => [o.tenantId, o.name, o.ok, o.baseCurrency])).toEqual([
      [PACIFIC, SANDBOX_TENANT_NAME, true, 'NZD'],
      [EUROPE, SANDBOX_EUROPE_TENANT_NAME, true, 'EUR'],
    ]);
    const page = await (await adminFetch(run.url, '/')).text();
    expect(page).toContain(`<dt>${SANDBOX_TENANT_NAME}</dt><dd class="preflight-organisation state-connected"`);
    expect(page).toContain(`<dt>${SANDBOX_EUROPE_TENANT_NAME}</dt><dd class="preflight-organisation state-connected"`);
  });

  it("should send each organisation's invoices with its Region and its own branding theme", async () => {
    const themeOf = (tenantId: string, name: string) =>
      sandbox()
        .accounting.trackingAndThemes(tenantId)
        .themes.find((t) => t.Name === name)?.BrandingThemeID;
    const cases: [string, string, string, string][] = [
      ['ORD-01001-HVP', PACIFIC, 'Pacific', 'Standard'],
      ['ORD-01003-CNG', EUROPE, 'Europe', 'Special Projects'],
    ];
    for (const [reference, tenantId, region, theme] of cases) {
      const invoice = live(invoicesByReference(sandbox(), reference, tenantId))[0];
      expect(invoice?.BrandingThemeID).toBe(themeOf(tenantId, theme));
      expect(invoice?.LineItems).not.toHaveLength(0);
      for (const line of (invoice?.LineItems ?? []) as XeroRecord[])
        expect(line.Tracking).toEqual([expect.objectContaining({ Name: 'Region', Option: region })]);
    }
  });
});
