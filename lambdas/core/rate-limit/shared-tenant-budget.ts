/**
 * One Xero budget per tenant for every process that calls Xero (on AWS: the post, write-back and reconcile
 * Lambdas, however many of each run), kept in a BudgetStore by compare-and-set.
 *
 * acquire():
 *  1. Decide from the last record this process saw (read it if there is none, or after waiting for a slot, since
 *     only a fresh read can show a slot freed elsewhere).
 *  2. Admitted → replace the record on its version: one request. Someone wrote first → decide again on the record
 *     the failed write returned (a few quick conflicts in a row → a short jittered pause).
 *  3. Must wait → sleep with jitter, unless the wait would pass the caller's limit (maxWaitMs, or the invocation's
 *     deadline): then throw RateLimitedError so the work goes back to its queue instead of outliving the Lambda.
 * release() drops the lease in one request; a crashed caller's lease lapses by itself after leaseMs.
 * observe() keeps the day count for the next release; penalise() writes the pause for every caller.
 */
import { RateLimitedError } from '../errors';
import type { Clock, Logger } from '../ports';
import {
  DEFAULT_BUDGET_LIMITS,
  decideCall,
  readObservation,
  withPenalty,
  type BudgetDecision,
  type BudgetLimits,
  type BudgetState,
} from './budget-state';
import type { BudgetStore, StoredBudget } from './budget-store';
import type { HeaderBag, Release, Sleep, TenantCallBudget } from './tenant-call-budget';

export interface SharedBudgetOptions extends BudgetLimits {
  /** Longest one acquire() waits before giving the work back. */
  readonly maxWaitMs: number;
  /** How often a caller waiting for a slot in flight looks again. */
  readonly concurrentPollMs: number;
  /** Up to this much random delay is added to every wait, so waiters do not wake together. */
  readonly jitterMs: number;
  /** Suggested retry delay when giving up on a slot in flight (the work goes back to its queue). */
  readonly concurrentRetryAfterMs: number;
  /** Compare-and-set conflicts in a row before a short jittered pause. */
  readonly conflictsBeforePause: number;
}

export const DEFAULT_SHARED_BUDGET_OPTIONS: SharedBudgetOptions = {
  ...DEFAULT_BUDGET_LIMITS,
  maxWaitMs: 60_000,
  concurrentPollMs: 250,
  jitterMs: 200,
  concurrentRetryAfterMs: 5_000,
  conflictsBeforePause: 2,
};

export interface SharedBudgetDeps {
  readonly store: BudgetStore;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** A new unique lease id. */
  readonly newLeaseId: () => string;
  /** A number in [0, 1) for jitter. */
  readonly random: () => number;
  /** Epoch ms by which the current invocation must have handed its work back; undefined = no deadline. */
  readonly deadline?: () => number | undefined;
  readonly logger?: Logger;
}

type WaitReason = Extract<BudgetDecision, { kind: 'wait' }>['reason'];

/** Retries of a penalty write that keeps losing the compare-and-set (each loss returns the newer record). */
const PENALTY_ATTEMPTS = 5;

export class SharedTenantBudget implements TenantCallBudget {
  readonly options: SharedBudgetOptions;
  /** The last record this process saw per tenant (possibly stale; every write is checked against the store). */
  private readonly seen = new Map<string, StoredBudget>();
  /** Xero's latest day count per tenant, written with the next release. */
  private readonly pendingDay = new Map<string, number>();
  /** Pauses and day blocks this process knows of, honoured even if writing them to the store failed. */
  private readonly local = new Map<string, { pausedUntil: number; dayBlockedUntil: number }>();

  constructor(
    private readonly deps: SharedBudgetDeps,
    options: Partial<SharedBudgetOptions> = {}
  ) {
    this.options = { ...DEFAULT_SHARED_BUDGET_OPTIONS, ...options };
  }

  async acquire(tenantId: string): Promise<Release> {
    const giveUpAt = this.giveUpAt();
    const leaseId = this.deps.newLeaseId();
    let known = this.seen.get(tenantId);
    /** Whether `known` came from the store during this acquire (not from an earlier call's view). */
    let fresh = false;
    let conflicts = 0;
    for (;;) {
      if (!known) {
        known = await this.deps.store.read(tenantId);
        fresh = true;
      }
      const now = this.now();
      const decision = decideCall(this.withLocal(tenantId, known.state, now), now, this.options, leaseId);
      if (decision.kind === 'admit') {
        const result = await this.deps.store.replace(tenantId, decision.next, known.version);
        this.seen.set(tenantId, result.current);
        if (result.ok) return this.releaser(tenantId, leaseId);
        known = result.current;
        fresh = true;
        if (++conflicts % this.options.conflictsBeforePause === 0) {
          await this.waitOrGiveUp(0, giveUpAt, 'concurrent', 0);
        }
        continue;
      }
      if (decision.kind === 'refuse') {
        if (!fresh) {
          // Refuse only on the store's word: another process may have learnt a new day's count since.
          known = undefined;
          continue;
        }
        if (decision.next) await this.tryReplace(tenantId, known, decision.next);
        throw decision.error;
      }
      const poll = decision.reason === 'concurrent';
      const sleepMs = poll ? Math.min(decision.waitMs, this.options.concurrentPollMs) : decision.waitMs;
      await this.waitOrGiveUp(sleepMs, giveUpAt, decision.reason, decision.waitMs);
      // A stale record can only hide starts and pauses (the version check catches those) or show a slot as
      // taken that has since been freed: only the last case needs a fresh read.
      if (poll) known = undefined;
    }
  }

  observe(tenantId: string, headers: HeaderBag): void {
    const state = this.seen.get(tenantId)?.state;
    if (!state) return;
    const learnt = readObservation(headers, state, this.now(), this.options.windowMs);
    if (learnt.dayRemaining !== undefined) this.pendingDay.set(tenantId, learnt.dayRemaining);
    if (learnt.pauseUntil !== undefined) this.pauseLocally(tenantId, learnt.pauseUntil, 'minute');
  }

  async penalise(tenantId: string, retryAfterMs: number, problem = 'minute'): Promise<void> {
    const until = this.now() + Math.max(0, retryAfterMs);
    this.pauseLocally(tenantId, until, problem);
    try {
      let known = this.seen.get(tenantId) ?? (await this.deps.store.read(tenantId));
      for (let attempt = 0; attempt < PENALTY_ATTEMPTS; attempt++) {
        const result = await this.deps.store.replace(tenantId, withPenalty(known.state, until, problem), known.version);
        this.seen.set(tenantId, result.current);
        if (result.ok) return;
        known = result.current;
      }
    } catch (error) {
      this.deps.logger?.warn('could not share a Xero pause; this process still honours it', {
        problem,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private releaser(tenantId: string, leaseId: string): Release {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const dayRemaining = this.pendingDay.get(tenantId);
      this.pendingDay.delete(tenantId);
      try {
        const current = await this.deps.store.releaseLease(tenantId, leaseId, dayRemaining);
        if (current) this.seen.set(tenantId, current);
      } catch (error) {
        // The lease lapses by itself after leaseMs; the Xero call's outcome matters more than this write.
        this.deps.logger?.warn('could not release a Xero budget slot; it frees itself when its lease lapses', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      const pause = this.local.get(tenantId);
      const shared = this.seen.get(tenantId)?.state.pausedUntil ?? 0;
      if (pause && pause.pausedUntil > Math.max(shared, this.now())) {
        // observe() saw Xero's minute spent: share the pause it implies.
        await this.penalise(tenantId, pause.pausedUntil - this.now(), 'minute');
      }
    };
  }

  /** Sleeps `sleepMs` plus jitter, or throws RateLimitedError when that would pass the caller's limit. */
  private async waitOrGiveUp(sleepMs: number, giveUpAt: number, reason: WaitReason, neededMs: number): Promise<void> {
    const now = this.now();
    if (now + sleepMs > giveUpAt) {
      const concurrent = reason === 'concurrent';
      throw new RateLimitedError(
        concurrent
          ? `Xero calls in flight for this tenant at the limit (${this.options.maxConcurrent})`
          : `Xero minute budget for this tenant is spent for ${Math.ceil(neededMs)} ms`,
        concurrent ? this.options.concurrentRetryAfterMs : Math.max(1, Math.ceil(neededMs)),
        concurrent ? 'concurrent' : 'minute'
      );
    }
    // Jitter never takes a caller past its limit.
    await this.deps.sleep(Math.min(sleepMs + this.jitter(), giveUpAt - now));
  }

  private async tryReplace(tenantId: string, known: StoredBudget, next: BudgetState): Promise<void> {
    try {
      this.seen.set(tenantId, (await this.deps.store.replace(tenantId, next, known.version)).current);
    } catch {
      // Best effort: every caller reaches the same refusal from the same day count.
    }
  }

  private withLocal(tenantId: string, state: BudgetState, now: number): BudgetState {
    const local = this.local.get(tenantId);
    if (!local) return state;
    // A lapsed local block must not reach the state: pruning it would forget a day count learnt since.
    if (local.dayBlockedUntil <= now) local.dayBlockedUntil = 0;
    return {
      ...state,
      pausedUntil: Math.max(state.pausedUntil, local.pausedUntil),
      dayBlockedUntil: Math.max(state.dayBlockedUntil, local.dayBlockedUntil),
    };
  }

  private pauseLocally(tenantId: string, until: number, problem: string): void {
    const local = this.local.get(tenantId) ?? { pausedUntil: 0, dayBlockedUntil: 0 };
    if (problem === 'day') local.dayBlockedUntil = Math.max(local.dayBlockedUntil, until);
    else local.pausedUntil = Math.max(local.pausedUntil, until);
    this.local.set(tenantId, local);
  }

  private giveUpAt(): number {
    const byWait = this.now() + this.options.maxWaitMs;
    const deadline = this.deps.deadline?.();
    return deadline === undefined ? byWait : Math.min(byWait, deadline);
  }

  private jitter(): number {
    return Math.floor(this.deps.random() * this.options.jitterMs);
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}
