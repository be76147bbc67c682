/**
 * The synthesized stack's operator paths and the Xero → Dataverse direction: preview and backfill through the
 * operations function (`connector … --aws`, named by the stack output), the nightly reconcile schedule, and
 * invoice state written back to the sales order by a signed Xero webhook and by the invoice poll.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { runDataverseCommands } from '../../src/cli/dataverse-commands';
import { SANDBOX_XERO_TENANT_ID } from '../../sandbox/xero-accounting/server';
import { contactsByNumber, deliverWebhook, invoicesByReference, waitFor } from '../helpers/e2e-harness';
import {
  consentInBrowser,
  DEMO_IDS,
  runConnectorCli,
  startScenario,
  waitForIdle,
  XERO_WEBHOOK_KEY,
  type Scenario,
} from '../helpers/aws-scenario';

jest.setTimeout(120_000);

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ timeScale: 0.05 });
  // What the operator runs once per Dataverse environment: the integration-log table and the write-back columns.
  let output = '';
  const io = { stdout: (t: string) => (output += t), stderr: (t: string) => (output += t) };
  const env = { DATAVERSE_URL: s.sandbox.dataverse.url, DATAVERSE_ACCESS_TOKEN: s.sandbox.dataverse.accessToken };
  expect([await runDataverseCommands(['setup-dataverse'], { ...io, env }), output]).toEqual([0, expect.any(String)]);
  expect((await consentInBrowser(s)).status).toBe(200);
}, 240_000);
afterAll(async () => s?.close());

const operationsFunction = () => s.stack.output('OperationsFunctionName');

describe('the operations function through `connector … --aws`', () => {
  it('should preview the Xero invoice an order would become, writing nothing', async () => {
    const cli = await runConnectorCli(s.stack, [
      'preview',
      'salesorder',
      DEMO_IDS.orders.harbourview,
      '--aws',
      operationsFunction(),
    ]);
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    expect(cli.stdout).toContain('ORD-01001-HVP');
    expect(invoicesByReference(s.sandbox, 'ORD-01001-HVP')).toHaveLength(0);
    for (const queue of s.stack.queues) expect(await s.stack.depth(queue)).toBe(0);
  });

  it('should backfill every account into Xero once', async () => {
    const cli = await runConnectorCli(s.stack, ['backfill', '--tables', 'account', '--aws', operationsFunction()]);
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain('Backfill queued');
    const accounts = Object.values(DEMO_IDS.accounts);
    await waitFor('every account in Xero', () => accounts.every((id) => contactsByNumber(s.sandbox, id).length > 0), {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    for (const id of accounts) expect(contactsByNumber(s.sandbox, id)).toHaveLength(1);
  });
});

describe('the nightly reconcile schedule', () => {
  it('should report no drift, then the drift of a contact changed behind its back, with the alarmed metric', async () => {
    const reconcileSchedule = s.stack.schedules.find((sc) => sc.expression.startsWith('cron('));
    expect(reconcileSchedule).toBeDefined();
    const clean = await s.stack.runSchedule(reconcileSchedule!);
    expect(clean.functionError).toBeUndefined();
    expect(JSON.parse(clean.payload)).toMatchObject({ drift: 0 });

    const contact = contactsByNumber(s.sandbox, DEMO_IDS.accounts.northwind)[0]!;
    s.sandbox.accounting.state.books().saveContact({ ...contact, Name: 'Renamed In Xero By Hand' }, 'upsert');
    const drifted = await s.stack.runSchedule(reconcileSchedule!);
    expect(JSON.parse(drifted.payload)).toMatchObject({ drift: 1 });
    const metric = s.stack.metrics('ReconciliationDrift').find((m) => m.value === 1);
    expect(metric).toBeDefined();
    expect(s.stack.alarmsSetOffBy(metric!)).toHaveLength(1);
  });
});

describe('write-back of invoice state to the sales order', () => {
  let invoiceId: string;
  const order = () => s.sandbox.dataverseServer.state.get('salesorder', DEMO_IDS.orders.harbourview) ?? {};

  beforeAll(async () => {
    await deliverWebhook(s.stack.api.url, s.webhookKey, {
      table: 'salesorder',
      id: DEMO_IDS.orders.harbourview,
      message: 'Update',
    });
    await waitFor('the invoice', () => invoicesByReference(s.sandbox, 'ORD-01001-HVP').length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    invoiceId = String(invoicesByReference(s.sandbox, 'ORD-01001-HVP')[0]!.InvoiceID);
  });

  it('should write the paid state back after a signed Xero webhook for the invoice', async () => {
    const books = s.sandbox.accounting.state.books();
    const invoice = invoicesByReference(s.sandbox, 'ORD-01001-HVP')[0]!;
    books.saveInvoice({ ...invoice, Status: 'AUTHORISED' }, 'upsert', 2, invoiceId);
    s.sandbox.accounting.knobs.markInvoicePaid(invoiceId);

    const body = JSON.stringify({
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${invoiceId}`,
          resourceId: invoiceId,
          eventDateUtc: new Date().toISOString(),
          eventType: 'UPDATE',
          eventCategory: 'INVOICE',
          tenantId: SANDBOX_XERO_TENANT_ID,
          tenantType: 'ORGANISATION',
        },
      ],
      firstEventSequence: 1,
      lastEventSequence: 1,
      entropy: randomUUID(),
    });
    const signature = createHmac('sha256', XERO_WEBHOOK_KEY).update(body).digest('base64');
    const answer = await fetch(`${s.stack.api.url}/webhooks/xero`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xero-signature': signature },
      body,
    });
    expect(answer.status).toBe(200);
    await waitFor('the PAID status on the order', () => Object.values(order()).includes('PAID'), { timeoutMs: 60_000 });
    await waitForIdle(s.stack);
  });

  it("should write an approved invoice's state back through the invoice poll", async () => {
    const books = s.sandbox.accounting.state.books();
    await deliverWebhook(s.stack.api.url, s.webhookKey, {
      table: 'salesorder',
      id: DEMO_IDS.orders.mayaOkafor,
      message: 'Update',
    });
    await waitFor('the Maya invoice', () => invoicesByReference(s.sandbox, 'ORD-01002-MOK').length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    const maya = invoicesByReference(s.sandbox, 'ORD-01002-MOK')[0]!;
    books.saveInvoice({ ...maya, Status: 'AUTHORISED' }, 'upsert', 2, String(maya.InvoiceID));

    // No stage schedules the poll yet (schedules.invoicePollRate is unset): invoke the write-back function with the
    // command its InvoicePoll schedule would send.
    const writeback = s.stack.fn(/Writeback/);
    const result = await s.stack.lambda.invoke(writeback.name, { action: 'poll-invoices' });
    expect(result.functionError).toBeUndefined();
    const mayaOrder = s.sandbox.dataverseServer.state.get('salesorder', DEMO_IDS.orders.mayaOkafor) ?? {};
    expect(Object.values(mayaOrder)).toContain('AUTHORISED');
  });
});

// Last in the file: the first sweep looks an hour back, so it also picks up every seeded record not synced yet.
describe('the catch-up sweep schedule', () => {
  it('should queue and sync an account whose webhook never arrived, counting it as missed', async () => {
    const sweepFn = s.stack.fn(/SweepFunction/);
    const schedule = s.stack.schedules.find((sc) => sc.functionName === sweepFn.name);
    expect(schedule?.expression).toBe('rate(5 minutes)');
    const lost = s.sandbox.dataverseServer.state.create('account', { name: 'Webhook Lost Ltd' });

    const result = await s.stack.runSchedule(schedule!);
    expect(result.functionError).toBeUndefined();
    expect((JSON.parse(result.payload) as { missed: number }).missed).toBeGreaterThanOrEqual(1);
    await waitFor('the swept contact', () => contactsByNumber(s.sandbox, lost.id).length === 1, { timeoutMs: 60_000 });
    await waitForIdle(s.stack);
    expect(contactsByNumber(s.sandbox, lost.id)).toHaveLength(1);
    expect(s.stack.metrics('SweepMissedChanges').some((m) => m.value >= 1)).toBe(true);

    // A second run finds the same change already delivered: nothing new is missed.
    const again = await s.stack.runSchedule(schedule!);
    expect(JSON.parse(again.payload)).toMatchObject({ missed: 0 });
  });
});
