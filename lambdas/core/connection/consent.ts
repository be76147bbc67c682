/**
 * The consent use cases: start (redirect to Xero with a signed single-use state), complete (exchange the code,
 * read /connections, pick the tenant), and choose (when several tenants came back). Nothing is stored unless the
 * state is valid and a tenant is settled.
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError, ReconnectRequiredError } from '../errors';
import type { Clock, Logger } from '../ports';
import type { XeroConnectionConfig } from './config';
import type { IdentityClient, PendingConsentStore } from './ports';
import type { TokenSigner } from './signed-token';
import type { StoredConnection, TokenSet, XeroTenantConnection } from './types';

export interface ConsentDeps {
  readonly config: XeroConnectionConfig;
  readonly signer: TokenSigner;
  readonly identity: IdentityClient;
  readonly pending: PendingConsentStore;
  /** Where a settled connection goes: the token service, the only writer of the connection. */
  readonly connections: { adopt(record: StoredConnection): Promise<void> };
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long the consent state and a tenant choice stay valid. */
  readonly stateTtlSeconds?: number;
}

export type ConsentOutcome =
  | { readonly kind: 'connected'; readonly tenantId: string; readonly tenantName: string }
  | { readonly kind: 'choose'; readonly tenants: readonly XeroTenantConnection[]; readonly choiceToken: string }
  | {
      readonly kind: 'failed';
      /** Suggested HTTP status: 400 for caller mistakes, 502 when Xero did not answer. */
      readonly status: number;
      readonly reason: string;
      readonly title: string;
      readonly message: string;
      readonly nextStep: string;
    };

const DEFAULT_TTL_SECONDS = 600;

export function startConsent(deps: Pick<ConsentDeps, 'config' | 'signer' | 'clock' | 'stateTtlSeconds'>): {
  location: string;
} {
  const { config } = deps;
  const state = deps.signer.sign('consent-state', deps.clock.now(), deps.stateTtlSeconds ?? DEFAULT_TTL_SECONDS);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    state,
  });
  return { location: `${config.loginUrl}/identity/connect/authorize?${query.toString()}` };
}

export async function completeConsent(
  deps: ConsentDeps,
  params: { code?: string; state?: string; error?: string }
): Promise<ConsentOutcome> {
  const verified = await deps.signer.verify(params.state, 'consent-state', deps.clock.now());
  if (!verified.ok) {
    deps.logger.warn('xero consent callback rejected', { reason: `state_${verified.failure}` });
    return failed(400, `state_${verified.failure}`, 'Consent link not valid', stateMessage(verified.failure));
  }
  if (params.error) {
    const denied = params.error === 'access_denied';
    deps.logger.info('xero consent not granted', { reason: denied ? 'access_denied' : 'xero_error' });
    return failed(
      400,
      denied ? 'access_denied' : 'xero_error',
      denied ? 'Xero access was not granted' : 'Xero reported an error',
      denied
        ? 'The connection was cancelled in Xero, so nothing was stored.'
        : `Xero answered "${params.error.slice(0, 100)}". Nothing was stored.`
    );
  }
  if (!params.code) return failed(400, 'missing_code', 'No authorisation code', 'Xero sent no authorisation code.');

  let tokens: TokenSet;
  let tenants: XeroTenantConnection[];
  try {
    tokens = await deps.identity.exchangeCode(params.code, deps.config.redirectUri);
    tenants = await deps.identity.listConnections(tokens.accessToken);
  } catch (error) {
    return xeroFailure(deps, error);
  }

  const pinned = deps.config.pinnedTenantId;
  if (pinned) {
    const match = tenants.find((t) => t.tenantId === pinned);
    if (!match) {
      deps.logger.warn('xero consent refused: pinned tenant not connected', { pinnedTenantId: pinned });
      return failed(
        400,
        'pinned_tenant_missing',
        'Wrong Xero organisation',
        `This connector is pinned to the organisation ${pinned} (XERO_TENANT_ID), which was not among the ` +
          'organisations you connected. Nothing was stored.',
        'Start again and select that organisation in Xero, or change XERO_TENANT_ID.'
      );
    }
    return settle(deps, tokens, match);
  }
  const [only, ...others] = tenants;
  if (!only) {
    return failed(
      400,
      'no_tenant',
      'No Xero organisation connected',
      'Xero returned no organisation for this consent.',
      'Start again and select an organisation in Xero.'
    );
  }
  if (others.length === 0) return settle(deps, tokens, only);

  const now = deps.clock.now();
  const ttl = deps.stateTtlSeconds ?? DEFAULT_TTL_SECONDS;
  const id = randomBytes(16).toString('base64url');
  await deps.pending.put({ id, tokens, tenants, expiresAt: new Date(now.getTime() + ttl * 1000).toISOString() });
  deps.logger.info('xero consent waits for a tenant choice', { tenants: tenants.length });
  return { kind: 'choose', tenants, choiceToken: deps.signer.sign('choose-tenant', now, ttl, id) };
}

export async function chooseTenant(
  deps: ConsentDeps,
  params: { token?: string; tenantId?: string }
): Promise<ConsentOutcome> {
  const now = deps.clock.now();
  const verified = await deps.signer.verify(params.token, 'choose-tenant', now);
  if (!verified.ok || !verified.data) {
    return failed(
      400,
      `choice_${verified.ok ? 'malformed' : verified.failure}`,
      'Choice not valid',
      'This choice link is invalid, expired or already used.'
    );
  }
  const pending = await deps.pending.take(verified.data);
  if (!pending || Date.parse(pending.expiresAt) <= now.getTime()) {
    return failed(400, 'choice_expired', 'Choice expired', 'The organisation choice expired.');
  }
  const tenant = pending.tenants.find((t) => t.tenantId === params.tenantId);
  if (!tenant) {
    return failed(400, 'unknown_tenant', 'Unknown organisation', 'That organisation was not part of this consent.');
  }
  return settle(deps, pending.tokens, tenant);
}

async function settle(deps: ConsentDeps, tokens: TokenSet, tenant: XeroTenantConnection): Promise<ConsentOutcome> {
  const now = deps.clock.now().toISOString();
  await deps.connections.adopt({
    connection: {
      tenantId: tenant.tenantId,
      tenantName: tenant.tenantName,
      ...(tenant.authEventId ? { authEventId: tenant.authEventId } : {}),
      connectedAt: now,
      refreshedAt: now,
      refreshTokenIssuedAt: now,
      state: 'connected',
    },
    tokens,
  });
  deps.logger.info('xero consent completed', { tenantId: tenant.tenantId });
  return { kind: 'connected', tenantId: tenant.tenantId, tenantName: tenant.tenantName };
}

function xeroFailure(deps: ConsentDeps, error: unknown): ConsentOutcome {
  const code = error instanceof ConnectorError ? error.code : 'UNKNOWN';
  deps.logger.warn('xero consent exchange failed', { error: code });
  if (error instanceof ReconnectRequiredError) {
    return failed(
      400,
      error.reason,
      'Xero refused the consent',
      'The authorisation code was rejected (expired or already used). Nothing was stored.'
    );
  }
  return failed(
    502,
    'xero_unavailable',
    'Xero did not answer',
    'Xero could not be reached or answered with an error. Nothing was stored.',
    'Try again in a few minutes from the connect link.'
  );
}

function stateMessage(failure: string): string {
  const why =
    failure === 'expired' ? 'expired' : failure === 'reused' ? 'already used' : 'not issued by this connector';
  return `The consent state is ${why}, so nothing was stored.`;
}

const START_AGAIN = 'Start again from the connect link (or run "connector connect-link" for a fresh one).';

function failed(
  status: number,
  reason: string,
  title: string,
  message: string,
  nextStep = START_AGAIN
): ConsentOutcome {
  return { kind: 'failed', status, reason, title, message, nextStep };
}
