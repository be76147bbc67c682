/**
 * The Xero connection as the connector keeps it: one token set (one consent) and the organisations the operator chose
 * from it, each with its own state. `tenantId`/`tenantName` name the default organisation (the first chosen).
 */

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

/** One organisation the connector may use. `reconnect_required` here pauses only this organisation's work. */
export interface ChosenTenant {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly state: ConnectionState;
  /** Why it needs a new consent (tenant_removed, pinned_not_in_consent, …); only with state reconnect_required. */
  readonly reason?: string;
}

export interface Connection {
  /** The default organisation: where records without a route go. */
  readonly tenantId: string;
  readonly tenantName: string;
  /**
   * Every chosen organisation, the default first. Records stored before several organisations were supported lack
   * it: `chosenTenants` reads them as the one default organisation.
   */
  readonly tenants?: readonly ChosenTenant[];
  readonly authEventId?: string;
  readonly connectedAt: string;
  readonly refreshedAt: string;
  /** When the refresh token in use was issued; refresh tokens die after 60 days unused. */
  readonly refreshTokenIssuedAt: string;
  /** The token set's state: reconnect_required here (invalid_grant, …) pauses every organisation. */
  readonly state: ConnectionState;
  /** Why reconnecting is needed (invalid_grant, tenant_removed, …); only with state reconnect_required. */
  readonly reason?: string;
}

/** The chosen organisations of a stored connection, also for records written before `tenants` existed. */
export function chosenTenants(connection: Connection): readonly ChosenTenant[] {
  if (connection.tenants && connection.tenants.length > 0) return connection.tenants;
  return connection.tenantId
    ? [{ tenantId: connection.tenantId, tenantName: connection.tenantName, state: 'connected' }]
    : [];
}

/** A stored record in today's shape (read old, write new): `tenants` always present. */
export function withChosenTenants(record: StoredConnection): StoredConnection {
  if (record.connection.tenants && record.connection.tenants.length > 0) return record;
  return { ...record, connection: { ...record.connection, tenants: chosenTenants(record.connection) } };
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
  /** The default organisation. */
  readonly tenantId?: string;
  readonly tenantName?: string;
  /** Every chosen organisation with its own state (a revoked token set shows all as reconnect_required). */
  readonly organisations?: readonly ChosenTenant[];
  /** When the token set was last refreshed (or first obtained). */
  readonly refreshedAt?: string;
  readonly reason?: string;
  readonly nextStep?: string;
  readonly accessTokenExpiresInSeconds?: number;
  /** Age of the refresh token in seconds: alarm well before Xero's 60-day limit. */
  readonly refreshTokenAgeSeconds?: number;
}
