/**
 * Checks that routing only sends records to organisations the connector may use: every tenant id named in
 * `routing.routes` and `routing.defaultTenantId` must be one of the organisations chosen at consent. A record routed
 * elsewhere would otherwise wait for an organisation nobody connected. A chosen organisation that is paused (its
 * consent needs renewing) is only a warning: the setting is right, the connection needs attention.
 */
import type { RoutingSettings } from '../routing/routing-settings';
import type { PreflightProblem } from './preflight-report';

export interface ChosenOrganisation {
  readonly tenantId: string;
  readonly tenantName?: string;
  /** connected, or reconnect_required when paused. */
  readonly state?: string;
}

export function validateRoutingTenants(
  routing: RoutingSettings | undefined,
  chosen: readonly ChosenOrganisation[]
): { problems: PreflightProblem[]; warnings: string[] } {
  const out = { problems: [] as PreflightProblem[], warnings: [] as string[] };
  if (!routing) return out;
  const validChoices = chosen.map((c) => (c.tenantName ? `${c.tenantId} ${c.tenantName}` : c.tenantId));
  const named: [string, string][] = [
    ...Object.entries(routing.routes).map(([value, tenantId]): [string, string] => [
      `routing.routes.${value}`,
      tenantId,
    ]),
    ['routing.defaultTenantId', routing.defaultTenantId],
  ];
  const warned = new Set<string>();
  for (const [setting, tenantId] of named) {
    const found = chosen.find((c) => c.tenantId.toLowerCase() === tenantId.trim().toLowerCase());
    if (!found) {
      out.problems.push({
        setting,
        value: tenantId,
        message:
          `organisation ${tenantId} is not one of the organisations chosen for the connector: ` +
          'connect it (Xero consent) or route to a chosen one',
        validChoices,
      });
    } else if (found.state !== undefined && found.state !== 'connected' && !warned.has(found.tenantId)) {
      warned.add(found.tenantId);
      out.warnings.push(
        `${setting} routes to ${found.tenantName ?? tenantId}, which is paused (${found.state}): ` +
          'its records wait until it is connected again'
      );
    }
  }
  return out;
}
