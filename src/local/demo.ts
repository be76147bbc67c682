/**
 * `npm run demo`: the connector in SANDBOX MODE, end to end, in one command. It starts the fake Xero and Dataverse
 * and the connector (in a temporary folder, on a free port), lets the seeded records sync, then changes records in
 * the sandbox Dataverse — a rename, a new order line, a cancelled order — which reach the connector as Dataverse
 * webhooks, and prints what Xero holds after each step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_IDS } from '../../sandbox/demo-data';
import type { XeroRecord } from '../../sandbox/xero-accounting/xero-json';
import { createConsoleLogger } from './console-logger';
import { startLocalConnector, type LocalConnector } from './local-connector';

const write = (line = '') => process.stdout.write(`${line}\n`);

async function settled(connector: LocalConnector, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  // Let webhook deliveries land, then wait for both queues to empty.
  await new Promise((resolve) => setTimeout(resolve, 300));
  while (performance.now() < deadline) {
    const busy = (['changes', 'writes'] as const).some((name) => {
      const depth = connector.app.queue.depth(name);
      return depth.ready + depth.inFlight + depth.delayed > 0;
    });
    if (!busy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the sandbox did not settle in time');
}

function show(connector: LocalConnector, title: string) {
  const { state } = connector.sandbox!.accounting;
  write(`\n=== ${title} ===`);
  // Sandbox mode serves two organisations; the demo's business units are routed to them (sandbox/demo-data.ts).
  for (const tenantId of state.tenantIds)
    showBooks(state.snapshot(tenantId), tenantId, themeNames(connector, tenantId));
  const outcomes = connector.app.outcomes.failures(5).filter((o) => o.willRetry === false);
  if (outcomes.length) for (const o of outcomes) write(`  failed: ${o.table} ${o.id}: ${o.message}`);
}

/** BrandingThemeID → name in one organisation, so the demo shows which theme each invoice went out with. */
function themeNames(connector: LocalConnector, tenantId: string): Map<string, string> {
  const themes = connector.sandbox!.accounting.trackingAndThemes(tenantId).themes;
  return new Map(themes.map((t) => [t.BrandingThemeID, t.Name]));
}

/** The tracking options on an invoice's lines (sandbox mode tracks Region by business unit). */
function trackingOf(invoice: XeroRecord): string {
  const entries = (Array.isArray(invoice.LineItems) ? (invoice.LineItems as XeroRecord[]) : []).flatMap((line) =>
    Array.isArray(line.Tracking)
      ? (line.Tracking as XeroRecord[]).map((t) => `${String(t.Name)}=${String(t.Option)}`)
      : []
  );
  return [...new Set(entries)].join(', ');
}

function showBooks(
  books: ReturnType<NonNullable<LocalConnector['sandbox']>['accounting']['state']['snapshot']>,
  tenantId: string,
  themes: ReadonlyMap<string, string>
) {
  const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  write(`Xero organisation ${tenantId}`);
  write('Contacts:');
  for (const c of books.contacts as XeroRecord[])
    write(`  ${text(c.Name).padEnd(34)} ${text(c.ContactStatus).padEnd(9)} ContactNumber ${text(c.ContactNumber)}`);
  write('Items:');
  for (const i of books.items as XeroRecord[])
    write(`  ${text(i.Code).padEnd(32)} ${text(i.Name).padEnd(30)} sold: ${text(i.IsSold)}`);
  write('Invoices:');
  for (const i of books.invoices as XeroRecord[]) {
    const lines = Array.isArray(i.LineItems) ? i.LineItems.length : 0;
    const theme = themes.get(text(i.BrandingThemeID));
    const tracking = trackingOf(i);
    write(
      `  ${text(i.InvoiceNumber).padEnd(9)} ${text(i.Reference).padEnd(18)} ${text(i.Status).padEnd(8)} ${text(i.CurrencyCode)} ${text(i.Total).padStart(9)}  (${lines} lines)` +
        `${theme ? `  theme: ${theme}` : ''}${tracking ? `  ${tracking}` : ''}`
    );
  }
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'd365-xero-demo-'));
  const connector = await startLocalConnector(
    { PORT: '0', DATA_DIR: dataDir },
    { logger: createConsoleLogger({ level: 'warn' }), idleMs: 50 }
  );
  try {
    write(`SANDBOX MODE demo — connector at ${connector.app.url}`);
    await settled(connector);
    show(connector, 'After the first sync of the seeded Dataverse records');

    const dataverse = connector.sandbox!.dataverseServer.state;
    dataverse.update('account', DEMO_IDS.accounts.harbourview, { name: 'Harbourview Provisions & Co' });
    dataverse.upsert('salesorderdetail', {
      salesorderid: { table: 'salesorder', id: DEMO_IDS.orders.harbourview },
      isproductoverridden: true,
      productdescription: 'Rush delivery surcharge',
      priceperunit: 35,
      quantity: 1,
      tax: 5.25,
    });
    dataverse.recalculateOrder(DEMO_IDS.orders.harbourview);
    dataverse.update('salesorder', DEMO_IDS.orders.mayaOkafor, { statecode: 2, statuscode: 4 });
    await settled(connector);
    show(connector, 'After: account renamed, a write-in line added to an order, another order cancelled');
    write('\nEvery change above reached the connector as a Dataverse webhook and was written to Xero exactly once.');
  } finally {
    await connector.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
