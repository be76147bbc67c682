/** The connection record the connection-store tests save and load: tenant Alpha, connected on 1 January 2026. */
import type { StoredConnection, TokenSet } from '../../lambdas/core/connection/types';

export function storedConnection(tokens: TokenSet): StoredConnection {
  return {
    connection: {
      tenantId: 'tenant-a',
      tenantName: 'Alpha',
      tenants: [{ tenantId: 'tenant-a', tenantName: 'Alpha', state: 'connected' }],
      connectedAt: '2026-01-01T00:00:00.000Z',
      refreshedAt: '2026-01-01T00:00:00.000Z',
      refreshTokenIssuedAt: '2026-01-01T00:00:00.000Z',
      state: 'connected',
    },
    tokens,
  };
}

/** The same record in the shape stored before several organisations: no `tenants`. */
export function singleTenantShape(record: StoredConnection): StoredConnection {
  const { tenants: _tenants, ...connection } = record.connection;
  return { ...record, connection };
}
