/** Small helpers for callers that work per Xero organisation (write-back poll, webhook routing, wiring). */
import type { ChosenTenant, ConnectionStatus } from './types';

/** What the token service tells workers that run per organisation. */
export interface UsableOrganisations {
  readonly defaultTenantId?: string;
  /** Connected and not paused, the default first. */
  readonly tenantIds: readonly string[];
  /** Every chosen organisation with its state, paused ones too (the preflight checks routing against them). */
  readonly chosen?: readonly ChosenTenant[];
}

/** The organisations whose work may run now (the default first); paused ones are left out. */
export function usableTenantIds(status: Pick<ConnectionStatus, 'state' | 'tenantId' | 'organisations'>): string[] {
  if (status.state !== 'connected') return [];
  const organisations =
    status.organisations ?? (status.tenantId ? [{ tenantId: status.tenantId, state: 'connected' }] : []);
  return organisations.filter((o) => o.state === 'connected').map((o) => o.tenantId);
}
