/**
 * Faults on both sides while the connector runs in real mode against the fakes: Xero 429 with Retry-After, 5xx
 * bursts, a request that never answers, a token revoked mid-run (reconnect, then resume), Dataverse 429/5xx.
 * Every record must end in Xero exactly once, or in the dead letters with a reason — never lost, never doubled.
 */
import { randomUUID } from 'node:crypto';
import {
  badXeroRequests,
  consentOverHttp,
  contactsByNumber,
  deliverWebhook,
  getStatus,
  sleep,
  useRealModeRun,
  waitFor,
  waitForDrain,
} from '../helpers/e2e-harness';

jest.setTimeout(90_000);

const run = useRealModeRun('chaos', { seed: false });
const allIds: string[] = [];

beforeAll(async () => {
  expect((await consentOverHttp(run.url)).status).toBe(200);
});

/** New accounts in the fake Dataverse, announced to the connector by webhook. */
async function newAccounts(label: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    run.fakes.systems.dataverseServer.state.create('account', { accountid: id, name: `${label} ${i + 1}` });
    const answer = await deliverWebhook(run.url, run.fakes.env.DATAVERSE_WEBHOOK_KEY, {
      table: 'account',
      id,
      message: 'Create',
      changed: { name: `${label} ${i + 1}` },
    });
    expect(answer.status).toBeLessThan(300);
    ids.push(id);
  }
  allIds.push(...ids);
  return ids;
}

const inXero = (ids: readonly string[]) => ids.every((id) => contactsByNumber(run.fakes.systems, id).length === 1);
const statuses = (status: number) => run.fakes.systems.accounting.knobs.requests().filter((r) => r.status === status);

it('should ride out a burst of 5xx answers', async () => {
  run.fakes.systems.accounting.knobs.failNext(3, 503);
  const ids = await newAccounts('Server errors', 3);
  await waitFor('the 5xx accounts in Xero', () => inXero(ids), { timeoutMs: 30_000 });
  expect(statuses(503).length).toBe(3);
  await waitForDrain(run.url);
});

it('should time out a Xero request that never answers and still write the record once', async () => {
  run.fakes.systems.accounting.knobs.hangNext(1);
  const ids = await newAccounts('Hung request', 2);
  await waitFor('the accounts after the hung request', () => inXero(ids), { timeoutMs: 60_000 });
  await waitForDrain(run.url);
});

it('should survive Dataverse 429 and 5xx answers', async () => {
  run.fakes.systems.dataverseServer.knobs.failNext(2, 429, 1);
  const ids = await newAccounts('Dataverse throttled', 2);
  await waitFor('the throttled accounts', () => inXero(ids), { timeoutMs: 30_000 });
  run.fakes.systems.dataverseServer.knobs.failNext(2, 503);
  ids.push(...(await newAccounts('Dataverse failing', 2)));
  await waitFor('the accounts after Dataverse faults', () => inXero(ids), { timeoutMs: 30_000 });
  const dataverseStatuses = run.fakes.systems.dataverseServer.knobs.requests().map((r) => r.status);
  expect(dataverseStatuses.filter((s) => s === 429).length).toBe(2);
  expect(dataverseStatuses.filter((s) => s === 503).length).toBe(2);
  await waitForDrain(run.url);
});

it('should pause on a revoked token, say reconnect on /status, keep the work queued, and resume after consent', async () => {
  run.fakes.systems.identity.knobs.revokeAll();
  const ids = await newAccounts('After revocation', 2);
  const paused = await waitFor(
    '/status to ask for a reconnect',
    async () => {
      const status = await getStatus(run.url);
      return status.connection.state === 'reconnect_required' ? status : undefined;
    },
    { timeoutMs: 30_000 }
  );
  // Outcomes may note the pause as a retryable failure; nothing may be given up on.
  expect(paused.failures.filter((f) => ids.includes(f.id))).toEqual([]);
  expect(paused.queues.changes.dead + paused.queues.writes.dead).toBe(0);
  expect(paused.queues.changes.depth + paused.queues.writes.depth).toBeGreaterThan(0);
  expect(paused.connection.reason ?? '').toMatch(/connect/i);
  expect(ids.some((id) => contactsByNumber(run.fakes.systems, id).length > 0)).toBe(false);

  const page = await consentOverHttp(run.url);
  expect(page.status).toBe(200);
  expect((await getStatus(run.url)).connection.state).toBe('connected');
  // A completed consent hands paused work out again at once (otherwise it would wait its 15-minute recheck).
  await waitFor('the queued accounts after reconnecting', () => inXero(ids), { timeoutMs: 75_000 });
  await waitForDrain(run.url);
}, 150_000);

it('should write a bulk of new accounts with one listing of the tenant, and look up, not re-create, a lost save', async () => {
  const { knobs } = run.fakes.systems.accounting;
  const seen = knobs.requests().length;
  // Xero held while the bulk is mapped, so the writes meet a full queue (as in a backfill). The first save is carried
  // out but its answer is lost, and so are the answers to the gateway's two retries of it (Idempotency-Key replays).
  knobs.pause();
  knobs.loseNextAnswers('PUT /Contacts', 3);
  const ids = await newAccounts('Bulk', 45);
  await waitFor('a Xero call held', () => knobs.inFlight() >= 1);
  await sleep(1_500);
  knobs.resume();

  await waitFor('the bulk in Xero', () => inXero(ids), { timeoutMs: 60_000 });
  await waitForDrain(run.url);
  const calls = knobs.requests().slice(seen);
  const listings = calls.filter((r) => r.route === 'GET /Contacts' && r.query.pageSize === '1000' && !r.query.where);
  const lookups = calls.filter((r) => r.route === 'GET /Contacts' && (r.query.where ?? '').includes('ContactNumber'));
  const lostSaves = calls.filter((r) => r.route === 'PUT /Contacts' && r.status === undefined);
  expect(listings.length).toBeGreaterThanOrEqual(1);
  expect(lostSaves).toHaveLength(3);
  // The records of the lost save were marked `creating`, so their retry looked them up instead of trusting the listing.
  expect(lookups.length).toBeGreaterThanOrEqual(1);
  for (const id of ids) expect({ id, count: contactsByNumber(run.fakes.systems, id).length }).toEqual({ id, count: 1 });
});

it('should end with every record in Xero exactly once or dead-lettered with a reason', async () => {
  const status = await waitForDrain(run.url);
  const failedIds = new Set(status.failures.map((f) => f.id));
  for (const failure of status.failures) expect(failure.message ?? '').not.toBe('');
  for (const id of allIds) {
    const count = contactsByNumber(run.fakes.systems, id).length;
    if (failedIds.has(id)) expect(count).toBeLessThanOrEqual(1);
    else expect({ id, count }).toEqual({ id, count: 1 });
  }
  expect(run.fakes.systems.accounting.state.snapshot().contacts).toHaveLength(allIds.length);
  expect(badXeroRequests(run.fakes.systems)).toEqual([]);
});

describe('Xero 429 with a short Retry-After (own connector, so a long pause cannot spill into the other cases)', () => {
  const run429 = useRealModeRun('chaos-429', { seed: false });

  beforeAll(async () => {
    expect((await consentOverHttp(run429.url)).status).toBe(200);
  });

  it('should wait out two 429s with Retry-After: 1 and then write each record once', async () => {
    const { knobs, state } = run429.fakes.systems.accounting;
    knobs.failNext(2, 429, 1);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = randomUUID();
      run429.fakes.systems.dataverseServer.state.create('account', { accountid: id, name: `Rate limited ${i + 1}` });
      const answer = await deliverWebhook(run429.url, run429.fakes.env.DATAVERSE_WEBHOOK_KEY, {
        table: 'account',
        id,
        message: 'Create',
      });
      expect(answer.status).toBeLessThan(300);
      ids.push(id);
    }
    // Two waits of about a second each: well inside 30 s unless Retry-After is ignored.
    await waitFor(
      'the rate-limited accounts in Xero',
      () => ids.every((id) => state.snapshot().contacts.filter((c) => c.ContactNumber === id).length === 1),
      { timeoutMs: 30_000 }
    );
    expect(knobs.requests().filter((r) => r.status === 429)).toHaveLength(2);
    const status = await waitForDrain(run429.url);
    expect(status.counts.failed).toBe(0);
  });
});
