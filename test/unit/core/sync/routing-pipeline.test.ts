/**
 * Several Xero organisations (issue #16): the map stage routes each record, the post stage writes each
 * organisation's part with its own gateway and sync state, and an order whose route changes moves as Xero allows.
 */
import type { ChangeEvent, SyncedTable } from '../../../../lambdas/core/model/change-event';
import type { DvSalesOrder } from '../../../../lambdas/core/model/dataverse';
import type { WorkResult, XeroWrite } from '../../../../lambdas/core/model/xero-write';
import type { RoutingSettings } from '../../../../lambdas/core/routing/routing-settings';
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { createMapChange } from '../../../../lambdas/core/sync/map-change';
import { createPostWrites } from '../../../../lambdas/core/sync/post-writes';
import {
  buildAccount,
  buildProduct,
  buildSalesOrder,
  buildOrderLine,
  guid,
} from '../../../helpers/dataverse-factories';
import { InMemoryDataverse } from '../../../helpers/in-memory-dataverse';
import {
  InMemorySyncState,
  RecordingOutcomes,
  RecordingQueues,
  fixedClock,
  recordingLogger,
} from '../../../helpers/in-memory-ports';
import { InMemoryXero, InMemoryXeroOrganisations } from '../../../helpers/in-memory-xero';

const UK = '11111111-1111-4111-8111-111111111111';
const DE = '22222222-2222-4222-8222-222222222222';
const UNITS = {
  uk: { id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Acme UK' },
  de: { id: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'Acme Deutschland' },
};
const ROUTING: RoutingSettings = {
  by: 'businessUnit',
  routes: { 'Acme UK': UK, 'Acme Deutschland': DE },
  defaultTenantId: UK,
};

let sequence = 0;
const change = (table: SyncedTable, id: string): ChangeEvent => ({
  table,
  id,
  message: 'Update',
  occurredAt: '2026-11-26T10:00:00Z',
  dedupeId: `op-${++sequence}`,
  source: 'dataverse-webhook',
});

function pipeline(routing: RoutingSettings | null = ROUTING) {
  const dataverse = new InMemoryDataverse();
  const orgs = new InMemoryXeroOrganisations(UK);
  const state = new InMemorySyncState();
  const outcomes = new RecordingOutcomes();
  const queues = new RecordingQueues();
  const settings = { ...DEFAULT_MAPPING_SETTINGS, invoiceStatus: 'AUTHORISED' as const, routing: routing ?? undefined };
  const logger = recordingLogger();
  const posted: XeroWrite[] = [];
  const mapChange = createMapChange({
    reader: dataverse,
    state,
    settings,
    writes: queues,
    changes: queues,
    outcomes,
    logger,
  });
  const postWrites = createPostWrites({
    xero: orgs.org(UK),
    xeroFor: orgs.xeroFor,
    state,
    outcomes,
    settings,
    clock: fixedClock(),
    logger,
  });
  async function sync(...events: ChangeEvent[]): Promise<WorkResult[]> {
    for (const event of events) await mapChange(event);
    const writes = queues.writes.splice(0);
    posted.push(...writes);
    return writes.length ? await postWrites(writes) : [];
  }
  const account = (id: number, unit: { id: string; name: string }) =>
    dataverse.add(buildAccount({ accountid: guid(id), name: `Customer ${id}`, owningBusinessUnit: unit }));
  const order = (id: number, customer: number, unit: { id: string; name: string }, extra: Partial<DvSalesOrder> = {}) =>
    dataverse.add(
      buildSalesOrder({
        salesorderid: guid(id),
        ordernumber: `SO-${id}`,
        customer: { table: 'account', id: guid(customer) },
        owningBusinessUnit: unit,
        lines: [buildOrderLine({ productid: guid(90), productnumber: 'BEANS-1KG', lineitemnumber: 1 })],
        ...extra,
      })
    ) as DvSalesOrder;
  dataverse.add(buildProduct({ productid: guid(90), productnumber: 'BEANS-1KG' }));
  return { dataverse, orgs, state, outcomes, posted, queues, mapChange, postWrites, sync, account, order };
}

const invoiceCount = (org: InMemoryXero) =>
  [...org.invoices.values()].filter((i) => i.Status !== 'VOIDED' && i.Status !== 'DELETED').length;

describe('routing orders to organisations', () => {
  it("should invoice each order in its business unit's organisation, with its customer and items created there", async () => {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.de);

    const results = await p.sync(change('salesorder', guid(10)));

    expect(results).toEqual([{ status: 'done' }]);
    expect(p.orgs.invoicesByReference('SO-10')).toEqual([{ tenantId: DE, status: 'AUTHORISED' }]);
    // The customer's own unit is the UK, but the order needs it in Germany: created there, not in the UK.
    expect(p.orgs.contactsByNumber(guid(1))).toEqual([DE]);
    expect([...p.orgs.org(DE).items.values()].map((i) => i.Code)).toEqual(['BEANS-1KG']);
    expect(p.orgs.org(UK).calls).toHaveLength(0);
    expect(p.outcomes.outcomes.find((o) => o.table === 'salesorder')).toMatchObject({ status: 'synced', tenantId: DE });
  });

  it('should keep a customer who buys from both entities once in each organisation, keyed the same way', async () => {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.uk);
    p.order(11, 1, UNITS.de);

    await p.sync(change('salesorder', guid(10)), change('salesorder', guid(11)));
    expect(p.orgs.contactsByNumber(guid(1)).sort()).toEqual([UK, DE].sort());

    // A later change of the account alone updates it where it is, in both organisations, and creates nothing new.
    p.dataverse.add(
      buildAccount({
        accountid: guid(1),
        name: 'Customer 1 renamed',
        owningBusinessUnit: UNITS.uk,
        modifiedon: '2026-11-27T00:00:00Z',
      })
    );
    const results = await p.sync(change('account', guid(1)));
    expect(results).toEqual([{ status: 'done' }, { status: 'done' }]);
    for (const tenant of [UK, DE]) {
      const contacts = [...p.orgs.org(tenant).contacts.values()];
      expect(contacts.map((c) => [c.ContactNumber, c.Name])).toEqual([[guid(1), 'Customer 1 renamed']]);
    }
    // Each organisation has its own sync state for the account; the default one keeps the tenant-less key.
    expect(p.state.records.get(`account:${guid(1)}`)?.status).toBe('synced');
    expect(p.state.records.get(`account:${guid(1)}:${DE}`)?.status).toBe('synced');
  });

  it('should create an account changed on its own in its own business unit organisation', async () => {
    const p = pipeline();
    p.account(1, UNITS.de);

    await p.sync(change('account', guid(1)));

    expect(p.orgs.contactsByNumber(guid(1))).toEqual([DE]);
  });

  it('should send Idempotency-Keys that differ per organisation for the same customer body', async () => {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.uk);
    p.order(11, 1, UNITS.de);

    await p.sync(change('salesorder', guid(10)), change('salesorder', guid(11)));

    const keyOf = (tenant: string) => p.orgs.org(tenant).callsOf('saveContacts')[0]?.idempotencyKey;
    expect(keyOf(UK)).toBeDefined();
    expect(keyOf(DE)).toBeDefined();
    expect(keyOf(UK)).not.toBe(keyOf(DE));
  });

  it('should cancel a deleted order in the organisation it was invoiced in', async () => {
    const p = pipeline();
    p.account(1, UNITS.de);
    p.order(10, 1, UNITS.de);
    await p.sync(change('salesorder', guid(10)));
    p.dataverse.orders.delete(guid(10));

    await p.sync(change('salesorder', guid(10)));

    expect(p.orgs.invoicesByReference('SO-10')).toEqual([{ tenantId: DE, status: 'VOIDED' }]);
  });

  it('should write no tenant at all without routing settings (one organisation, as before)', async () => {
    const p = pipeline(null);
    p.account(1, UNITS.de);
    p.order(10, 1, UNITS.de);

    await p.sync(change('salesorder', guid(10)));

    expect(p.orgs.invoicesByReference('SO-10')).toEqual([{ tenantId: UK, status: 'AUTHORISED' }]);
    expect(p.posted).toHaveLength(1);
    expect(p.posted.every((w) => !('tenantId' in w) && !('moveFrom' in w))).toBe(true);
    expect([...p.state.records.keys()].every((key) => key.split(':').length === 2)).toBe(true);
  });
});

describe('an order whose route changes', () => {
  async function invoicedInUk() {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.uk);
    await p.sync(change('salesorder', guid(10)));
    expect(p.orgs.invoicesByReference('SO-10')).toEqual([{ tenantId: UK, status: 'AUTHORISED' }]);
    p.order(10, 1, UNITS.de, { modifiedon: '2026-11-27T00:00:00Z' });
    return { p };
  }

  it('should void the approved invoice in the old organisation and create it in the new one', async () => {
    const { p } = await invoicedInUk();

    const results = await p.sync(change('salesorder', guid(10)));

    expect(results).toEqual([{ status: 'done' }]);
    expect(p.orgs.invoicesByReference('SO-10').sort((a, b) => a.tenantId.localeCompare(b.tenantId))).toEqual([
      { tenantId: UK, status: 'VOIDED' },
      { tenantId: DE, status: 'AUTHORISED' },
    ]);
    expect(p.state.records.get(`salesorder:${guid(10)}`)).toMatchObject({
      status: 'skipped',
      message: expect.stringContaining(`moved to organisation ${DE}`),
    });
    expect(p.state.records.get(`salesorder:${guid(10)}:${DE}`)?.status).toBe('synced');

    // The next change of the order touches only its new organisation.
    const ukCalls = p.orgs.org(UK).calls.length;
    p.order(10, 1, UNITS.de, { modifiedon: '2026-11-28T00:00:00Z', name: 'renamed' });
    await p.sync(change('salesorder', guid(10)));
    expect(p.orgs.org(UK).calls).toHaveLength(ukCalls);
    expect(invoiceCount(p.orgs.org(DE))).toBe(1);
  });

  it('should delete a draft invoice in the old organisation', async () => {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.uk);
    await p.sync(change('salesorder', guid(10)));
    const uk = p.orgs.org(UK);
    const invoice = [...uk.invoices.values()][0]!;
    uk.invoices.set(invoice.InvoiceID, { ...invoice, Status: 'DRAFT' });
    p.order(10, 1, UNITS.de, { modifiedon: '2026-11-27T00:00:00Z' });

    await p.sync(change('salesorder', guid(10)));

    expect(p.orgs.invoicesByReference('SO-10').sort((a, b) => a.tenantId.localeCompare(b.tenantId))).toEqual([
      { tenantId: UK, status: 'DELETED' },
      { tenantId: DE, status: 'AUTHORISED' },
    ]);
  });

  it('should fail, naming both organisations, when the old invoice has payments, and create nothing', async () => {
    const { p } = await invoicedInUk();
    p.orgs.org(UK).pay('SO-10', 5);

    const results = await p.sync(change('salesorder', guid(10)));

    expect(results).toEqual([{ status: 'dead', error: expect.stringContaining(UK) }]);
    const failure = p.outcomes.outcomes.filter((o) => o.status === 'failed').pop();
    expect(failure).toMatchObject({ errorCode: 'ROUTE_CHANGE_BLOCKED', willRetry: false, tenantId: DE });
    expect(failure?.message).toContain(UK);
    expect(failure?.message).toContain(DE);
    expect(p.orgs.invoicesByReference('SO-10')).toEqual([{ tenantId: UK, status: 'AUTHORISED' }]);
    expect(p.orgs.org(DE).calls.filter((c) => c.method.startsWith('save'))).toHaveLength(0);
  });

  it('should still move the invoice when the order was re-routed before its first write reached Xero', async () => {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.uk);
    await p.mapChange(change('salesorder', guid(10)));
    const first = p.queues.writes.splice(0);
    p.order(10, 1, UNITS.de, { modifiedon: '2026-11-27T00:00:00Z' });
    await p.mapChange(change('salesorder', guid(10)));
    const second = p.queues.writes.splice(0);

    await p.postWrites(first);
    await p.postWrites(second);

    expect(p.orgs.invoicesByReference('SO-10').sort((a, b) => a.tenantId.localeCompare(b.tenantId))).toEqual([
      { tenantId: UK, status: 'VOIDED' },
      { tenantId: DE, status: 'AUTHORISED' },
    ]);
  });

  it('should write only the newest route when both writes of a re-routed order travel in one batch', async () => {
    const p = pipeline();
    p.account(1, UNITS.uk);
    p.order(10, 1, UNITS.uk);
    await p.mapChange(change('salesorder', guid(10)));
    p.order(10, 1, UNITS.de, { modifiedon: '2026-11-27T00:00:00Z' });
    await p.mapChange(change('salesorder', guid(10)));

    const results = await p.postWrites(p.queues.writes.splice(0));

    expect(results).toEqual([{ status: 'done' }, { status: 'done' }]);
    expect(p.orgs.invoicesByReference('SO-10')).toEqual([{ tenantId: DE, status: 'AUTHORISED' }]);
    expect(p.orgs.org(UK).calls.filter((c) => c.method.startsWith('save'))).toHaveLength(0);
    const orderOutcomes = p.outcomes.outcomes.filter((o) => o.table === 'salesorder').map((o) => o.status);
    expect(orderOutcomes.sort()).toEqual(['skipped', 'synced']);
  });
});
