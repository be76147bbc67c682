/**
 * How many map-stage workers the local runtime runs. One worker maps about 7,000 changes a minute on a 2-core
 * machine (docs/benchmarks.md, "Three organisations"), a little under what three organisations' Xero limits take
 * (3 × 2,750 documents a minute), so the writes worker ran dry and posted part-filled calls. Several organisations
 * get one map worker each; the changes queue leases one change per record at a time, so two workers never map the
 * same record at once (as concurrent map Lambdas on AWS).
 */
import { routedTenants, type RoutingSettings } from '../../lambdas/core/routing/routing-settings';

export function mapWorkerCount(routing: RoutingSettings | undefined, configured?: number): number {
  if (configured !== undefined) return Math.max(1, Math.floor(configured));
  return routing ? routedTenants(routing).length : 1;
}
