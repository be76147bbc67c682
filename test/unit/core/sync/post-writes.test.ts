import { RateLimitedError, ReconnectRequiredError } from '../../../../lambdas/core/errors';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { createPostWrites } from '../../../../lambdas/core/sync/post-writes';
import { InMemoryXero } from '../../../helpers/in-memory-xero';
import {
  contact,
  guid,
  invoice,
  item,
  source,
  upsertContact,
  upsertInvoice,
} from '../../../helpers/xero-write-builders';
import { InMemorySyncState, RecordingOutcomes, fixedClock, recordingLogger } from '../../../helpers/in-memory-ports';

function setup(settings: Partial<MappingSettings> = {}) {
  const xero = new InMemoryXero();
  const state = new InMemorySyncState();
  const outcomes = new RecordingOutcomes();
  const post = createPostWrites({
    xero,
    state,
    outcomes,
    settings: { ...DEFAULT_MAPPING_SETTINGS, ...settings },
    clock: fixedClock(),
    logger: recordingLogger(),
  });
  return { xero, state, outcomes, post };
}

describe('postWrites', () => {
  it('should create contacts in batches of at most 50 with one outcome per write', async () => {
    const { xero, outcomes, post } = setup();
    const writes = Array.from({ length: 120 }, (_, i) => upsertContact(i + 1));

    const results = await post(writes);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(xero.contacts.size).toBe(120);
    expect(xero.callsOf('saveContacts').map((c) => c.size)).toEqual([50, 50, 20]);
    expect(xero.callsOf('findContactsByNumber').map((c) => c.size)).toEqual([50, 50, 20]);
    expect(outcomes.outcomes.filter((o) => o.status === 'synced')).toHaveLength(120);
  });

  it('should name each outcome after the document it became (contact name, order number)', async () => {
    const { outcomes, post } = setup();

    await post([upsertContact(1, 'Fabrikam Ltd'), upsertInvoice('SO-1001', 2, 1, ['WIDGET'])]);

    const names = outcomes.outcomes.filter((o) => o.status === 'synced').map((o) => [o.table, o.name]);
    expect(names).toEqual(
      expect.arrayContaining([
        ['account', 'Fabrikam Ltd'],
        ['salesorder', 'SO-1001'],
      ])
    );
  });

  it('should update rather than duplicate when the same records are written again', async () => {
    const { xero, post } = setup();
    await post([upsertContact(1), upsertContact(2)]);
    await post([
      upsertContact(1, 'Renamed', '2026-11-02T00:00:00Z'),
      upsertContact(2, undefined, '2026-11-02T00:00:00Z'),
    ]);

    expect(xero.contacts.size).toBe(2);
    expect([...xero.contacts.values()].map((c) => c.Name).sort()).toEqual(['Customer 2', 'Renamed']);
    // The second round knew the Xero ids from sync state: no lookups needed.
    expect(xero.callsOf('findContactsByNumber')).toHaveLength(1);
  });

  it('should not create a second record when a response was lost and the batch is retried', async () => {
    const { xero, state, post } = setup();
    xero.loseNextResponse('saveContacts');

    const first = await post([upsertContact(7)]);
    expect(first[0]).toMatchObject({ status: 'retry' });
    expect(xero.contacts.size).toBe(1); // Xero did create it; we never heard back.
    // Marked before the call, so every later attempt looks it up by its key.
    expect((await state.get('account', guid(7)))?.status).toBe('creating');

    const second = await post([upsertContact(7)]);
    expect(second[0]).toEqual({ status: 'done' });
    expect(xero.contacts.size).toBe(1);
    expect((await state.get('account', guid(7)))?.xeroId).toBe([...xero.contacts.keys()][0]);
  });

  it('should send a deterministic idempotency key that differs for different bodies', async () => {
    const a = setup();
    const b = setup();
    await a.post([upsertContact(1)]);
    await b.post([upsertContact(1)]);
    const c = setup();
    await c.post([upsertContact(1, 'Other name')]);
    const key = (s: ReturnType<typeof setup>) => s.xero.callsOf('saveContacts')[0]?.idempotencyKey;

    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
    expect(key(a)!.length).toBeLessThanOrEqual(128);
  });

  it('should ensure the customer and catalogue items before creating the invoice', async () => {
    const { xero, state, outcomes, post } = setup();

    const [result] = await post([upsertInvoice('SO-1001', 1, 5, ['WIDGET', 'GADGET'])]);

    expect(result).toEqual({ status: 'done' });
    // The status page shows the order by its number, not its GUID.
    expect(outcomes.outcomes.at(-1)).toMatchObject({ table: 'salesorder', status: 'synced', name: 'SO-1001' });
    const order = xero.calls.map((c) => c.method).filter((m) => m.startsWith('save'));
    expect(order).toEqual(['saveContacts', 'saveItems', 'saveInvoices']);
    const stored = [...xero.invoices.values()][0]!;
    expect(stored.Contact.ContactID).toBe([...xero.contacts.values()][0]!.ContactID);
    expect(xero.items.size).toBe(2);
    expect(await state.get('salesorder', guid(1))).toMatchObject({
      status: 'synced',
      xeroKey: 'SO-1001',
      xeroId: stored.InvoiceID,
    });
    expect((await state.get('account', guid(5)))?.xeroId).toBe(stored.Contact.ContactID);
  });

  it('should not update an existing customer when it is only a dependency', async () => {
    const { xero, post } = setup();
    xero.seedContact({ ...contact(5), Name: 'Name kept in Xero' });

    await post([upsertInvoice('SO-1', 1, 5)]);

    expect(xero.callsOf('saveContacts')).toHaveLength(0);
    expect([...xero.contacts.values()][0]!.Name).toBe('Name kept in Xero');
    expect(xero.invoices.size).toBe(1);
  });

  it('should update a draft invoice in place and leave a paid one alone with a clear outcome', async () => {
    const { xero, outcomes, post } = setup();
    await post([upsertInvoice('SO-1', 1, 5)]);
    await post([{ ...upsertInvoice('SO-1', 1, 5, ['NEW']), source: source('salesorder', 1, '2026-11-05T00:00:00Z') }]);
    expect(xero.invoices.size).toBe(1);
    expect([...xero.invoices.values()][0]!.LineItems[0]!.ItemCode).toBe('NEW');

    xero.seedInvoice({ ...invoice('SO-2', 5), Status: 'PAID' }, 10);
    const [result] = await post([upsertInvoice('SO-2', 2, 5)]);
    expect(result).toEqual({ status: 'done' });
    expect(outcomes.outcomes.at(-1)).toMatchObject({ status: 'skipped', message: expect.stringContaining('PAID') });
    expect(xero.invoices.size).toBe(2);
  });

  it('should skip a write older than the version already synced', async () => {
    const { xero, outcomes, post } = setup();
    await post([upsertContact(1, 'Newer', '2026-11-10T00:00:00Z')]);

    const [result] = await post([upsertContact(1, 'Older', '2026-11-09T00:00:00Z')]);

    expect(result).toEqual({ status: 'done' });
    expect([...xero.contacts.values()][0]!.Name).toBe('Newer');
    expect(outcomes.outcomes.at(-1)).toMatchObject({ status: 'skipped' });
  });

  it('should keep only the newest write of a record within one batch', async () => {
    const { xero, post } = setup();

    const results = await post([
      upsertContact(1, 'Second', '2026-11-02T00:00:00Z'),
      upsertContact(1, 'First', '2026-11-01T00:00:00Z'),
    ]);

    expect(results).toEqual([{ status: 'done' }, { status: 'done' }]);
    expect(xero.callsOf('saveContacts')[0]!.size).toBe(1);
    expect([...xero.contacts.values()][0]!.Name).toBe('Second');
  });

  it('should retry, not dead-letter, when another delivery of the same record created its contact first', async () => {
    const { xero, outcomes, post } = setup();
    // The other container's create lands between this batch's lookup by key and its save.
    xero.seedContact({ ContactNumber: guid(3), Name: 'Contoso' });
    const lookup = xero.findContactsByNumber.bind(xero);
    xero.findContactsByNumber = async () => new Map();

    const [first] = await post([upsertContact(3, 'Contoso')]);

    expect(first).toMatchObject({ status: 'retry' });
    expect(outcomes.outcomes.at(-1)).toMatchObject({ status: 'failed', willRetry: true });
    xero.findContactsByNumber = lookup;
    const [second] = await post([upsertContact(3, 'Contoso')]);
    expect(second).toEqual({ status: 'done' });
    expect([...xero.contacts.values()].filter((c) => c.ContactNumber === guid(3))).toHaveLength(1);
  });

  it('should fail a duplicate contact name permanently, naming both records', async () => {
    const { xero, outcomes, post } = setup();
    const other = xero.seedContact({ ContactNumber: 'someone-else', Name: 'Contoso' });

    const [result] = await post([upsertContact(3, 'Contoso')]);

    expect(result).toMatchObject({ status: 'dead' });
    const outcome = outcomes.outcomes.at(-1)!;
    expect(outcome).toMatchObject({
      status: 'failed',
      errorCode: 'DUPLICATE_CONTACT_NAME',
      willRetry: false,
      name: 'Contoso',
    });
    expect(outcome.message).toContain(other.ContactID);
    expect(outcome.message).toContain(guid(3));
    expect(xero.contacts.size).toBe(1);
  });

  it('should add a disambiguating suffix to a taken name when configured', async () => {
    const { xero, post } = setup({ disambiguateDuplicateNames: true });
    xero.seedContact({ ContactNumber: 'someone-else', Name: 'Contoso' });

    const [result] = await post([upsertContact(3, 'Contoso')]);

    expect(result).toEqual({ status: 'done' });
    expect([...xero.contacts.values()].map((c) => c.Name)).toContain('Contoso (00000000)');
  });

  it('should fail the invoice, not crash, when its customer cannot be created', async () => {
    const { xero, post } = setup();
    xero.seedContact({ ContactNumber: 'someone-else', Name: 'Customer 5' });

    const [result] = await post([upsertInvoice('SO-9', 9, 5)]);

    expect(result).toMatchObject({ status: 'dead', error: expect.stringContaining('customer could not be created') });
    expect(xero.invoices.size).toBe(0);
  });

  it('should retry everything still open after a rate limit, honouring Retry-After', async () => {
    const { xero, post } = setup();
    xero.failNext(new RateLimitedError('minute limit', 42_000, 'minute'), 'saveInvoices');

    const results = await post([upsertContact(1), upsertInvoice('SO-1', 2, 1)]);

    expect(results[0]).toEqual({ status: 'done' });
    expect(results[1]).toMatchObject({ status: 'retry', retryAfterMs: 42_000 });
    expect(xero.invoices.size).toBe(0);
  });

  it('should pause the work when the Xero connection needs re-consent', async () => {
    const { outcomes, xero, post } = setup();
    xero.failNext(new ReconnectRequiredError('invalid_grant'));

    const results = await post([upsertContact(1), upsertContact(2)]);

    expect(results.map((r) => r.status)).toEqual(['paused', 'paused']);
    expect(outcomes.outcomes.every((o) => o.willRetry === true)).toBe(true);
  });

  it.each([
    ['DRAFT', 0, 'DELETED', 'done'],
    ['AUTHORISED', 0, 'VOIDED', 'done'],
    ['AUTHORISED', 50, 'AUTHORISED', 'dead'],
  ] as const)('should cancel a %s invoice with %d paid to %s', async (status, paid, expected, resultStatus) => {
    const { xero, post } = setup();
    const stored = xero.seedInvoice({ ...invoice('SO-5', 1), Status: status }, paid);

    const [result] = await post([{ kind: 'cancel-invoice', source: source('salesorder', 5), reference: 'SO-5' }]);

    expect(result?.status).toBe(resultStatus);
    expect(xero.invoices.get(stored.InvoiceID)!.Status).toBe(expected);
  });

  it('should archive a contact found by its number and skip one that does not exist', async () => {
    const { xero, post } = setup();
    const stored = xero.seedContact(contact(4));

    const results = await post([
      { kind: 'archive-contact', source: source('account', 4), contactNumber: guid(4) },
      { kind: 'archive-contact', source: source('contact', 8), contactNumber: guid(8) },
    ]);

    expect(results).toEqual([{ status: 'done' }, { status: 'done' }]);
    expect(xero.contacts.get(stored.ContactID)!.ContactStatus).toBe('ARCHIVED');
  });

  it('should stop selling a deleted product by its code', async () => {
    const { xero, post } = setup();
    await post([{ kind: 'upsert-item', source: source('product', 1), item: item('P-1') }]);

    await post([
      {
        kind: 'stop-selling-item',
        source: { ...source('product', 1), version: undefined, event: 'Delete' },
        code: 'P-1',
      },
    ]);

    expect([...xero.items.values()][0]).toMatchObject({ Code: 'P-1', IsSold: false, Name: 'Product P-1' });
  });
});
