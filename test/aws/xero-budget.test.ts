/**
 * The shared Xero budget against DynamoDB (moto): several independent clients — each its own SDK client, as
 * separate Lambdas would be — spend one tenant's budget through the sync-state table.
 *
 * Time is compressed (a 3 s "minute") so the test stays short; the limits are the product defaults, and the
 * assertions are Xero's own numbers (≤ 60 calls in any rolling window, ≤ 5 in flight).
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RateLimitedError } from '../../lambdas/core/errors';
import { DEFAULT_BUDGET_LIMITS } from '../../lambdas/core/rate-limit/budget-state';
import { SharedTenantBudget, type SharedBudgetOptions } from '../../lambdas/core/rate-limit/shared-tenant-budget';
import { DynamoDbXeroBudgetStore, XERO_BUDGET_KEY_PREFIX } from '../../lambdas/adapters/aws/dynamodb-xero-budget';
import { useMotoSyncStateTable } from '../helpers/sync-state-table';

const TABLE = 'sync-state';
const WINDOW_MS = 3_000;
const XERO_PER_MINUTE = 60;
const XERO_IN_FLIGHT = 5;
const wallClock = { now: () => new Date() };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A stand-in for Xero that records when each call arrived and how many were in flight at once. */
class RecordingXero {
  readonly arrivals: number[] = [];
  inFlight = 0;
  mostInFlight = 0;
  async call(durationMs: number): Promise<void> {
    this.arrivals.push(Date.now());
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await sleep(durationMs);
    this.inFlight--;
  }
  /** The most arrivals inside any window of `windowMs`. */
  mostInAnyWindow(windowMs: number): number {
    const sorted = [...this.arrivals].sort((a, b) => a - b);
    let most = 0;
    for (let first = 0, last = 0; last < sorted.length; last++) {
      while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= windowMs) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  }
}

describe('the Xero budget shared through DynamoDB', () => {
  const db = useMotoSyncStateTable(TABLE);
  function dynamo(calls?: { count: number }): DynamoDBClient {
    const client = db.client();
    if (calls) client.middlewareStack.add((next) => (args) => (calls.count++, next(args)), { step: 'initialize' });
    return client;
  }

  /** One "Lambda": its own SDK client and budget object over the shared table. */
  function lambda(options: Partial<SharedBudgetOptions> = {}, calls?: { count: number }) {
    return new SharedTenantBudget(
      {
        store: new DynamoDbXeroBudgetStore(dynamo(calls), TABLE, options.windowMs ?? WINDOW_MS),
        clock: wallClock,
        sleep,
        newLeaseId: randomUUID,
        random: Math.random,
      },
      { windowMs: WINDOW_MS, leaseMs: 2_000, concurrentPollMs: 25, jitterMs: 20, ...options }
    );
  }

  /** Eight "Lambdas" calling Xero in a loop until `stopAt`; a refusal (RateLimitedError) just means try again. */
  async function hammer(xero: RecordingXero, stopAt: number, callMs: () => number): Promise<void> {
    const budgets = Array.from({ length: 8 }, () => lambda());
    await Promise.all(
      budgets.map(async (budget) => {
        while (Date.now() < stopAt) {
          const release = await budget.acquire('tenant-1').catch((error: unknown) => {
            if (error instanceof RateLimitedError) return undefined;
            throw error;
          });
          if (!release) continue;
          try {
            await xero.call(callMs());
          } finally {
            await release();
          }
        }
      })
    );
  }

  it('should never let 8 competing clients have more calls in flight than the tenant’s limit', async () => {
    const xero = new RecordingXero();
    await hammer(xero, Date.now() + 5_000, () => 800);
    expect(xero.mostInFlight).toBeLessThanOrEqual(XERO_IN_FLIGHT);
    // The cap was reached, so it was the cap (not a slow emulator) that held the others back.
    expect(xero.mostInFlight).toBe(DEFAULT_BUDGET_LIMITS.maxConcurrent);
  }, 60_000);

  it('should never let 8 competing clients exceed the tenant’s calls per rolling minute', async () => {
    // Other Lambdas spent the whole "minute" a moment ago: nothing may reach Xero until those starts leave the window.
    const now = Date.now();
    const spent = Array.from({ length: DEFAULT_BUDGET_LIMITS.perMinute }, (_, i) => now - 200 + i);
    const store = new DynamoDbXeroBudgetStore(dynamo(), TABLE, WINDOW_MS);
    await store.replace('tenant-1', { starts: spent, leases: {}, pausedUntil: 0, dayBlockedUntil: 0 }, 0);
    const xero = new RecordingXero();
    xero.arrivals.push(...spent);
    await hammer(xero, now + 2.5 * WINDOW_MS, () => 5);
    expect(xero.mostInAnyWindow(WINDOW_MS)).toBeLessThanOrEqual(XERO_PER_MINUTE);
    expect(xero.mostInAnyWindow(WINDOW_MS)).toBeLessThanOrEqual(DEFAULT_BUDGET_LIMITS.perMinute + 1);
    // Calls were made, the first only once the earliest spent start had left the window.
    expect(xero.arrivals.length).toBeGreaterThan(spent.length + 5);
    expect(xero.arrivals[spent.length]!).toBeGreaterThanOrEqual(spent[0]! + WINDOW_MS);
  }, 60_000);

  it('should free a crashed holder’s slots when their leases lapse', async () => {
    const crashed = lambda({ leaseMs: 1_500 });
    for (let i = 0; i < DEFAULT_BUDGET_LIMITS.maxConcurrent; i++) await crashed.acquire('tenant-1'); // never released
    const impatient = lambda({ leaseMs: 1_500, maxWaitMs: 300 });
    await expect(impatient.acquire('tenant-1')).rejects.toMatchObject({ problem: 'concurrent' });
    const patient = lambda({ leaseMs: 1_500 });
    const started = Date.now();
    const release = await patient.acquire('tenant-1');
    const waited = Date.now() - started;
    await release();
    expect(waited).toBeGreaterThanOrEqual(1_500 - 300 - 200);
    expect(waited).toBeLessThan(1_500 + 5_000);
  }, 30_000);

  it('should pause every client for a 429’s Retry-After', async () => {
    const budgets = Array.from({ length: 4 }, () => lambda());
    // Each has seen the tenant's item before the 429, so the pause must reach them through the table.
    for (const budget of budgets) await (await budget.acquire('tenant-1'))();
    const penalisedAt = Date.now();
    await budgets[0]!.penalise('tenant-1', 1_200, 'minute');
    const admittedAt = await Promise.all(
      [...budgets, lambda()].map(async (budget) => {
        const release = await budget.acquire('tenant-1');
        const at = Date.now();
        await release();
        return at;
      })
    );
    for (const at of admittedAt) expect(at).toBeGreaterThanOrEqual(penalisedAt + 1_200);
  }, 30_000);

  it('should give the work back at once when the wait would outlive the invocation', async () => {
    const budget = lambda();
    await budget.penalise('tenant-1', 30_000, 'minute');
    const other = new SharedTenantBudget(
      {
        store: new DynamoDbXeroBudgetStore(dynamo(), TABLE, WINDOW_MS),
        clock: wallClock,
        sleep,
        newLeaseId: randomUUID,
        random: Math.random,
        deadline: () => Date.now() + 5_000,
      },
      { windowMs: WINDOW_MS }
    );
    const started = Date.now();
    const refusal = await other.acquire('tenant-1').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).retryAfterMs).toBeGreaterThan(25_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it('should spend two DynamoDB requests per Xero call when nobody competes', async () => {
    const calls = { count: 0 };
    const budget = lambda({}, calls);
    await (
      await budget.acquire('tenant-1')
    )(); // first call reads the item once
    calls.count = 0;
    for (let i = 0; i < 20; i++) await (await budget.acquire('tenant-1'))();
    expect(calls.count).toBe(40);
  }, 30_000);

  it('should decide again on the item a lost race returns, without reading it', async () => {
    const calls = { count: 0 };
    const [winner, loser] = [lambda(), lambda({}, calls)];
    await (
      await loser.acquire('tenant-1')
    )();
    await (
      await winner.acquire('tenant-1')
    )(); // the loser's view is now two versions old
    calls.count = 0;
    await loser.acquire('tenant-1');
    expect(calls.count).toBe(2); // the refused PutItem (answering with the current item) and the one that lands
  }, 30_000);

  it('should keep the budget in one expiring item under the budget key prefix', async () => {
    const budget = lambda();
    budget.observe('tenant-1', {});
    const release = await budget.acquire('tenant-1');
    budget.observe('tenant-1', { 'X-DayLimit-Remaining': '4321' });
    await release();
    const { Item } = await dynamo().send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `${XERO_BUDGET_KEY_PREFIX}tenant-1` } } })
    );
    expect(Item?.dayRemaining).toEqual({ N: '4321' });
    expect(Item?.leases).toEqual({ M: {} });
    const ttl = Number(Item?.ttl?.N);
    expect(ttl * 1000).toBeGreaterThan(Date.now() + 23 * 60 * 60_000);
    expect(ttl * 1000).toBeLessThan(Date.now() + 25 * 60 * 60_000);
  }, 30_000);
});
