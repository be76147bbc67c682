import { RateLimitedError } from '../../../../lambdas/core/errors';
import { TenantRateLimiter, type RateLimitOptions } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { fakeTime } from '../../../helpers/fake-time';

function limiter(options: Partial<RateLimitOptions> = {}) {
  const time = fakeTime();
  return { time, limiter: new TenantRateLimiter({ clock: time.clock, sleep: time.sleep }, options) };
}

describe('TenantRateLimiter', () => {
  it('should let the first calls of a minute through without waiting', async () => {
    const { time, limiter: rl } = limiter({ perMinute: 3 });
    for (let i = 0; i < 3; i++) (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([]);
  });

  it('should hold the call beyond the minute budget until the oldest call leaves the window', async () => {
    const { time, limiter: rl } = limiter({ perMinute: 2 });
    (await rl.acquire('t1'))();
    time.advance(10_000);
    (await rl.acquire('t1'))();
    (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([50_000]);
    expect(time.elapsed()).toBe(60_000);
  });

  it('should default to 55 calls per minute', async () => {
    const { time, limiter: rl } = limiter();
    for (let i = 0; i < 55; i++) (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([]);
    (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([60_000]);
  });

  it('should keep tenants independent', async () => {
    const { time, limiter: rl } = limiter({ perMinute: 1 });
    (await rl.acquire('t1'))();
    (await rl.acquire('t2'))();
    expect(time.sleeps).toEqual([]);
  });

  it('should cap calls in flight and admit a waiter when a slot is released', async () => {
    const { limiter: rl } = limiter({ maxConcurrent: 2 });
    const first = await rl.acquire('t1');
    await rl.acquire('t1');
    let thirdAdmitted = false;
    const third = rl.acquire('t1').then((release) => {
      thirdAdmitted = true;
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdAdmitted).toBe(false);
    first();
    first(); // releasing twice must not free a second slot
    (await third)();
    expect(thirdAdmitted).toBe(true);
    let fourthAdmitted = false;
    void rl.acquire('t1').then(() => (fourthAdmitted = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fourthAdmitted).toBe(true);
  });

  it('should default to 4 calls in flight', async () => {
    const { limiter: rl } = limiter();
    for (let i = 0; i < 4; i++) await rl.acquire('t1');
    let admitted = false;
    void rl.acquire('t1').then(() => (admitted = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(admitted).toBe(false);
  });

  it('should make every caller wait out a penalty after a 429', async () => {
    const { time, limiter: rl } = limiter();
    rl.penalise('t1', 7_000);
    (await rl.acquire('t1'))();
    (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([7_000]);
  });

  it('should refuse to wait longer than maxWaitMs and raise a minute RateLimitedError', async () => {
    const { time, limiter: rl } = limiter({ maxWaitMs: 5_000 });
    rl.penalise('t1', 30_000);
    const error = await rl.acquire('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ problem: 'minute', retryAfterMs: 30_000 });
    expect(time.sleeps).toEqual([]);
  });

  it('should stop with a day RateLimitedError once X-DayLimit-Remaining reaches the reserve', async () => {
    const { limiter: rl } = limiter({ dayReserve: 10, dayRetryAfterMs: 3_600_000 });
    rl.observe('t1', { 'X-DayLimit-Remaining': '12' });
    (await rl.acquire('t1'))(); // 12 → 11
    (await rl.acquire('t1'))(); // 11 → 10
    const error = await rl.acquire('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ problem: 'day', retryAfterMs: 3_600_000 });
    await expect(rl.acquire('t2')).resolves.toEqual(expect.any(Function));
  });

  it('should park the tenant for a day-limit 429 and resume after Retry-After has passed', async () => {
    const { time, limiter: rl } = limiter();
    rl.penalise('t1', 5 * 3_600_000, 'day');
    await expect(rl.acquire('t1')).rejects.toMatchObject({ problem: 'day', retryAfterMs: 5 * 3_600_000 });
    time.advance(5 * 3_600_000);
    await expect(rl.acquire('t1')).resolves.toEqual(expect.any(Function));
  });

  it('should pause when Xero reports the minute spent, until our oldest call leaves the window', async () => {
    const { time, limiter: rl } = limiter();
    (await rl.acquire('t1'))();
    time.advance(20_000);
    rl.observe('t1', { 'x-minlimit-remaining': '0', 'x-daylimit-remaining': '900' });
    (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([40_000]);
  });

  it('should ignore missing or malformed limit headers', async () => {
    const { time, limiter: rl } = limiter({ dayReserve: 5 });
    rl.observe('t1', { 'x-daylimit-remaining': 'soon', 'x-minlimit-remaining': '' });
    rl.observe('t1', {});
    (await rl.acquire('t1'))();
    expect(time.sleeps).toEqual([]);
  });
});
