/**
 * Xero's app-wide limit: 10,000 calls per minute across every organisation the app is connected to (research §2,
 * https://developer.xero.com/documentation/guides/oauth2/limits). Each organisation keeps its own budget (60/min,
 * 5 in flight, day budget: the wrapped TenantCallBudget); this decorator takes one app-wide slot before it.
 *
 * acquire(tenantId):
 *  1. count the call in the current app bucket (fixed buckets of `bucketMs`, each allowed `perBucket` calls); a full
 *     bucket waits for the next one, and past `maxWaitMs` the work goes back to its queue (RateLimitedError);
 *  2. then wait for the organisation's own slot.
 * Any 60 s span overlaps at most 60 s / bucketMs + 1 buckets, so perBucket = limit / (that many) keeps every rolling
 * minute under the app limit without tracking each call (on AWS one atomic counter item per bucket, no read).
 * A 429 naming the app minute, or X-AppMinLimit-Remaining at 0, holds every organisation until the next minute.
 */
import { RateLimitedError } from '../errors';
import type { Clock } from '../ports';
import { headerNumber, type HeaderBag, type Release, type Sleep, type TenantCallBudget } from './tenant-call-budget';

/** Xero's app-wide calls per minute, all organisations together. */
export const XERO_APP_CALLS_PER_MINUTE = 10_000;

/** Counts calls per app bucket: one atomic increment, refused when the bucket already holds `limit`. */
export interface AppCallCounter {
  /** True when the call was counted in the bucket starting at `bucketStart` (epoch ms); false when it is full. */
  tryCount(bucketStart: number, limit: number): Promise<boolean>;
}

export interface AppWideBudgetOptions {
  /** Calls per rolling minute for the whole app; a little under Xero's 10,000 (we count starts, Xero arrivals). */
  readonly perMinute: number;
  readonly bucketMs: number;
  readonly maxWaitMs: number;
}

export const DEFAULT_APP_WIDE_OPTIONS: AppWideBudgetOptions = {
  perMinute: 9_500,
  bucketMs: 10_000,
  maxWaitMs: 60_000,
};

/** Calls allowed per bucket so that no rolling minute exceeds `perMinute`. */
export function callsPerBucket(options: Pick<AppWideBudgetOptions, 'perMinute' | 'bucketMs'>): number {
  const bucketsPerMinute = Math.ceil(60_000 / options.bucketMs) + 1;
  return Math.max(1, Math.floor(options.perMinute / bucketsPerMinute));
}

/** The problem Xero names in X-Rate-Limit-Problem when the app-wide minute is spent. */
const APP_MINUTE_PROBLEM = 'appminute';

export class AppWideCallBudget implements TenantCallBudget {
  private readonly options: AppWideBudgetOptions;
  private readonly perBucket: number;
  /** Xero said the app minute is spent: nobody starts before this (this process). */
  private pausedUntil = 0;

  constructor(
    private readonly inner: TenantCallBudget,
    private readonly deps: { readonly counter: AppCallCounter; readonly clock: Clock; readonly sleep: Sleep },
    options: Partial<AppWideBudgetOptions> = {}
  ) {
    this.options = { ...DEFAULT_APP_WIDE_OPTIONS, ...options };
    this.perBucket = callsPerBucket(this.options);
  }

  async acquire(tenantId: string): Promise<Release> {
    await this.appSlot();
    return this.inner.acquire(tenantId);
  }

  observe(tenantId: string, headers: HeaderBag): void {
    const appRemaining = headerNumber(headers, 'x-appminlimit-remaining');
    if (appRemaining !== undefined && appRemaining <= 0) this.pauseApp(60_000);
    this.inner.observe(tenantId, headers);
  }

  penalise(tenantId: string, retryAfterMs: number, problem?: string): void | Promise<void> {
    if (problem?.toLowerCase() === APP_MINUTE_PROBLEM) this.pauseApp(retryAfterMs);
    return this.inner.penalise(tenantId, retryAfterMs, problem);
  }

  private pauseApp(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.deps.clock.now().getTime() + ms);
  }

  private async appSlot(): Promise<void> {
    const started = this.deps.clock.now().getTime();
    for (;;) {
      const now = this.deps.clock.now().getTime();
      const bucketStart = now - (now % this.options.bucketMs);
      const waitMs =
        this.pausedUntil > now
          ? this.pausedUntil - now
          : (await this.deps.counter.tryCount(bucketStart, this.perBucket))
            ? 0
            : bucketStart + this.options.bucketMs - now;
      if (waitMs <= 0) return;
      if (now + waitMs - started > this.options.maxWaitMs) {
        throw new RateLimitedError('Xero app-wide minute budget spent (all organisations)', waitMs, APP_MINUTE_PROBLEM);
      }
      await this.deps.sleep(waitMs);
    }
  }
}

/** The counter inside one process (the local runtime): buckets in a map, the old ones dropped as time moves on. */
export class InMemoryAppCallCounter implements AppCallCounter {
  private readonly buckets = new Map<number, number>();

  async tryCount(bucketStart: number, limit: number): Promise<boolean> {
    for (const start of this.buckets.keys()) if (start < bucketStart) this.buckets.delete(start);
    const count = this.buckets.get(bucketStart) ?? 0;
    if (count >= limit) return false;
    this.buckets.set(bucketStart, count + 1);
    return true;
  }
}
