import { RateLimitedError } from '../../../../lambdas/core/errors';
import {
  SharedTenantBudget,
  type SharedBudgetDeps,
  type SharedBudgetOptions,
} from '../../../../lambdas/core/rate-limit/shared-tenant-budget';
import { MemoryBudgetStore } from '../../../helpers/memory-budget-store';
import { fakeTime } from '../../../helpers/fake-time';

function setup(options: Partial<SharedBudgetOptions> = {}, extra: Partial<SharedBudgetDeps> = {}) {
  const time = fakeTime();
  const store = new MemoryBudgetStore();
  let ids = 0;
  const budget = (more: Partial<SharedBudgetDeps> = {}) =>
    new SharedTenantBudget(
      {
        store,
        clock: time.clock,
        sleep: time.sleep,
        newLeaseId: () => `lease-${++ids}`,
        random: () => 0,
        ...extra,
        ...more,
      },
      options
    );
  return { time, store, budget };
}

describe('SharedTenantBudget', () => {
  it('should take a slot with one write once it has seen the tenant, and free it with one more', async () => {
    const { store, budget } = setup();
    const lambda = budget();
    await (
      await lambda.acquire('t1')
    )();
    expect(store.calls).toEqual({ read: 1, replace: 1, release: 1 });
    for (let i = 0; i < 10; i++) await (await lambda.acquire('t1'))();
    expect(store.calls).toEqual({ read: 1, replace: 11, release: 11 });
    expect(store.current('t1').state.starts).toHaveLength(11);
    expect(store.current('t1').state.leases).toEqual({});
  });

  it('should count the calls of every process against one rolling minute', async () => {
    const { time, budget } = setup({ perMinute: 3 });
    const [a, b] = [budget(), budget()];
    (await a.acquire('t1'))();
    time.advance(10_000);
    (await b.acquire('t1'))();
    (await a.acquire('t1'))();
    (await b.acquire('t1'))();
    // The fourth call of the minute waits for the first to leave the window, 50 s later.
    expect(time.sleeps).toEqual([50_000]);
  });

  it('should decide again on the record a lost race returns, without reading it', async () => {
    const { store, budget } = setup();
    const lambda = budget();
    (await lambda.acquire('t1'))();
    const seen = store.current('t1');
    store.beforeReplace = () => {
      // another process starts a call between this one's decision and its write
      const state = { ...seen.state, starts: [...seen.state.starts, seen.state.starts[0]!] };
      store.records.set('t1', { state, version: seen.version + 1 });
    };
    await lambda.acquire('t1');
    expect(store.calls.read).toBe(1);
    expect(store.calls.replace).toBe(3);
    expect(store.current('t1').state.starts).toHaveLength(3); // ours, the competitor's and ours again
    expect(store.current('t1').version).toBe(seen.version + 2);
  });

  it('should never overwrite a slot a competitor took in the race', async () => {
    const { store, budget } = setup({ maxConcurrent: 1, maxWaitMs: 1_000 });
    const lambda = budget();
    (await lambda.acquire('t1'))();
    store.beforeReplace = () => {
      const { state, version } = store.current('t1');
      store.records.set('t1', {
        state: { ...state, leases: { theirs: Number.MAX_SAFE_INTEGER } },
        version: version + 1,
      });
    };
    await expect(lambda.acquire('t1')).rejects.toMatchObject({ problem: 'concurrent' });
    expect(store.current('t1').state.leases).toEqual({ theirs: Number.MAX_SAFE_INTEGER });
  });

  it('should wait for a slot freed by another process and then take it', async () => {
    const { time, store, budget } = setup({ maxConcurrent: 2, concurrentPollMs: 250 });
    const [a, b] = [budget(), budget()];
    const held = [await a.acquire('t1'), await a.acquire('t1')];
    time.whenSleeping(() => {
      if (time.sleeps.length === 3) void held[0]!();
    });
    await b.acquire('t1');
    expect(time.sleeps).toEqual([250, 250, 250]);
    expect(Object.keys(store.current('t1').state.leases)).toHaveLength(2);
  });

  it('should free a crashed holder’s slot when its lease lapses', async () => {
    const { time, budget } = setup({ maxConcurrent: 1, leaseMs: 45_000, concurrentPollMs: 10_000, maxWaitMs: 60_000 });
    await budget().acquire('t1'); // never released: the Lambda died mid-call
    const started = time.now();
    await budget().acquire('t1');
    expect(time.now() - started).toBe(45_000);
  });

  it('should give the work back with the wait as Retry-After when a slot is further away than maxWaitMs', async () => {
    const { time, budget } = setup({ perMinute: 1, maxWaitMs: 20_000 });
    (await budget().acquire('t1'))();
    time.advance(15_000);
    const error = await budget()
      .acquire('t1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ problem: 'minute', retryAfterMs: 45_000 });
    expect(time.sleeps).toEqual([]);
  });

  it('should never wait past the invocation’s deadline', async () => {
    const { time, budget } = setup({ perMinute: 1, maxWaitMs: 60_000 });
    (await budget().acquire('t1'))();
    const late = budget({ deadline: () => time.now() + 5_000 });
    await expect(late.acquire('t1')).rejects.toMatchObject({ problem: 'minute', retryAfterMs: 60_000 });
    const onTime = budget({ deadline: () => time.now() + 61_000 });
    await onTime.acquire('t1');
    expect(time.sleeps).toEqual([60_000]);
  });

  it('should give up on a tenant whose slots stay taken with a short retry, not the lease time', async () => {
    const { budget } = setup({ maxConcurrent: 1, maxWaitMs: 1_000, concurrentRetryAfterMs: 5_000 });
    await budget().acquire('t1');
    await expect(budget().acquire('t1')).rejects.toMatchObject({ problem: 'concurrent', retryAfterMs: 5_000 });
  });

  it('should make every process wait out a 429’s Retry-After', async () => {
    const { time, budget } = setup();
    const [a, b] = [budget(), budget()];
    (await a.acquire('t1'))();
    (await b.acquire('t1'))(); // b has seen the record before the pause
    await a.penalise('t1', 7_000, 'minute');
    (await b.acquire('t1'))();
    expect(time.sleeps).toEqual([7_000]);
  });

  it('should honour its own 429 pause even when the store cannot record it', async () => {
    const { time, store, budget } = setup();
    const a = budget();
    (await a.acquire('t1'))();
    store.replace = async () => {
      throw new Error('store unavailable');
    };
    await a.penalise('t1', 3_000);
    await expect(a.acquire('t1')).rejects.toThrow('store unavailable');
    expect(time.sleeps).toEqual([3_000]);
  });

  it('should share Xero’s day count on release and stop every process at the reserve', async () => {
    const { budget } = setup({ dayReserve: 20 });
    const [a, b] = [budget(), budget()];
    const release = await a.acquire('t1');
    a.observe('t1', { 'X-DayLimit-Remaining': '21' });
    await release();
    (await b.acquire('t1'))(); // 21 left → one more call, counted down to 20
    await expect(a.acquire('t1')).rejects.toMatchObject({ problem: 'day' });
    await expect(budget().acquire('t1')).rejects.toMatchObject({ problem: 'day' });
  });

  it('should look at the store before refusing on a day count it saw earlier', async () => {
    const { store, budget } = setup({ dayReserve: 20 });
    const lambda = budget();
    const release = await lambda.acquire('t1');
    lambda.observe('t1', { 'X-DayLimit-Remaining': '20' });
    await release();
    // Xero's day rolled over and another process learnt the new count.
    const { state, version } = store.current('t1');
    store.records.set('t1', { state: { ...state, dayRemaining: 4_999 }, version: version + 1 });
    await lambda.acquire('t1');
    expect(store.current('t1').state.dayRemaining).toBe(4_998);
  });

  it('should share a pause when Xero says the minute is already spent', async () => {
    const { time, budget } = setup();
    const [a, b] = [budget(), budget()];
    const release = await a.acquire('t1');
    time.advance(1_000);
    a.observe('t1', { 'X-MinLimit-Remaining': '0' });
    await release();
    (await b.acquire('t1'))();
    expect(time.sleeps).toEqual([59_000]);
  });

  it('should release once however often release is called, and survive a store that cannot release', async () => {
    const { store, budget } = setup();
    const release = await budget().acquire('t1');
    await release();
    await release();
    expect(store.calls.release).toBe(1);
    store.failReleases = true;
    await expect((await budget().acquire('t1'))()).resolves.toBeUndefined();
  });

  it('should add jitter to waits so that waiters do not wake together', async () => {
    const { time, budget } = setup({ perMinute: 1, jitterMs: 200, maxWaitMs: 120_000 }, { random: () => 0.5 });
    (await budget().acquire('t1'))();
    (await budget().acquire('t1'))();
    expect(time.sleeps).toEqual([60_100]);
  });
});
