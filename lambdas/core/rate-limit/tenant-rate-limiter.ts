/**
 * Per-tenant client-side throttle for Xero's limits (research §2): 60 calls/min, 5 in flight, a day budget
 * (1,000 on Starter, 5,000 above). We stay under the minute and concurrency limits with headroom, learn the
 * server's view from X-MinLimit-Remaining / X-DayLimit-Remaining, and after a 429 make every caller for that tenant
 * wait out Retry-After. It limits one process only: other Lambdas share Xero's budget, hence the headroom and
 * the reliance on the server's remaining counts. On AWS, where several Lambdas call Xero, SharedTenantBudget
 * (shared-tenant-budget.ts) keeps one budget per tenant for all of them instead.
 */
import { RateLimitedError } from '../errors';
import type { Clock } from '../ports';
import { headerNumber, type HeaderBag, type Sleep, type TenantCallBudget } from './tenant-call-budget';

export type { HeaderBag, Sleep };
/** The in-process limiter frees a slot synchronously. */
export type Release = () => void;

export interface RateLimitOptions {
  /** Calls started per rolling minute (Xero allows 60). */
  readonly perMinute: number;
  /** Calls in flight at once (Xero allows 5). */
  readonly maxConcurrent: number;
  /** Stop when X-DayLimit-Remaining falls to this; leaves room for lookups after an uncertain outcome. */
  readonly dayReserve: number;
  /** How long to park work when the day budget is spent and Xero gave no Retry-After. */
  readonly dayRetryAfterMs: number;
  /** Longest a caller waits in acquire(); beyond that it gets a RateLimitedError so the queue retries later. */
  readonly maxWaitMs: number;
  readonly windowMs: number;
}

export const DEFAULT_RATE_LIMIT_OPTIONS: RateLimitOptions = {
  perMinute: 55,
  maxConcurrent: 4,
  dayReserve: 20,
  dayRetryAfterMs: 60 * 60_000,
  maxWaitMs: 60_000,
  windowMs: 60_000,
};

interface TenantState {
  /** Start times (epoch ms) of calls inside the current rolling window, oldest first. */
  starts: number[];
  inFlight: number;
  waiters: Array<() => void>;
  /** No call may start before this (after a 429 or when Xero says the minute is spent). */
  pausedUntil: number;
  /** Last X-DayLimit-Remaining, counted down locally per call started; undefined until Xero tells us. */
  dayRemaining?: number;
  dayBlockedUntil: number;
}

export class TenantRateLimiter implements TenantCallBudget {
  private readonly options: RateLimitOptions;
  private readonly tenants = new Map<string, TenantState>();

  constructor(
    private readonly deps: { readonly clock: Clock; readonly sleep: Sleep },
    options: Partial<RateLimitOptions> = {}
  ) {
    this.options = { ...DEFAULT_RATE_LIMIT_OPTIONS, ...options };
  }

  /** Waits for a slot and returns the function that frees it (call it exactly once, in a finally). */
  async acquire(tenantId: string): Promise<Release> {
    const state = this.stateOf(tenantId);
    let waited = 0;
    for (;;) {
      const now = this.now();
      this.checkDayBudget(state, now);
      const waitMs = this.waitBeforeStart(state, now);
      if (waitMs > 0) {
        if (waited + waitMs > this.options.maxWaitMs) {
          throw new RateLimitedError(`Xero minute limit: tenant busy for ${waitMs} ms`, waitMs, 'minute');
        }
        waited += waitMs;
        await this.deps.sleep(waitMs);
        continue;
      }
      if (state.inFlight >= this.options.maxConcurrent) {
        await new Promise<void>((resolve) => state.waiters.push(resolve));
        continue;
      }
      state.inFlight += 1;
      state.starts.push(now);
      if (state.dayRemaining !== undefined) state.dayRemaining -= 1;
      return this.releaserFor(state);
    }
  }

  /** Learns Xero's remaining counts from any response (success or error). */
  observe(tenantId: string, headers: HeaderBag): void {
    const state = this.stateOf(tenantId);
    const day = headerNumber(headers, 'x-daylimit-remaining');
    if (day !== undefined) state.dayRemaining = day;
    const minute = headerNumber(headers, 'x-minlimit-remaining');
    if (minute !== undefined && minute <= 0) {
      // Xero's window resets at a tenant-specific moment we cannot see: wait until our oldest call leaves the window.
      const now = this.now();
      const oldest = state.starts[0] ?? now;
      state.pausedUntil = Math.max(state.pausedUntil, oldest + this.options.windowMs);
    }
  }

  /** After a 429: every caller for this tenant waits `retryAfterMs`; a `day` problem parks the tenant instead. */
  penalise(tenantId: string, retryAfterMs: number, problem = 'minute'): void {
    const state = this.stateOf(tenantId);
    const until = this.now() + Math.max(0, retryAfterMs);
    if (problem === 'day') {
      state.dayBlockedUntil = Math.max(state.dayBlockedUntil, until);
      state.dayRemaining = 0;
    } else {
      state.pausedUntil = Math.max(state.pausedUntil, until);
    }
  }

  private checkDayBudget(state: TenantState, now: number): void {
    if (state.dayBlockedUntil > now) {
      throw new RateLimitedError('Xero day limit reached for this tenant', state.dayBlockedUntil - now, 'day');
    }
    if (state.dayBlockedUntil > 0) {
      // The block has expired: Xero's day window has rolled over, so forget the stale count.
      state.dayBlockedUntil = 0;
      state.dayRemaining = undefined;
    }
    if (state.dayRemaining !== undefined && state.dayRemaining <= this.options.dayReserve) {
      state.dayBlockedUntil = now + this.options.dayRetryAfterMs;
      throw new RateLimitedError(
        `Xero day budget down to its reserve (${state.dayRemaining} calls left)`,
        this.options.dayRetryAfterMs,
        'day'
      );
    }
  }

  private waitBeforeStart(state: TenantState, now: number): number {
    const windowStart = now - this.options.windowMs;
    while (state.starts.length > 0 && (state.starts[0] ?? now) <= windowStart) state.starts.shift();
    let wait = state.pausedUntil - now;
    if (state.starts.length >= this.options.perMinute) {
      const oldest = state.starts[state.starts.length - this.options.perMinute] ?? now;
      wait = Math.max(wait, oldest + this.options.windowMs - now);
    }
    return Math.max(0, wait);
  }

  private releaserFor(state: TenantState): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
      state.waiters.shift()?.();
    };
  }

  private stateOf(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = { starts: [], inFlight: 0, waiters: [], pausedUntil: 0, dayBlockedUntil: 0 };
      this.tenants.set(tenantId, state);
    }
    return state;
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}
