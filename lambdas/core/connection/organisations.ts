/** Small helpers for callers that work per Xero organisation (write-back poll, webhook routing, wiring). */
import type { ConnectionStatus } from './types';

/** What the token service tells workers that run per organisation. */
export interface UsableOrganisations {
  readonly defaultTenantId?: string;
  /** Connected and not paused, the default first. */
  readonly tenantIds: readonly string[];
}

/** The organisations whose work may run now (the default first); paused ones are left out. */
export function usableTenantIds(status: ConnectionStatus): string[] {
  if (status.state !== 'connected') return [];
  const organisations =
    status.organisations ?? (status.tenantId ? [{ tenantId: status.tenantId, state: 'connected' }] : []);
  return organisations.filter((o) => o.state === 'connected').map((o) => o.tenantId);
}

/** One instance per organisation, made on first use (a reader or gateway bound to that organisation's access). */
export function perTenant<T>(make: (tenantId: string) => T): (tenantId: string) => T {
  const made = new Map<string, T>();
  return (tenantId) => {
    let value = made.get(tenantId);
    if (value === undefined) {
      value = make(tenantId);
      made.set(tenantId, value);
    }
    return value;
  };
}
