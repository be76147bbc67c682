/**
 * Real mode: the connector configured only through the contract's environment variables, pointed at the in-repo
 * fakes as if they were independent Xero and Dataverse systems. Consent happens over HTTP, webhooks are
 * Dataverse-shaped deliveries, and duplicate or out-of-order deliveries still give exactly one Xero record each.
 */
import { randomUUID } from 'node:crypto';
import { SANDBOX_TENANT_NAME } from '../../src/local/sandbox-mode';
import { DEMO_IDS } from '../../sandbox/demo-data';
import type { XeroRecord } from '../../sandbox/xero-accounting/xero-json';
import {
  badXeroRequests,
  consentOverHttp,
  contactsByNumber,
  deliverWebhook,
  getStatus,
  invoicesByReference,
  useRealModeRun,
  waitFor,
  waitForDrain,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const ids = DEMO_IDS;
const run = useRealModeRun('real-mode');

const snapshot = () => run.fakes.systems.accounting.state.snapshot();

it('should start in real mode on the configured port, not connected to Xero yet', async () => {
  expect(run.connector.sandbox).toBeUndefined();
  expect(run.url).toBe(`http://127.0.0.1:${run.fakes.port}`);
  const status = await getStatus(run.url);
  expect(status.runtime).toBe('local');
  expect(status.connection.state).not.toBe('connected');
});

it('should complete consent over HTTP and show the organisation on the callback page', async () => {
  const page = await consentOverHttp(run.url);
  expect(page.status).toBe(200);
  expect(page.hops.some((hop) => hop.startsWith(run.fakes.env.XERO_LOGIN_URL ?? '-'))).toBe(true);
  expect(page.hops.at(-1)).toContain('/oauth/xero/callback?');
  expect(page.body).toContain(SANDBOX_TENANT_NAME);
  const status = await getStatus(run.url);
  expect(status.connection.state).toBe('connected');
  expect(status.connection.tenantName).toBe(SANDBOX_TENANT_NAME);
});

it('should sync an order delivered before its customer and products, resolving them first', async () => {
  const answer = await deliverWebhook(run.url, run.webhookKey, {
    table: 'salesorder',
    id: ids.orders.harbourview,
    message: 'Update',
    changed: { name: 'Harbourview café refit' },
  });
  expect(answer.status).toBeLessThan(300);
  await waitFor('the Harbourview invoice', () => invoicesByReference(run.fakes.systems, 'ORD-01001-HVP').length > 0);
  await waitForDrain(run.url);
  const invoice = invoicesByReference(run.fakes.systems, 'ORD-01001-HVP');
  expect(invoice).toHaveLength(1);
  expect(invoice[0]?.Total).toBe(1500.19);
  expect(contactsByNumber(run.fakes.systems, ids.accounts.harbourview)).toHaveLength(1);
  const codes = snapshot().items.map((i) => i.Code);
  expect(codes).toEqual(expect.arrayContaining(['BEAN-ESP-1KG', 'GRD-CONICAL-64']));
});

it('should write a record once when the same webhook arrives twice', async () => {
  const operationId = randomUUID();
  const correlationId = randomUUID();
  const change = {
    table: 'account',
    id: ids.accounts.northwind,
    message: 'Update' as const,
    changed: { name: 'Northwind Roasters Co-op' },
    operationId,
    correlationId,
  };
  const first = await deliverWebhook(run.url, run.webhookKey, change);
  const second = await deliverWebhook(run.url, run.webhookKey, change);
  expect(first.status).toBeLessThan(300);
  expect(second.status).toBeLessThan(300);
  await waitFor('Northwind in Xero', () => contactsByNumber(run.fakes.systems, ids.accounts.northwind).length > 0);
  await waitForDrain(run.url);
  expect(contactsByNumber(run.fakes.systems, ids.accounts.northwind)).toHaveLength(1);
  const posts = run.fakes.systems.accounting.knobs
    .requests()
    .filter((r) => r.method !== 'GET' && JSON.stringify(r.body).includes(ids.accounts.northwind));
  expect(posts).toHaveLength(1);
});

it('should end with the current Dataverse values when updates arrive out of order', async () => {
  const dv = run.fakes.systems.dataverseServer.state;
  const older = new Date(Date.now() - 60_000);
  dv.update('account', ids.accounts.cafeNandu, { name: 'Café Ñandú Zwischenname' });
  dv.update('account', ids.accounts.cafeNandu, { name: 'Café Ñandú Röstwerk AG' });
  // The newer change is delivered first, the older one afterwards.
  await deliverWebhook(run.url, run.webhookKey, {
    table: 'account',
    id: ids.accounts.cafeNandu,
    message: 'Update',
    changed: { name: 'Café Ñandú Röstwerk AG' },
  });
  await deliverWebhook(run.url, run.webhookKey, {
    table: 'account',
    id: ids.accounts.cafeNandu,
    message: 'Update',
    changed: { name: 'Café Ñandú Zwischenname' },
    when: older,
  });
  await waitFor('Café Ñandú in Xero', () => contactsByNumber(run.fakes.systems, ids.accounts.cafeNandu).length > 0);
  await waitForDrain(run.url);
  const contacts = contactsByNumber(run.fakes.systems, ids.accounts.cafeNandu);
  expect(contacts).toHaveLength(1);
  expect(contacts[0]?.Name).toBe('Café Ñandú Röstwerk AG');
});

it('should keep one invoice when an order line is added and webhooks for line and order both arrive', async () => {
  const dv = run.fakes.systems.dataverseServer.state;
  const line = dv.create('salesorderdetail', {
    salesorderid: { table: 'salesorder', id: ids.orders.harbourview },
    productid: { table: 'product', id: ids.products.espressoBeans },
    quantity: 2,
    tax: 0,
  });
  dv.recalculateOrder(ids.orders.harbourview);
  await deliverWebhook(run.url, run.webhookKey, {
    table: 'salesorderdetail',
    id: line.id,
    message: 'Create',
    changed: { quantity: 2 },
    parentOrderId: ids.orders.harbourview,
  });
  await deliverWebhook(run.url, run.webhookKey, {
    table: 'salesorder',
    id: ids.orders.harbourview,
    message: 'Update',
    changed: { totalamount: dv.get('salesorder', ids.orders.harbourview)?.totalamount },
  });
  const expected = dv.get('salesorder', ids.orders.harbourview)?.totalamount;
  await waitFor(
    'the updated invoice',
    () => invoicesByReference(run.fakes.systems, 'ORD-01001-HVP')[0]?.Total === expected
  );
  await waitForDrain(run.url);
  const invoices = invoicesByReference(run.fakes.systems, 'ORD-01001-HVP');
  expect(invoices).toHaveLength(1);
  expect((invoices[0]?.LineItems as XeroRecord[]).filter((l) => l.ItemCode === 'BEAN-ESP-1KG')).toHaveLength(2);
});

it('should finish with nothing failed and every Xero body valid against the contract', async () => {
  const status = await waitForDrain(run.url);
  expect(status.counts.failed).toBe(0);
  expect(status.queues.changes.dead + status.queues.writes.dead).toBe(0);
  expect(badXeroRequests(run.fakes.systems)).toEqual([]);
});
