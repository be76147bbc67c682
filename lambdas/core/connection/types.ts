/** The Xero connection as the connector keeps it: one tenant, one token set, one state. */

/** Tokens from Xero's identity server. `expiresAt` is the access token's expiry (ISO 8601). */
export interface TokenSet {
  readonly accessToken: string;
  /** Absent for Custom Connections (client_credentials): they have no refresh token. */
  readonly refreshToken?: string;
  readonly expiresAt: string;
  readonly scope: string;
  readonly idToken?: string;
}

export type ConnectionState = 'connected' | 'reconnect_required';

export interface Connection {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly authEventId?: string;
  readonly connectedAt: string;
  readonly refreshedAt: string;
  /** When the refresh token in use was issued; refresh tokens die after 60 days unused. */
  readonly refreshTokenIssuedAt: string;
  readonly state: ConnectionState;
  /** Why reconnecting is needed (invalid_grant, tenant_removed, …); only with state reconnect_required. */
  readonly reason?: string;
}

/** What the ConnectionStore persists, always as one unit (tokens and connection never diverge). */
export interface StoredConnection {
  readonly connection: Connection;
  readonly tokens: TokenSet;
}

/** One entry of Xero's GET /connections. */
export interface XeroTenantConnection {
  readonly id: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly tenantType: string;
  readonly authEventId?: string;
}

/** A consent that came back with several tenants and waits for the operator to pick one. */
export interface PendingConsent {
  readonly id: string;
  readonly tokens: TokenSet;
  readonly tenants: readonly XeroTenantConnection[];
  readonly expiresAt: string;
}

/** What workers get from the token service. */
export interface AccessGrant {
  readonly accessToken: string;
  readonly tenantId: string;
  readonly expiresAt: string;
}

/** A secret-free summary for /status, metrics and alarms. */
export interface ConnectionStatus {
  readonly state: ConnectionState | 'not_connected';
  readonly tenantId?: string;
  readonly tenantName?: string;
  /** When the token set was last refreshed (or first obtained). */
  readonly refreshedAt?: string;
  readonly reason?: string;
  readonly nextStep?: string;
  readonly accessTokenExpiresInSeconds?: number;
  /** Age of the refresh token in seconds: alarm well before Xero's 60-day limit. */
  readonly refreshTokenAgeSeconds?: number;
}
