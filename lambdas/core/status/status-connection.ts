/**
 * The snapshot's `connection` from the token service's secret-free status, the same on both runtimes: the reason
 * joined with its next step, and the refresh token's age turned into the dates a person can act on.
 */
import type { ChosenTenant, ConnectionStatus } from '../connection/types';
import { REFRESH_TOKEN_LIFETIME_DAYS, type StatusConnection, type StatusOrganisation } from './status-snapshot';

const DAY_MS = 86_400_000;

export function statusConnectionOf(
  status: ConnectionStatus,
  now: Date,
  extra: { readonly tenantPinned?: boolean } = {}
): StatusConnection {
  const issuedAt =
    status.refreshTokenAgeSeconds !== undefined ? now.getTime() - status.refreshTokenAgeSeconds * 1000 : undefined;
  const reason = status.reason ? `${status.reason}${status.nextStep ? ` — ${status.nextStep}` : ''}` : undefined;
  return {
    state: status.state,
    ...(status.tenantName ? { tenantName: status.tenantName } : {}),
    ...(status.tenantId ? { tenantId: status.tenantId } : {}),
    ...(reason ? { reason } : {}),
    ...(status.refreshedAt ? { refreshedAt: status.refreshedAt } : {}),
    ...(issuedAt !== undefined
      ? {
          refreshTokenIssuedAt: new Date(issuedAt).toISOString(),
          refreshTokenExpiresAt: new Date(issuedAt + REFRESH_TOKEN_LIFETIME_DAYS * DAY_MS).toISOString(),
        }
      : {}),
    ...(extra.tenantPinned !== undefined ? { tenantPinned: extra.tenantPinned } : {}),
    ...(status.organisations ? { organisations: status.organisations.map(organisationOf) } : {}),
  };
}

function organisationOf(o: ChosenTenant): StatusOrganisation {
  return { tenantId: o.tenantId, tenantName: o.tenantName, state: o.state, ...(o.reason ? { reason: o.reason } : {}) };
}

/** The same sentence on both runtimes' /status; the page shows it as its red banner. */
export const NO_TENANT_PIN_WARNING =
  'No Xero organisation is pinned (XERO_TENANT_ID unset): a new consent could connect another one.';

/** The snapshot's `warnings` that follow from the connection. */
export function statusWarnings(connection: Pick<StatusConnection, 'tenantPinned'>): string[] {
  return connection.tenantPinned === false ? [NO_TENANT_PIN_WARNING] : [];
}
