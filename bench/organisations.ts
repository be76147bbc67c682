/**
 * The three-organisation variant of the throughput benchmark (`bench/throughput.ts --orgs=3`): the bench records
 * get three currencies, routing by currency sends each to its own sandbox organisation, and the figures are taken
 * per organisation from the sandbox Xero's own request log (grouped by the xero-tenant-id header) and books.
 */
import type { RoutingSettings } from '../lambdas/core/routing/routing-settings';
import { SANDBOX_TENANTS } from '../src/local/sandbox-mode';
import type { RecordedXeroRequest } from '../sandbox/xero-accounting/server';

/** Currencies the sandbox organisations all have enabled (sandbox/xero-accounting/organisation-settings.ts). */
export const BENCH_CURRENCIES = [
  { code: 'USD', id: 'c1a7e3f0-1111-4a2b-8c3d-000000000840', name: 'US Dollar', symbol: '$', rate: 1 },
  { code: 'EUR', id: 'c1a7e3f0-2222-4a2b-8c3d-000000000978', name: 'Euro', symbol: '€', rate: 0.92 },
  { code: 'AUD', id: 'c1a7e3f0-3333-4a2b-8c3d-000000000036', name: 'Australian Dollar', symbol: '$', rate: 1.52 },
] as const;

/** The first `count` sandbox organisations, lower case as /connections lists them. */
export function benchTenants(count: number): string[] {
  return SANDBOX_TENANTS.slice(0, count).map((t) => t.tenantId.toLowerCase());
}

/** Currency i of the bench's rotation (one per organisation), and the organisation it routes to. */
export function benchCurrency(index: number, organisations: number) {
  const position = index % organisations;
  return { currency: BENCH_CURRENCIES[position]!, tenantId: benchTenants(organisations)[position]! };
}

/** USD → the first organisation, EUR → the second, AUD → the third; anything else → the first. */
export function benchRouting(organisations: number): RoutingSettings {
  const tenants = benchTenants(organisations);
  return {
    by: 'currency',
    routes: Object.fromEntries(tenants.map((tenant, i) => [BENCH_CURRENCIES[i]!.code, tenant])),
    defaultTenantId: tenants[0]!,
  };
}

export interface OrganisationFigures {
  readonly tenantId: string;
  readonly name: string;
  /** Bench documents that appeared in this organisation's books (on-demand copies of customers and items included). */
  readonly documents: number;
  readonly steadyMinuteRecords?: number;
  readonly xeroCalls: number;
  readonly callsPerRecord: number;
  readonly callsByRoute: Record<string, number>;
  /** The organisation's calls by route inside its steady minute (when the bench first saw them in the log). */
  readonly steadyCallsByRoute?: Record<string, number>;
  readonly refused429: number;
  readonly duplicates: number;
}

/** A request of the sandbox's log with the time (performance.now()) the bench first saw it there. */
export interface TimedRequest {
  readonly request: RecordedXeroRequest;
  readonly at: number;
}

/** Per organisation: documents, its steady minute (2nd minute after its first document), calls, 429s, duplicates. */
export function organisationFigures(input: {
  readonly tenantId: string;
  readonly seen: ReadonlyMap<string, number>;
  readonly requests: readonly TimedRequest[];
  readonly duplicates: number;
}): OrganisationFigures {
  const times = [...input.seen.values()];
  const first = Math.min(...times);
  const last = Math.max(...times);
  const steadyMinuteRecords =
    last >= first + 120_000 ? times.filter((at) => at >= first + 60_000 && at < first + 120_000).length : undefined;
  const own = input.requests.filter((r) => r.request.tenantId?.toLowerCase() === input.tenantId);
  const byRoute = (requests: readonly TimedRequest[]) => {
    const counts: Record<string, number> = {};
    for (const { request } of requests) counts[request.route] = (counts[request.route] ?? 0) + 1;
    return counts;
  };
  const callsByRoute = byRoute(own);
  const steadyCallsByRoute =
    steadyMinuteRecords !== undefined
      ? byRoute(own.filter((r) => r.at >= first + 60_000 && r.at < first + 120_000))
      : undefined;
  return {
    tenantId: input.tenantId,
    name: SANDBOX_TENANTS.find((t) => t.tenantId.toLowerCase() === input.tenantId)?.tenantName ?? input.tenantId,
    documents: input.seen.size,
    ...(steadyMinuteRecords !== undefined ? { steadyMinuteRecords } : {}),
    xeroCalls: own.length,
    callsPerRecord: input.seen.size > 0 ? own.length / input.seen.size : Number.NaN,
    callsByRoute,
    ...(steadyCallsByRoute ? { steadyCallsByRoute } : {}),
    refused429: own.filter((r) => r.request.status === 429).length,
    duplicates: input.duplicates,
  };
}

/** The most Xero calls (all organisations) in any rolling 60 s: what counts against the app-wide 10,000/min. */
export function maxCallsInRollingMinute(requests: readonly TimedRequest[]): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= 60_000) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
