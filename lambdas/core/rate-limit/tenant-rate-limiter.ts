/**
 * The tenant's Xero budget inside one process (the local runtime, where one process makes every Xero call): the
 * rules of budget-state.ts over an in-memory state, with callers waiting for a slot in flight queued rather than
 * polling. 55 calls per rolling minute and 4 in flight (Xero allows 60 and 5, research §2), a day reserve, and
 * after a 429 every caller for the tenant waits out Retry-After. On AWS, where several Lambdas call Xero,
 * SharedTenantBudget (shared-tenant-budget.ts) keeps one budget per tenant for all of them instead.
 */
import { RateLimitedError } from '../errors';
import type { Clock } from '../ports';
import {
  DEFAULT_BUDGET_LIMITS,
  EMPTY_BUDGET,
  decideCall,
  readObservation,
  withPenalty,
  type BudgetLimits,
  type BudgetState,
} from './budget-state';
import type { HeaderBag, Sleep, TenantCallBudget } from './tenant-call-budget';

export type { HeaderBag, Sleep };
/** The in-process limiter frees a slot synchronously. */
export type Release = () => void;

/** The shared rules' limits (budget-state.ts) without leases, which cannot be lost inside one process. */
export interface RateLimitOptions extends Omit<BudgetLimits, 'leaseMs'> {
  /** Longest a caller waits in acquire(); beyond that it gets a RateLimitedError so the queue retries later. */
  readonly maxWaitMs: number;
}

const { leaseMs: _leasesNeverLapseHere, ...DEFAULT_LIMITS } = DEFAULT_BUDGET_LIMITS;
export const DEFAULT_RATE_LIMIT_OPTIONS: RateLimitOptions = { ...DEFAULT_LIMITS, maxWaitMs: 60_000 };

interface TenantState {
  state: BudgetState;
  /** Callers waiting for a slot in flight, woken one per release. */
  waiters: Array<() => void>;
}

export class TenantRateLimiter implements TenantCallBudget {
  private readonly options: RateLimitOptions;
  /** In one process a slot cannot be lost to a crash: leases never lapse. */
  private readonly limits: BudgetLimits;
  private readonly tenants = new Map<string, TenantState>();
  private leases = 0;

  constructor(
    private readonly deps: { readonly clock: Clock; readonly sleep: Sleep },
    options: Partial<RateLimitOptions> = {}
  ) {
    this.options = { ...DEFAULT_RATE_LIMIT_OPTIONS, ...options };
    this.limits = { ...this.options, leaseMs: Number.POSITIVE_INFINITY };
  }

  /** Waits for a slot and returns the function that frees it (call it exactly once, in a finally). */
  async acquire(tenantId: string): Promise<Release> {
    const tenant = this.tenantOf(tenantId);
    const leaseId = String(++this.leases);
    let waited = 0;
    for (;;) {
      const decision = decideCall(tenant.state, this.now(), this.limits, leaseId);
      if (decision.kind === 'admit') {
        tenant.state = decision.next;
        return this.releaserFor(tenant, leaseId);
      }
      if (decision.kind === 'refuse') {
        if (decision.next) tenant.state = decision.next;
        throw decision.error;
      }
      if (decision.reason === 'concurrent') {
        await new Promise<void>((resolve) => tenant.waiters.push(resolve));
        continue;
      }
      if (waited + decision.waitMs > this.options.maxWaitMs) {
        throw new RateLimitedError(
          `Xero minute limit: tenant busy for ${decision.waitMs} ms`,
          decision.waitMs,
          'minute'
        );
      }
      waited += decision.waitMs;
      await this.deps.sleep(decision.waitMs);
    }
  }

  /** Learns Xero's remaining counts from any response (success or error). */
  observe(tenantId: string, headers: HeaderBag): void {
    const tenant = this.tenantOf(tenantId);
    const learnt = readObservation(headers, tenant.state, this.now(), this.options.windowMs);
    if (learnt.dayRemaining !== undefined) tenant.state = { ...tenant.state, dayRemaining: learnt.dayRemaining };
    if (learnt.pauseUntil !== undefined) tenant.state = withPenalty(tenant.state, learnt.pauseUntil, 'minute');
  }

  /** After a 429: every caller for this tenant waits `retryAfterMs`; a `day` problem parks the tenant instead. */
  penalise(tenantId: string, retryAfterMs: number, problem = 'minute'): void {
    const tenant = this.tenantOf(tenantId);
    tenant.state = withPenalty(tenant.state, this.now() + Math.max(0, retryAfterMs), problem);
  }

  private releaserFor(tenant: TenantState, leaseId: string): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const { [leaseId]: _freed, ...leases } = tenant.state.leases;
      tenant.state = { ...tenant.state, leases };
      tenant.waiters.shift()?.();
    };
  }

  private tenantOf(tenantId: string): TenantState {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = { state: EMPTY_BUDGET, waiters: [] };
      this.tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}
