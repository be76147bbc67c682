import type { XeroAccessProvider } from '../ports';

/**
 * Xero access for one routed organisation: the provider's token for that tenant (one consent may authorise several
 * organisations; the tenant is chosen per call by the xero-tenant-id header). An organisation that is not chosen
 * or was disconnected makes the provider throw ReconnectRequiredError, pausing only that organisation's work.
 */
export function accessForTenant(access: XeroAccessProvider, tenantId: string | undefined): XeroAccessProvider {
  if (tenantId === undefined) return access; // the default organisation
  return {
    getAccess: async () => ({ accessToken: (await access.getAccess(tenantId)).accessToken, tenantId }),
    forget: () => access.forget?.(),
    reportRejected: async (reason) => access.reportRejected?.(reason, tenantId),
  };
}

/** One value per organisation, made on first use (gateways, key indexes); `undefined` is the default organisation. */
export function perTenant<T>(make: (tenantId: string | undefined) => T): (tenantId?: string) => T {
  const made = new Map<string | undefined, T>();
  return (tenantId) => {
    const key = tenantId?.toLowerCase();
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}
