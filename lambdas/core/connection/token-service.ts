/**
 * The token service: the ONLY code that refreshes Xero tokens. Everything that writes the connection goes through
 * one in-process mutex (on AWS the token Lambda also runs with reserved concurrency 1), and concurrent callers
 * share one in-flight refresh, so Xero sees exactly one refresh per rotation.
 *
 * Rotation safety: a new token set is saved before anyone uses it; a timeout or lost response is retried with the
 * OLD refresh token (still stored, valid for Xero's 30-minute grace); only invalid_grant (a ReconnectRequiredError
 * from the IdentityClient) moves the connection to reconnect_required, after which Xero is not called again until
 * a new consent is adopted.
 *
 * Several organisations: one token set serves every organisation chosen in the consent. invalid_grant pauses them
 * all; an organisation removed from Xero's /connections pauses only itself (getAccess(tenantId) throws a
 * ReconnectRequiredError carrying that tenantId) until a consent that includes it is adopted.
 */
import { ConnectorError, RateLimitedError, ReconnectRequiredError, TransientError, ValidationError } from '../errors';
import type { Clock, Logger } from '../ports';
import type { XeroAuthMode } from './config';
import { usableTenantIds, type UsableOrganisations } from './organisations';
import type { ConnectionStore, IdentityClient, TokenServiceClient } from './ports';
import {
  chosenTenants,
  withChosenTenants,
  type AccessGrant,
  type ChosenTenant,
  type ConnectionStatus,
  type StoredConnection,
  type TokenSet,
} from './types';

export interface TokenServiceOptions {
  readonly store: ConnectionStore;
  readonly identity: IdentityClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly authMode?: XeroAuthMode;
  /** Scopes for client_credentials (custom-connection mode). */
  readonly scopes?: readonly string[];
  /** getAccess refreshes when the access token expires within this many seconds. Keep ≥ the workers' margin. */
  readonly refreshMarginSeconds?: number;
  /** refreshIfDue refreshes when the access token expires within this many seconds (well inside 30 minutes). */
  readonly proactiveMarginSeconds?: number;
  /** Attempts per refresh for transient failures, all with the same (old) refresh token. */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where an operator starts a new consent; shown as the next step. */
  readonly connectUrl?: string;
  /** The Xero app's client id, handed to the consent routes for the authorize URL (not a secret). */
  readonly clientId?: string;
}

export type RefreshIfDueResult = 'refreshed' | 'not_due' | 'reconnect_required' | 'not_connected';

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function reconnectNextStep(connectUrl: string): string {
  return `An operator must reconnect Xero: open ${connectUrl} with the admin token, or run "connector connect-link".`;
}

export class TokenService implements TokenServiceClient {
  private readonly o: Required<Omit<TokenServiceOptions, 'scopes' | 'clientId'>> & {
    scopes: readonly string[];
    clientId?: string;
  };
  private lock: Promise<unknown> = Promise.resolve();
  private inflight: Promise<StoredConnection> | null = null;
  /** The last record handed out; its access token serves every chosen organisation. */
  private cached: StoredConnection | null = null;
  /** Custom-connection mode only: why Xero refused the app before any token was stored (cleared by disconnect). */
  private blocked: string | null = null;

  constructor(options: TokenServiceOptions) {
    this.o = {
      authMode: 'oauth',
      scopes: [],
      refreshMarginSeconds: 300,
      proactiveMarginSeconds: 900,
      maxAttempts: 3,
      sleep: defaultSleep,
      connectUrl: '/oauth/xero/connect',
      // An option passed as undefined (e.g. an unset environment variable) keeps its default.
      ...(Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined)
      ) as TokenServiceOptions),
    };
  }

  /**
   * A valid access token for `tenantId` (default: the default organisation); refreshes (single-flight) when near
   * expiry. Throws ReconnectRequiredError with `tenantId` set when only that organisation is not usable.
   */
  async getAccess(tenantId?: string): Promise<AccessGrant> {
    return this.grantFor(await this.current(), tenantId);
  }

  private current(): Promise<StoredConnection> {
    if (this.cached && this.secondsLeft(this.cached.tokens.expiresAt) > this.o.refreshMarginSeconds) {
      return Promise.resolve(this.cached);
    }
    if (!this.inflight) {
      this.inflight = this.exclusive(() => this.ensureFresh(this.o.refreshMarginSeconds)).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private grantFor(record: StoredConnection, tenantId: string | undefined): AccessGrant {
    const { connection, tokens } = record;
    const chosen = chosenTenants(connection);
    const wanted = tenantId ?? connection.tenantId;
    const tenant = chosen.find((t) => t.tenantId === wanted);
    // A custom connection whose organisation could not be looked up still serves its one (unnamed) organisation.
    if (!tenant && !(tenantId === undefined && chosen.length === 0)) {
      throw this.reconnectError('tenant_not_chosen', wanted);
    }
    if (tenant?.state === 'reconnect_required')
      throw this.reconnectError(tenant.reason ?? 'reconnect_required', wanted);
    return { accessToken: tokens.accessToken, tenantId: wanted, expiresAt: tokens.expiresAt };
  }

  /**
   * Exchange a consent's authorization code. On AWS the consent function has no client secret: it asks the token
   * function, the only holder of the Xero app credentials, to make this call.
   */
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenSet> {
    return this.o.identity.exchangeCode(code, redirectUri, codeVerifier);
  }

  /** What the consent routes need from the app registration to start a consent. */
  consentConfig(): { clientId: string } {
    if (!this.o.clientId) throw new ValidationError('XERO_CLIENT_ID is not set', ['XERO_CLIENT_ID']);
    return { clientId: this.o.clientId };
  }

  /** For a scheduler (EventBridge on AWS, a timer locally): refresh ahead of expiry to keep the token alive. */
  refreshIfDue(now: Date = this.o.clock.now()): Promise<RefreshIfDueResult> {
    return this.exclusive(async () => {
      const record = await this.load();
      if (!record && this.o.authMode === 'oauth') return 'not_connected';
      if (record?.connection.state === 'reconnect_required') return 'reconnect_required';
      if (record && this.secondsLeft(record.tokens.expiresAt, now) > this.o.proactiveMarginSeconds) return 'not_due';
      try {
        await this.renew(record);
      } catch (error) {
        // Already persisted (or remembered) as reconnect_required; the scheduler just reports it.
        if (error instanceof ReconnectRequiredError) return 'reconnect_required';
        throw error;
      }
      return 'refreshed';
    });
  }

  /**
   * Xero refused the connection for good (invalid_grant, revoked app, removed tenant): pause until reconsent. With
   * `tenantId`, only that organisation pauses.
   */
  markReconnect(reason: string, tenantId?: string): Promise<void> {
    return this.exclusive(async () => {
      const record = await this.load();
      if (!record) return;
      if (tenantId === undefined) return this.saveReconnect(record, reason);
      const tenants = chosenTenants(record.connection).map((t) =>
        t.tenantId === tenantId ? pausedTenant(t, reason) : t
      );
      await this.saveTenants(record, tenants);
    });
  }

  async reportRejected(reason: string, tenantId?: string): Promise<void> {
    await this.markReconnect(reason, tenantId);
  }

  /**
   * Store a connection from a completed consent; this clears any reconnect_required state. When it replaces a
   * different organisation, the replaced grant is revoked so the connector keeps no way into that organisation.
   */
  adopt(adopted: StoredConnection): Promise<void> {
    return this.exclusive(async () => {
      const record = withChosenTenants(adopted);
      const previous = await this.load();
      await this.o.store.save(record);
      this.cached = null;
      this.blocked = null;
      const kept = new Set(chosenTenants(record.connection).map((t) => t.tenantId));
      this.o.logger.info('xero connection adopted', { tenantId: record.connection.tenantId, tenants: kept.size });
      const dropped = previous ? chosenTenants(previous.connection).filter((t) => !kept.has(t.tenantId)) : [];
      if (previous && dropped.length > 0) await this.revokeReplaced(previous, dropped, kept);
    });
  }

  /** Revoke the refresh token at Xero, then forget the connection. A transient revocation failure keeps it. */
  disconnect(): Promise<{ revoked: boolean }> {
    return this.exclusive(async () => {
      const record = await this.o.store.load();
      let revoked = false;
      if (record?.tokens.refreshToken) {
        try {
          await this.o.identity.revoke(record.tokens.refreshToken);
          revoked = true;
        } catch (error) {
          if (!(error instanceof ReconnectRequiredError)) throw error;
          // The token is already dead at Xero: nothing left to revoke.
        }
      }
      await this.o.store.clear();
      this.cached = null;
      this.blocked = null;
      this.o.logger.info('xero connection removed', { tenantId: record?.connection.tenantId, revoked });
      return { revoked };
    });
  }

  /**
   * Xero's revocation endpoint removes ALL of the user's connections to the app
   * (https://developer.xero.com/documentation/guides/oauth2/auth-flow, "Revoking tokens"). When the same Xero user
   * holds the new organisation too, revoking would cut the new connection as well, so then only the replaced
   * organisation's connection is deleted (DELETE /connections/{id}). Best effort: the new connection stays either way.
   */
  private async revokeReplaced(
    previous: StoredConnection,
    dropped: readonly ChosenTenant[],
    kept: ReadonlySet<string>
  ): Promise<void> {
    const stored = previous.tokens.refreshToken;
    if (!stored) return;
    const tenantId = dropped.map((t) => t.tenantId).join(',');
    try {
      let access = previous.tokens.accessToken;
      let oldRefreshToken = stored;
      if (this.secondsLeft(previous.tokens.expiresAt) <= 60) {
        const renewed = await this.o.identity.refresh(oldRefreshToken);
        access = renewed.accessToken;
        oldRefreshToken = renewed.refreshToken ?? oldRefreshToken;
      }
      const connections = await this.o.identity.listConnections(access);
      if (connections.some((c) => kept.has(c.tenantId)) && this.o.identity.deleteConnection) {
        for (const replaced of connections.filter((c) => dropped.some((t) => t.tenantId === c.tenantId))) {
          await this.o.identity.deleteConnection(access, replaced.id);
        }
        this.o.logger.warn('replaced xero organisation disconnected', { tenantId, revoked: 'connection' });
        return;
      }
      await this.o.identity.revoke(oldRefreshToken);
      this.o.logger.warn('replaced xero grant revoked', { tenantId, revoked: 'grant' });
    } catch (error) {
      if (error instanceof ReconnectRequiredError) return; // the old grant is already dead at Xero
      this.o.logger.error('replaced xero grant could not be revoked; remove the app in that organisation', {
        tenantId,
        error: safeCode(error),
      });
    }
  }

  /** For workers that run per organisation (the invoice poll): which ones may work now, the default first. */
  async organisations(): Promise<UsableOrganisations> {
    const status = await this.status();
    return {
      ...(status.tenantId ? { defaultTenantId: status.tenantId } : {}),
      tenantIds: usableTenantIds(status),
      ...(status.organisations ? { chosen: status.organisations } : {}),
    };
  }

  async status(now: Date = this.o.clock.now()): Promise<ConnectionStatus> {
    const record = await this.load();
    if (!record) return { state: 'not_connected', nextStep: reconnectNextStep(this.o.connectUrl) };
    const { connection, tokens } = record;
    const revoked = connection.state === 'reconnect_required';
    return {
      state: connection.state,
      tenantId: connection.tenantId,
      tenantName: connection.tenantName,
      // A dead token set pauses every organisation, whatever each one's own state says.
      organisations: chosenTenants(connection).map((t) =>
        revoked && t.state === 'connected' ? pausedTenant(t, connection.reason ?? 'reconnect_required') : t
      ),
      refreshedAt: connection.refreshedAt,
      ...(connection.reason ? { reason: connection.reason } : {}),
      ...(connection.state === 'reconnect_required' ? { nextStep: reconnectNextStep(this.o.connectUrl) } : {}),
      accessTokenExpiresInSeconds: Math.round(this.secondsLeft(tokens.expiresAt, now)),
      ...(tokens.refreshToken ? { refreshTokenAgeSeconds: refreshTokenAgeSeconds(connection, now) } : {}),
    };
  }

  private async ensureFresh(marginSeconds: number): Promise<StoredConnection> {
    const record = await this.load();
    if (record?.connection.state === 'reconnect_required') {
      this.cached = null;
      throw this.reconnectError(record.connection.reason ?? 'reconnect_required');
    }
    if (!record && this.o.authMode === 'oauth') throw this.reconnectError('not_connected');
    if (record && this.secondsLeft(record.tokens.expiresAt) > marginSeconds) return this.remember(record);
    return this.remember(await this.renew(record));
  }

  /** Refresh (oauth) or fetch a new client_credentials token; always persists before returning. */
  private async renew(record: StoredConnection | null): Promise<StoredConnection> {
    if (this.o.authMode === 'custom-connection') return this.renewClientCredentials(record);
    if (!record) throw this.reconnectError('not_connected');
    const oldRefreshToken = record.tokens.refreshToken;
    if (!oldRefreshToken) {
      await this.saveReconnect(record, 'no_refresh_token');
      throw this.reconnectError('no_refresh_token');
    }

    let tokens: TokenSet;
    try {
      tokens = await this.withRetries('refresh', () => this.o.identity.refresh(oldRefreshToken));
    } catch (error) {
      if (!(error instanceof ReconnectRequiredError)) throw error;
      await this.saveReconnect(record, error.reason);
      throw this.reconnectError(error.reason);
    }
    const now = this.o.clock.now().toISOString();
    const next: StoredConnection = {
      connection: {
        ...record.connection,
        refreshedAt: now,
        refreshTokenIssuedAt: tokens.refreshToken ? now : record.connection.refreshTokenIssuedAt,
      },
      // Xero always rotates; keep the old one only if a server ever omits it.
      tokens: tokens.refreshToken ? tokens : { ...tokens, refreshToken: oldRefreshToken },
    };
    await this.persist(next);
    this.o.logger.info('xero token refreshed', { tenantId: next.connection.tenantId, expiresAt: tokens.expiresAt });
    return this.verifyTenant(next);
  }

  private async renewClientCredentials(record: StoredConnection | null): Promise<StoredConnection> {
    if (record?.connection.state === 'reconnect_required') throw this.reconnectError(record.connection.reason ?? '');
    if (this.blocked) throw this.reconnectError(this.blocked);
    let tokens: TokenSet;
    try {
      tokens = await this.withRetries('client_credentials', () => this.o.identity.clientCredentials(this.o.scopes));
    } catch (error) {
      if (!(error instanceof ReconnectRequiredError)) throw error;
      // Wrong or revoked app credentials: stop asking Xero until an operator intervenes.
      if (record) await this.saveReconnect(record, error.reason);
      else this.blocked = error.reason;
      this.o.logger.warn('xero custom connection refused', { reason: error.reason });
      throw this.reconnectError(error.reason);
    }
    const now = this.o.clock.now().toISOString();
    let tenantId = record?.connection.tenantId ?? '';
    let tenantName = record?.connection.tenantName ?? '';
    if (!record) {
      // A custom connection covers exactly one organisation; learn it once for logs and the status page.
      try {
        const first = (await this.o.identity.listConnections(tokens.accessToken))[0];
        tenantId = first?.tenantId ?? '';
        tenantName = first?.tenantName ?? '';
      } catch (error) {
        this.o.logger.warn('xero connections lookup failed', { error: safeCode(error) });
      }
    }
    const next: StoredConnection = {
      connection: {
        tenantId,
        tenantName,
        ...(tenantId ? { tenants: [{ tenantId, tenantName, state: 'connected' as const }] } : {}),
        connectedAt: record?.connection.connectedAt ?? now,
        refreshedAt: now,
        refreshTokenIssuedAt: now,
        state: 'connected',
      },
      tokens,
    };
    await this.persist(next);
    this.o.logger.info('xero client credentials token issued', { tenantId, expiresAt: tokens.expiresAt });
    return next;
  }

  /**
   * After a refresh, confirm each chosen organisation is still connected. A removed one pauses on its own (and comes
   * back if Xero lists it again); when none is left the whole connection needs a new consent.
   */
  private async verifyTenant(record: StoredConnection): Promise<StoredConnection> {
    let listed: Set<string>;
    try {
      listed = new Set((await this.o.identity.listConnections(record.tokens.accessToken)).map((t) => t.tenantId));
    } catch (error) {
      this.o.logger.warn('xero connections check skipped', { error: safeCode(error) });
      return record;
    }
    const chosen = chosenTenants(record.connection);
    const next = chosen.map((t): ChosenTenant => {
      if (!listed.has(t.tenantId)) return pausedTenant(t, 'tenant_removed');
      if (t.reason !== 'tenant_removed') return t;
      return { tenantId: t.tenantId, tenantName: t.tenantName, state: 'connected' };
    });
    if (next.every((t) => t.state === 'reconnect_required')) {
      await this.saveReconnect({ ...record, connection: { ...record.connection, tenants: next } }, 'tenant_removed');
      throw this.reconnectError('tenant_removed');
    }
    return this.saveTenants(record, next);
  }

  /** Store new per-organisation states (only when one changed) and log each organisation that paused. */
  private async saveTenants(record: StoredConnection, tenants: readonly ChosenTenant[]): Promise<StoredConnection> {
    const before = chosenTenants(record.connection);
    const changed = tenants.filter((t, i) => t.state !== before[i]?.state || t.reason !== before[i]?.reason);
    if (changed.length === 0) return record;
    const next = { ...record, connection: { ...record.connection, tenants } };
    await this.persist(next);
    this.cached = null;
    for (const t of changed) {
      this.o.logger.warn(t.state === 'connected' ? 'xero organisation usable again' : 'xero organisation paused', {
        tenantId: t.tenantId,
        ...(t.reason ? { reason: t.reason } : {}),
      });
    }
    return next;
  }

  private async load(): Promise<StoredConnection | null> {
    const record = await this.o.store.load();
    return record ? withChosenTenants(record) : null;
  }

  /** Save with a couple of retries: losing a rotated token is worse than a short delay. */
  private async persist(record: StoredConnection): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.o.store.save(record);
        return;
      } catch (error) {
        if (attempt >= 3) {
          // The old refresh token is still stored and stays usable inside Xero's grace period.
          throw new TransientError('could not store the refreshed Xero tokens', 'TOKEN_STORE', { cause: error });
        }
        await this.o.sleep(200 * attempt);
      }
    }
  }

  private async withRetries(what: string, call: () => Promise<TokenSet>): Promise<TokenSet> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const retryable = !(error instanceof ConnectorError) || error.retryable;
        this.o.logger.warn(`xero ${what} failed`, { attempt, error: safeCode(error), willRetry: retryable });
        if (!retryable || attempt >= this.o.maxAttempts) throw error;
        const wait = error instanceof RateLimitedError ? error.retryAfterMs : 250 * 2 ** (attempt - 1);
        await this.o.sleep(Math.min(wait, 30_000));
      }
    }
  }

  private async saveReconnect(record: StoredConnection, reason: string): Promise<void> {
    this.cached = null;
    if (record.connection.state !== 'reconnect_required' || record.connection.reason !== reason) {
      await this.o.store.save({ ...record, connection: { ...record.connection, state: 'reconnect_required', reason } });
      this.o.logger.warn('xero connection needs reconnecting', { tenantId: record.connection.tenantId, reason });
    }
  }

  private reconnectError(reason: string, tenantId?: string): ReconnectRequiredError {
    const what = tenantId === undefined ? 'Xero connection' : `Xero organisation ${tenantId}`;
    return new ReconnectRequiredError(
      `${what} is not usable (${reason}). ${reconnectNextStep(this.o.connectUrl)}`,
      reason,
      tenantId
    );
  }

  private remember(record: StoredConnection): StoredConnection {
    this.cached = record;
    return record;
  }

  private secondsLeft(expiresAt: string, now: Date = this.o.clock.now()): number {
    return (Date.parse(expiresAt) - now.getTime()) / 1000;
  }

  /** Serialises every write of the connection in this process. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

function pausedTenant(tenant: ChosenTenant, reason: string): ChosenTenant {
  return { tenantId: tenant.tenantId, tenantName: tenant.tenantName, state: 'reconnect_required', reason };
}

export function refreshTokenAgeSeconds(connection: { refreshTokenIssuedAt: string }, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(connection.refreshTokenIssuedAt)) / 1000));
}

/** Error code only: messages from outside could, in theory, carry something we must not log. */
function safeCode(error: unknown): string {
  if (error instanceof ConnectorError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
