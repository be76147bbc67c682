/** Ports of the Xero connection: storage, the identity server, single-use nonces and the token service. */
import type { AccessGrant, PendingConsent, StoredConnection, TokenSet, XeroTenantConnection } from './types';

/** Holds the one Xero connection. `save` replaces the whole record atomically. */
export interface ConnectionStore {
  load(): Promise<StoredConnection | null>;
  save(record: StoredConnection): Promise<void>;
  clear(): Promise<void>;
}

/** Consents waiting for a tenant choice. `take` returns the entry once and removes it. */
export interface PendingConsentStore {
  put(pending: PendingConsent): Promise<void>;
  take(id: string): Promise<PendingConsent | null>;
}

/**
 * Xero's identity server and /connections. Implementations throw ReconnectRequiredError for invalid_grant,
 * TransientError for timeouts/5xx, and never put secrets or tokens in messages.
 */
export interface IdentityClient {
  /** `codeVerifier`: the PKCE verifier (RFC 7636 §4.5) of the consent that produced `code`. */
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  clientCredentials(scopes: readonly string[]): Promise<TokenSet>;
  revoke(refreshToken: string): Promise<void>;
  /** `authEventId` limits the list to the organisations connected in that consent (GET /connections?authEventId=). */
  listConnections(accessToken: string, authEventId?: string): Promise<XeroTenantConnection[]>;
  /** Disconnects one organisation from the app (DELETE /connections/{id}) without touching the user's others. */
  deleteConnection?(accessToken: string, connectionId: string): Promise<void>;
}

/** Remembers used nonces until they expire, so a signed token works once. */
export interface UsedNonceStore {
  /** True the first time a nonce is seen; false on reuse. */
  consume(nonce: string, expiresAt: Date): Promise<boolean>;
}

/** How workers ask the token service for access (AWS: invoke the token Lambda; locally: in process). */
export interface TokenServiceClient {
  /** `tenantId`: one of the chosen organisations; default the default organisation. */
  getAccess(tenantId?: string): Promise<AccessGrant>;
  /**
   * Report that Xero refused the token for good (401/403): the service decides what to do. With `tenantId`, only
   * that organisation was refused.
   */
  reportRejected?(reason: string, tenantId?: string): Promise<void>;
}
