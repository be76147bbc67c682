import { RateLimitedError } from '../../../../lambdas/core/errors';
import {
  AppWideCallBudget,
  InMemoryAppCallCounter,
  XERO_APP_CALLS_PER_MINUTE,
  callsPerBucket,
} from '../../../../lambdas/core/rate-limit/app-wide-budget';
import { TenantRateLimiter } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';

/** A clock that moves only when someone sleeps on it, so waits are exact and instant. */
function virtualTime(start = Date.parse('2026-11-26T10:00:00Z')) {
  let now = start;
  const clock = { now: () => new Date(now) };
  const sleep = async (ms: number) => {
    now += ms;
  };
  return { clock, sleep, elapsed: () => now - start };
}

describe('AppWideCallBudget', () => {
  it("should keep every rolling minute under Xero's 10,000 app calls, whatever the bucket size", () => {
    expect(XERO_APP_CALLS_PER_MINUTE).toBe(10_000);
    for (const bucketMs of [1_000, 10_000, 15_000, 60_000]) {
      const buckets = Math.ceil(60_000 / bucketMs) + 1; // the most buckets one 60 s span can touch
      expect(callsPerBucket({ perMinute: 9_500, bucketMs }) * buckets).toBeLessThanOrEqual(9_500);
    }
  });

  it('should hold all organisations together to the app budget while each keeps its own', async () => {
    const time = virtualTime();
    const perTenant = new TenantRateLimiter({ clock: time.clock, sleep: time.sleep }, { perMinute: 55 });
    // A small app budget (12 a minute in 10 s buckets → 1 per bucket) makes the app-wide limit the binding one.
    const budget = new AppWideCallBudget(
      perTenant,
      { counter: new InMemoryAppCallCounter(), clock: time.clock, sleep: time.sleep },
      { perMinute: 7, bucketMs: 10_000, maxWaitMs: 600_000 }
    );
    const starts: number[] = [];
    for (const tenant of ['org-a', 'org-b', 'org-c', 'org-a', 'org-b', 'org-c']) {
      const release = await budget.acquire(tenant);
      starts.push(time.elapsed());
      await release();
    }
    // One call per 10 s bucket across the three organisations, although none of them is near its own 55.
    expect(starts).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000]);
  });

  it('should give the work back when the app budget cannot be had in time', async () => {
    const time = virtualTime();
    const budget = new AppWideCallBudget(
      new TenantRateLimiter({ clock: time.clock, sleep: time.sleep }),
      { counter: new InMemoryAppCallCounter(), clock: time.clock, sleep: time.sleep },
      { perMinute: 7, bucketMs: 10_000, maxWaitMs: 5_000 }
    );
    await (
      await budget.acquire('org-a')
    )();
    await expect(budget.acquire('org-b')).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('should hold every organisation after Xero says the app minute is spent', async () => {
    const time = virtualTime();
    const budget = new AppWideCallBudget(new TenantRateLimiter({ clock: time.clock, sleep: time.sleep }), {
      counter: new InMemoryAppCallCounter(),
      clock: time.clock,
      sleep: time.sleep,
    });
    budget.observe('org-a', { 'X-AppMinLimit-Remaining': '0' });
    await (
      await budget.acquire('org-b')
    )();
    expect(time.elapsed()).toBe(60_000);
    await budget.penalise('org-c', 30_000, 'appminute');
    await (
      await budget.acquire('org-a')
    )();
    expect(time.elapsed()).toBe(90_000);
  });
});
