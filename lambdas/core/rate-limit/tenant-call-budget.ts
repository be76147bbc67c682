/**
 * The port the Xero call runner spends a tenant's Xero budget through (research §2: 60 calls per minute and 5 in
 * flight per tenant, a day budget, 429 + Retry-After when exceeded). Two implementations:
 *  - TenantRateLimiter: in one process (the local runtime, where one process makes every Xero call);
 *  - SharedTenantBudget over a BudgetStore: one budget for every Lambda that calls Xero (DynamoDB on AWS).
 */
export type Sleep = (ms: number) => Promise<void>;
/** Frees the slot taken by acquire(); call it exactly once, in a finally. It never rejects. */
export type Release = () => void | Promise<void>;
export type HeaderBag = Readonly<Record<string, unknown>>;

export interface TenantCallBudget {
  /** Waits for a slot for one Xero call; throws RateLimitedError when none comes in time (the work is retried). */
  acquire(tenantId: string): Promise<Release>;
  /** Learns Xero's remaining counts (X-DayLimit-Remaining, X-MinLimit-Remaining) from a response. */
  observe(tenantId: string, headers: HeaderBag): void;
  /** After a 429: every caller for the tenant waits `retryAfterMs`; a `day` problem parks the tenant. */
  penalise(tenantId: string, retryAfterMs: number, problem?: string): void | Promise<void>;
}

/** A numeric header by case-insensitive name; undefined when absent or not a finite number. */
export function headerNumber(headers: HeaderBag, name: string): number | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const raw: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    const parsed = Number(raw);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
