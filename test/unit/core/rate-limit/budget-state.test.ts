import {
  DEFAULT_BUDGET_LIMITS,
  EMPTY_BUDGET,
  budgetLapsesAt,
  decideCall,
  pruneBudget,
  readObservation,
  withPenalty,
  type BudgetState,
} from '../../../../lambdas/core/rate-limit/budget-state';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const limits = DEFAULT_BUDGET_LIMITS;
const budget = (patch: Partial<BudgetState>): BudgetState => ({ ...EMPTY_BUDGET, ...patch });
/** `count` starts, one a second, the last one `ageMs` ago. */
const startsEndingAgo = (count: number, ageMs: number) =>
  Array.from({ length: count }, (_, i) => NOW - ageMs - (count - 1 - i) * 1_000);

describe('the shared Xero budget rules', () => {
  it('should hold the tenant as a whole to 55 calls a minute and 4 in flight by default (Xero allows 60 and 5)', () => {
    expect(limits.perMinute).toBe(55);
    expect(limits.maxConcurrent).toBe(4);
    expect(limits.windowMs).toBe(60_000);
  });

  it('should admit a call by recording its start and a lease that lapses after leaseMs', () => {
    const decision = decideCall(budget({ dayRemaining: 100 }), NOW, limits, 'lease-1');
    expect(decision).toEqual({
      kind: 'admit',
      next: budget({ starts: [NOW], leases: { 'lease-1': NOW + limits.leaseMs }, dayRemaining: 99 }),
    });
  });

  it('should make the 56th call of a rolling minute wait until the oldest counted start leaves the window', () => {
    const starts = startsEndingAgo(55, 0); // oldest 54 s ago
    expect(decideCall(budget({ starts }), NOW, limits, 'x')).toEqual({ kind: 'wait', waitMs: 6_000, reason: 'minute' });
    expect(decideCall(budget({ starts }), NOW + 6_000, limits, 'x').kind).toBe('admit');
  });

  it('should forget starts older than the window', () => {
    const starts = [NOW - 60_000, NOW - 59_999];
    expect(pruneBudget(budget({ starts }), NOW, limits).starts).toEqual([NOW - 59_999]);
  });

  it('should make a fifth caller wait for a slot while four leases are live, and ignore lapsed leases', () => {
    const leases = { a: NOW + 5_000, b: NOW + 3_000, c: NOW + 9_000, d: NOW + 1_000 };
    expect(decideCall(budget({ leases }), NOW, limits, 'e')).toEqual({
      kind: 'wait',
      waitMs: 1_000,
      reason: 'concurrent',
    });
    const decision = decideCall(budget({ leases: { ...leases, d: NOW } }), NOW, limits, 'e');
    expect(decision.kind === 'admit' && Object.keys(decision.next.leases).sort()).toEqual(['a', 'b', 'c', 'e']);
  });

  it('should hold every call until a pause after a 429 has passed', () => {
    const paused = withPenalty(EMPTY_BUDGET, NOW + 7_000, 'minute');
    expect(decideCall(paused, NOW, limits, 'x')).toEqual({ kind: 'wait', waitMs: 7_000, reason: 'paused' });
    expect(withPenalty(paused, NOW + 1_000, 'minute').pausedUntil).toBe(NOW + 7_000);
  });

  it('should refuse calls once the day count reaches its reserve, and record the block for every caller', () => {
    const decision = decideCall(budget({ dayRemaining: limits.dayReserve }), NOW, limits, 'x');
    expect(decision.kind).toBe('refuse');
    if (decision.kind !== 'refuse') return;
    expect(decision.error).toMatchObject({ problem: 'day', retryAfterMs: limits.dayRetryAfterMs });
    expect(decision.next?.dayBlockedUntil).toBe(NOW + limits.dayRetryAfterMs);
    const later = decideCall(decision.next!, NOW + 1_000, limits, 'y');
    expect(later).toMatchObject({ kind: 'refuse', error: { retryAfterMs: limits.dayRetryAfterMs - 1_000 } });
    expect(later.kind === 'refuse' && later.next).toBeUndefined();
  });

  it('should forget the stale day count once a day block has lapsed', () => {
    const blocked = withPenalty(budget({ dayRemaining: 500 }), NOW + 1_000, 'day');
    expect(blocked.dayRemaining).toBe(0);
    const decision = decideCall(blocked, NOW + 1_000, limits, 'x');
    expect(decision.kind === 'admit' && decision.next).toEqual(
      budget({ starts: [NOW + 1_000], leases: { x: NOW + 1_000 + limits.leaseMs } })
    );
  });

  it('should learn the day count and, when Xero says the minute is spent, a pause until the oldest start leaves', () => {
    const state = budget({ starts: [NOW - 20_000, NOW - 1_000] });
    expect(
      readObservation({ 'X-DayLimit-Remaining': '4200', 'X-MinLimit-Remaining': '12' }, state, NOW, 60_000)
    ).toEqual({ dayRemaining: 4200 });
    expect(readObservation({ 'x-minlimit-remaining': '0' }, state, NOW, 60_000)).toEqual({
      pauseUntil: NOW + 40_000,
    });
    expect(readObservation({}, state, NOW, 60_000)).toEqual({});
    // A start that has already left the window no longer holds the tenant back.
    const stale = budget({ starts: [NOW - 70_000, NOW - 5_000] });
    expect(readObservation({ 'x-minlimit-remaining': '0' }, stale, NOW, 60_000)).toEqual({ pauseUntil: NOW + 55_000 });
  });

  it('should say the state lapses when its last start, lease or pause does', () => {
    expect(budgetLapsesAt(budget({ starts: [NOW], leases: { a: NOW + 45_000 } }), 60_000)).toBe(NOW + 60_000);
    expect(budgetLapsesAt(budget({ starts: [NOW], pausedUntil: NOW + 90_000 }), 60_000)).toBe(NOW + 90_000);
  });
});
