/**
 * The state of one tenant's Xero budget as every caller sees it, and the pure rules over it. Shared through a
 * BudgetStore (one item per tenant, replaced by compare-and-set) so that all Lambdas calling Xero count together.
 *
 * Xero's limits (research §2, https://developer.xero.com/documentation/guides/oauth2/limits): 60 calls per minute
 * and 5 calls in flight per tenant, 5,000 per day (1,000 on Starter); windows are fixed and reset at moments we
 * cannot see, so we keep a rolling window: ≤ N starts in ANY 60 s implies ≤ N in each of Xero's fixed minutes.
 */
import { RateLimitedError } from '../errors';
import { headerNumber, type HeaderBag } from './tenant-call-budget';

export interface BudgetState {
  /** Start times (epoch ms) of calls inside the rolling window, oldest first. */
  readonly starts: readonly number[];
  /** Calls in flight: lease id → when the lease lapses (epoch ms), so a crashed caller's slot frees itself. */
  readonly leases: Readonly<Record<string, number>>;
  /** No call may start before this (after a 429, or when Xero says the minute is spent). */
  readonly pausedUntil: number;
  /** The tenant's day budget is spent until then. */
  readonly dayBlockedUntil: number;
  /** Xero's last X-DayLimit-Remaining, counted down per call started; absent until Xero tells us. */
  readonly dayRemaining?: number;
}

export const EMPTY_BUDGET: BudgetState = { starts: [], leases: {}, pausedUntil: 0, dayBlockedUntil: 0 };

export interface BudgetLimits {
  /** Calls started per rolling window, for the tenant as a whole (Xero allows 60 a minute). */
  readonly perMinute: number;
  /** Calls in flight at once for the tenant as a whole (Xero allows 5). */
  readonly maxConcurrent: number;
  readonly windowMs: number;
  /** How long a slot is held at most; longer than the Xero request timeout so a live call never loses it. */
  readonly leaseMs: number;
  /** Stop when the day count falls to this; leaves room for lookups after an uncertain outcome. */
  readonly dayReserve: number;
  /** How long to park work when the day budget is spent and Xero gave no Retry-After. */
  readonly dayRetryAfterMs: number;
}

/** Headroom under Xero's 60/min and 5 in flight: Xero counts arrivals, we count starts, and the two drift apart. */
export const DEFAULT_BUDGET_LIMITS: BudgetLimits = {
  perMinute: 55,
  maxConcurrent: 4,
  windowMs: 60_000,
  leaseMs: 45_000,
  dayReserve: 20,
  dayRetryAfterMs: 60 * 60_000,
};

export type BudgetDecision =
  | { readonly kind: 'admit'; readonly next: BudgetState }
  | { readonly kind: 'wait'; readonly waitMs: number; readonly reason: 'minute' | 'paused' | 'concurrent' }
  /** `next`, when present, records the refusal (a day block) for every caller. */
  | { readonly kind: 'refuse'; readonly error: RateLimitedError; readonly next?: BudgetState };

/** Drops starts outside the window and lapsed leases; a lapsed day block forgets the stale day count. */
export function pruneBudget(state: BudgetState, now: number, limits: BudgetLimits): BudgetState {
  const windowStart = now - limits.windowMs;
  const starts = state.starts.filter((start) => start > windowStart);
  const leases = Object.fromEntries(Object.entries(state.leases).filter(([, until]) => until > now));
  if (state.dayBlockedUntil > 0 && state.dayBlockedUntil <= now) {
    // Xero's day window has rolled over since the block was set.
    return { starts, leases, pausedUntil: state.pausedUntil, dayBlockedUntil: 0 };
  }
  return { ...state, starts, leases };
}

/** Whether a call may start now for this tenant, and the state that records it (lease `leaseId`). */
export function decideCall(state: BudgetState, now: number, limits: BudgetLimits, leaseId: string): BudgetDecision {
  const live = pruneBudget(state, now, limits);
  if (live.dayBlockedUntil > now) {
    const error = new RateLimitedError('Xero day limit reached for this tenant', live.dayBlockedUntil - now, 'day');
    return { kind: 'refuse', error };
  }
  if (live.dayRemaining !== undefined && live.dayRemaining <= limits.dayReserve) {
    const error = new RateLimitedError(
      `Xero day budget down to its reserve (${live.dayRemaining} calls left)`,
      limits.dayRetryAfterMs,
      'day'
    );
    return { kind: 'refuse', error, next: { ...live, dayBlockedUntil: now + limits.dayRetryAfterMs } };
  }
  const pausedMs = live.pausedUntil - now;
  const oldestCounted = live.starts[live.starts.length - limits.perMinute];
  const minuteMs = oldestCounted === undefined ? 0 : oldestCounted + limits.windowMs - now;
  if (pausedMs > 0 || minuteMs > 0) {
    return { kind: 'wait', waitMs: Math.max(pausedMs, minuteMs), reason: pausedMs >= minuteMs ? 'paused' : 'minute' };
  }
  const expiries = Object.values(live.leases);
  if (expiries.length >= limits.maxConcurrent) {
    return { kind: 'wait', waitMs: Math.min(...expiries) - now, reason: 'concurrent' };
  }
  const next: BudgetState = {
    ...live,
    starts: [...live.starts, now],
    leases: { ...live.leases, [leaseId]: now + limits.leaseMs },
    ...(live.dayRemaining !== undefined && { dayRemaining: live.dayRemaining - 1 }),
  };
  return { kind: 'admit', next };
}

/** After a 429 (or Xero saying the minute is spent): pause every caller, or park the tenant for a `day` problem. */
export function withPenalty(state: BudgetState, until: number, problem: string): BudgetState {
  if (problem === 'day') return { ...state, dayBlockedUntil: Math.max(state.dayBlockedUntil, until), dayRemaining: 0 };
  return { ...state, pausedUntil: Math.max(state.pausedUntil, until) };
}

/** What a response's headers teach: the day count, and a pause when Xero says the minute is already spent. */
export function readObservation(
  headers: HeaderBag,
  state: BudgetState,
  now: number,
  windowMs: number
): { readonly dayRemaining?: number; readonly pauseUntil?: number } {
  const dayRemaining = headerNumber(headers, 'x-daylimit-remaining');
  const minute = headerNumber(headers, 'x-minlimit-remaining');
  // Xero's window resets at a moment we cannot see: wait until our oldest counted call leaves the window.
  const oldest = state.starts.find((start) => start > now - windowMs) ?? now;
  const pauseUntil = minute !== undefined && minute <= 0 ? oldest + windowMs : undefined;
  return { ...(dayRemaining !== undefined && { dayRemaining }), ...(pauseUntil !== undefined && { pauseUntil }) };
}

/** When nothing in the state matters any more (epoch ms): the store may forget the tenant's item after it. */
export function budgetLapsesAt(state: BudgetState, windowMs: number): number {
  const lastStart = state.starts[state.starts.length - 1] ?? 0;
  return Math.max(lastStart + windowMs, ...Object.values(state.leases), state.pausedUntil, state.dayBlockedUntil);
}
