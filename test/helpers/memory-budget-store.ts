/** SharedTenantBudget's store in memory, for tests: the same compare-and-set contract as the DynamoDB store. */
import { EMPTY_BUDGET, type BudgetState } from '../../lambdas/core/rate-limit/budget-state';
import type { BudgetStore, StoredBudget } from '../../lambdas/core/rate-limit/budget-store';

/** The store's contract in memory: compare-and-set on a version, a lost race answers with the winner's record. */
export class MemoryBudgetStore implements BudgetStore {
  readonly records = new Map<string, StoredBudget>();
  readonly calls = { read: 0, replace: 0, release: 0 };
  /** Runs just before a replace is checked: a competing writer can slip in here. */
  beforeReplace?: () => void;
  failReleases = false;
  /** Answer after a turn of the event loop, as a remote store would (so an un-awaited call shows). */
  remote = false;

  current(tenantId: string): StoredBudget {
    return this.records.get(tenantId) ?? { state: EMPTY_BUDGET, version: 0 };
  }
  async read(tenantId: string): Promise<StoredBudget> {
    this.calls.read++;
    return this.current(tenantId);
  }
  async replace(tenantId: string, next: BudgetState, expected: number) {
    this.calls.replace++;
    if (this.remote) await new Promise((resolve) => setImmediate(resolve));
    const hook = this.beforeReplace;
    this.beforeReplace = undefined;
    hook?.();
    const current = this.current(tenantId);
    if (current.version !== expected) return { ok: false, current };
    const stored = { state: next, version: expected + 1 };
    this.records.set(tenantId, stored);
    return { ok: true, current: stored };
  }
  async releaseLease(tenantId: string, leaseId: string, dayRemaining?: number) {
    this.calls.release++;
    if (this.remote) await new Promise((resolve) => setImmediate(resolve));
    if (this.failReleases) throw new Error('store unavailable');
    const current = this.current(tenantId);
    if (!(leaseId in current.state.leases)) return undefined;
    const leases = Object.fromEntries(Object.entries(current.state.leases).filter(([id]) => id !== leaseId));
    const stored = {
      state: { ...current.state, leases, ...(dayRemaining !== undefined && { dayRemaining }) },
      version: current.version + 1,
    };
    this.records.set(tenantId, stored);
    return stored;
  }
}
