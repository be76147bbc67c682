/** Where a SharedTenantBudget keeps each tenant's BudgetState: one record per tenant, replaced by compare-and-set. */
import type { BudgetState } from './budget-state';

export interface StoredBudget {
  readonly state: BudgetState;
  /** Bumped by every write; 0 means the tenant has no record yet. */
  readonly version: number;
}

export interface BudgetStore {
  /** The tenant's current record (strongly consistent), or EMPTY_BUDGET at version 0. */
  read(tenantId: string): Promise<StoredBudget>;
  /**
   * Stores `next` if the record is still at version `expected`, in one request. `ok: false` means someone wrote
   * first; `current` is then what they wrote (so the caller decides again without another read).
   */
  replace(
    tenantId: string,
    next: BudgetState,
    expected: number
  ): Promise<{ readonly ok: boolean; readonly current: StoredBudget }>;
  /**
   * Drops one lease in one request without reading first, recording Xero's latest day count when given.
   * Returns the record after the write, or undefined when the lease had already lapsed and gone.
   */
  releaseLease(tenantId: string, leaseId: string, dayRemaining?: number): Promise<StoredBudget | undefined>;
}
