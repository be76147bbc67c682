/** Which organisation one record belongs to, by the routing settings (core/routing/routing-settings.ts). */
import type { RoutingSettings } from './routing-settings';

/** What a record offers for routing: its owning business unit, currency, and the values of extra columns read. */
export interface Routable {
  readonly owningBusinessUnit?: { readonly id: string; readonly name?: string };
  readonly currencyCode?: string;
  readonly conditionValues?: Readonly<Record<string, unknown>>;
  readonly conditionLabels?: Readonly<Record<string, string>>;
}

/**
 * The tenant id the record routes to: the first route whose value matches (ids and codes ignore case, names are
 * compared trimmed and case-insensitively), else the default organisation. Always lower case, like /connections.
 */
export function routeOf(routing: RoutingSettings, record: Routable): string {
  const routes = new Map(Object.entries(routing.routes).map(([value, tenant]) => [normal(value), tenant]));
  for (const candidate of candidates(routing, record)) {
    const tenant = routes.get(normal(candidate));
    if (tenant) return tenant.toLowerCase();
  }
  return routing.defaultTenantId.toLowerCase();
}

/** The record's values to match, most specific first (an id before a name). */
function candidates(routing: RoutingSettings, record: Routable): string[] {
  switch (routing.by) {
    case 'businessUnit':
      return present([record.owningBusinessUnit?.id, record.owningBusinessUnit?.name]);
    case 'currency':
      return present([record.currencyCode]);
    case 'column': {
      const column = routing.column ?? '';
      const values = record.conditionValues ?? {};
      return present([scalar(values[column]), record.conditionLabels?.[column]]);
    }
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function present(values: (string | undefined)[]): string[] {
  return values.filter((value): value is string => value !== undefined && value.trim() !== '');
}

function normal(value: string): string {
  return value.trim().toLowerCase();
}
