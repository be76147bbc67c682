import { PermanentError, RateLimitedError, TransientError } from '../../../../lambdas/core/errors';
import type { XeroKeyKind, XeroKeyLister } from '../../../../lambdas/core/ports';
import { XeroKeyIndex } from '../../../../lambdas/core/sync/xero-key-index';
import { InMemoryXero } from '../../../helpers/in-memory-xero';
import { InMemorySyncState, recordingLogger } from '../../../helpers/in-memory-ports';
import { contact, guid, upsertContact, upsertInvoice } from '../../../helpers/xero-write-builders';
import { fakeTime } from '../../../helpers/fake-time';
import { inMemoryPostWrites } from '../../../helpers/in-memory-pipeline';

const START = '2026-11-26T10:00:00Z';

function countingLister(keys: Record<XeroKeyKind, string[]>, pagesNeeded = 1) {
  const calls: XeroKeyKind[] = [];
  const lister: XeroKeyLister = {
    async listExistingKeys(kind, maxPages) {
      calls.push(kind);
      await Promise.resolve();
      return pagesNeeded > maxPages ? undefined : new Set(keys[kind]);
    },
  };
  return { lister, calls };
}

const keys = (n: number, from = 1) => Array.from({ length: n }, (_, i) => guid(from + i));

describe('XeroKeyIndex', () => {
  it('should list the tenant only for a bulk lookup and prove absent just the keys it does not hold', async () => {
    const { lister, calls } = countingLister({ contacts: [guid(1)], items: [], invoices: [] });
    const index = new XeroKeyIndex({ lister, clock: fakeTime(START).clock, minKeys: 20 });

    expect(await index.provenAbsent('contacts', keys(5))).toEqual(new Set());
    expect(calls).toEqual([]);

    const absent = await index.provenAbsent('contacts', keys(20));
    expect(calls).toEqual(['contacts']);
    expect(absent.has(guid(1))).toBe(false);
    expect(absent.size).toBe(19);

    // A fresh listing serves small lookups too, without another call.
    expect(await index.provenAbsent('contacts', [guid(1), guid(99)])).toEqual(new Set([guid(99)]));
    expect(calls).toEqual(['contacts']);
  });

  it('should list again once the listing is older than its lifetime', async () => {
    const time = fakeTime(START);
    const { lister, calls } = countingLister({ contacts: [], items: [], invoices: [] });
    const index = new XeroKeyIndex({ lister, clock: time.clock, minKeys: 1, ttlMs: 60_000 });

    await index.provenAbsent('contacts', keys(1));
    time.advance(59_000);
    await index.provenAbsent('contacts', keys(1));
    expect(calls).toHaveLength(1);
    time.advance(2_000);
    await index.provenAbsent('contacts', keys(1));
    expect(calls).toHaveLength(2);
  });

  it('should prove nothing for a tenant too big to list, and not try again within the lifetime', async () => {
    const { lister, calls } = countingLister({ contacts: [], items: [], invoices: [] }, 50);
    const index = new XeroKeyIndex({ lister, clock: fakeTime(START).clock, minKeys: 1, maxPages: 10 });

    expect(await index.provenAbsent('contacts', keys(30))).toEqual(new Set());
    expect(await index.provenAbsent('contacts', keys(30))).toEqual(new Set());
    expect(calls).toEqual(['contacts']);
  });

  it('should share one listing between concurrent batches', async () => {
    const { lister, calls } = countingLister({ contacts: [], items: [], invoices: [] });
    const index = new XeroKeyIndex({ lister, clock: fakeTime(START).clock, minKeys: 1 });

    const [a, b] = await Promise.all([
      index.provenAbsent('contacts', keys(3)),
      index.provenAbsent('contacts', keys(3, 10)),
    ]);
    expect(calls).toEqual(['contacts']);
    expect(a.size + b.size).toBe(6);
  });

  it('should fall back to lookups when Xero refuses the listing for good, but rethrow an outage', async () => {
    const logger = recordingLogger();
    const refusing: XeroKeyLister = {
      listExistingKeys: () => Promise.reject(new PermanentError('listing refused', 'XERO_BAD_REQUEST')),
    };
    const index = new XeroKeyIndex({ lister: refusing, clock: fakeTime(START).clock, minKeys: 1, logger });
    expect(await index.provenAbsent('invoices', ['ORD-1'])).toEqual(new Set());
    expect(logger.lines.join('\n')).toContain('xero key index unavailable');

    const down: XeroKeyLister = { listExistingKeys: () => Promise.reject(new TransientError('socket hang up')) };
    const outage = new XeroKeyIndex({ lister: down, clock: fakeTime(START).clock, minKeys: 1 });
    await expect(outage.provenAbsent('invoices', ['ORD-1'])).rejects.toBeInstanceOf(TransientError);
  });
});

describe('postWrites with a key index', () => {
  function setup(options: { xero?: InMemoryXero; state?: InMemorySyncState } = {}) {
    const xero = options.xero ?? new InMemoryXero();
    const state = options.state ?? new InMemorySyncState();
    const { clock } = fakeTime(START);
    const keyIndex = new XeroKeyIndex({ lister: xero, clock });
    const post = inMemoryPostWrites({ xero, state, clock, keyIndex });
    return { xero, state, post, clock };
  }

  it('should create 120 new contacts with one listing and three saves, and no per-batch lookups', async () => {
    const { xero, post } = setup();

    const results = await post(Array.from({ length: 120 }, (_, i) => upsertContact(i + 1)));

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(xero.contacts.size).toBe(120);
    expect(xero.callsOf('listExistingKeys')).toHaveLength(1);
    expect(xero.callsOf('findContactsByNumber')).toHaveLength(0);
    expect(xero.callsOf('saveContacts').map((c) => c.size)).toEqual([50, 50, 20]);
  });

  it('should still look up and update a record the listing holds, instead of creating it again', async () => {
    const { xero, post } = setup();
    // Created by an earlier installation: in Xero, unknown to our sync state.
    await xero.saveContacts([contact(5, 'Old name')], 'seed');

    await post(Array.from({ length: 25 }, (_, i) => upsertContact(i + 1)));

    expect(xero.contacts.size).toBe(25);
    expect(xero.callsOf('findContactsByNumber').map((c) => c.size)).toEqual([1]);
    expect([...xero.contacts.values()].find((c) => c.ContactNumber === guid(5))?.Name).toBe('Customer 5');
  });

  it('should never trust the listing for a record whose create had an uncertain outcome', async () => {
    const { xero, state, post } = setup();
    xero.loseNextResponse('saveContacts');

    const first = await post(Array.from({ length: 30 }, (_, i) => upsertContact(i + 1)));
    expect(first.every((r) => r.status === 'retry')).toBe(true);
    expect(xero.contacts.size).toBe(30); // Xero created them; the answer was lost.
    expect((await state.get('account', guid(1)))?.status).toBe('creating');

    // The listing is still fresh and predates the creates, so it would call them absent; the marks win.
    const second = await post(Array.from({ length: 30 }, (_, i) => upsertContact(i + 1)));
    expect(second.every((r) => r.status === 'done')).toBe(true);
    expect(xero.contacts.size).toBe(30);
    expect(xero.callsOf('findContactsByNumber')).toHaveLength(1);
  });

  it('should not duplicate when another process retries with its own stale listing', async () => {
    const xero = new InMemoryXero();
    const state = new InMemorySyncState();
    const a = setup({ xero, state });
    const b = setup({ xero, state });
    // B lists the (empty) tenant first; then A's create goes through but its answer is lost.
    await b.post([upsertContact(100), ...Array.from({ length: 25 }, (_, i) => upsertContact(i + 200))]);
    xero.loseNextResponse('saveContacts');
    await a.post(Array.from({ length: 25 }, (_, i) => upsertContact(i + 1)));

    const retried = await b.post(Array.from({ length: 25 }, (_, i) => upsertContact(i + 1)));

    expect(retried.every((r) => r.status === 'done')).toBe(true);
    expect([...xero.contacts.values()].filter((c) => c.ContactNumber === guid(1))).toHaveLength(1);
    expect(xero.contacts.size).toBe(51);
  });

  it('should create new invoices without a lookup but still look up one it synced before', async () => {
    const { xero, post } = setup();
    await post([upsertContact(1)]);
    const orders = Array.from({ length: 25 }, (_, i) => upsertInvoice(`ORD-${i + 1}`, 500 + i, 1));

    expect((await post(orders)).every((r) => r.status === 'done')).toBe(true);
    expect(xero.invoices.size).toBe(25);
    expect(xero.callsOf('findInvoicesByReference')).toHaveLength(0);

    await post([upsertInvoice('ORD-1', 500, 1)]);
    expect(xero.callsOf('findInvoicesByReference').map((c) => c.size)).toEqual([1]);
    expect(xero.invoices.size).toBe(25);
  });

  it('should leave the work for a retry when the listing hits a rate limit', async () => {
    const { xero, post } = setup();
    xero.failNext(new RateLimitedError('minute limit', 3_000), 'listExistingKeys');

    const results = await post(Array.from({ length: 20 }, (_, i) => upsertContact(i + 1)));

    expect(results.every((r) => r.status === 'retry')).toBe(true);
    expect(xero.contacts.size).toBe(0);
  });
});
