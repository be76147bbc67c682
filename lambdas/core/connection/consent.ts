/**
 * The consent use cases. Start: a fresh browser binding (cookie value), a PKCE S256 challenge derived from it, and a
 * signed single-use `state` that carries only the binding's hash. Complete:
 *   1. verify the state AND that this browser holds its binding (checked before the state is burnt);
 *   2. exchange the code with the PKCE verifier (only the starting browser's cookie can produce it);
 *   3. read /connections for this consent's authentication event only (Xero's authEventId), never older grants;
 *   4. settle the organisations: the pins, the only one, or the operator's choice of one or several (again bound to
 *      the browser);
 *   5. an organisation that is not connected yet joins (or replaces) the connected ones only after an admin confirms;
 *      a consent for organisations already connected keeps the other connected ones that the new token still reaches.
 * Nothing is stored unless every step passed.
 */
import { ConnectorError, ReconnectRequiredError } from '../errors';
import type { Clock, Logger } from '../ports';
import type { XeroConnectionConfig } from './config';
import { authEventIdOf, bindingHash, newBrowserBinding, pkceChallenge, pkceVerifier } from './consent-binding';
import { parkConsent, takeParkedConsent, type ParkPurpose } from './consent-parking';
import type { IdentityClient, PendingConsentStore } from './ports';
import type { TokenSigner, VerifyFailure } from './signed-token';
import type {
  ChosenTenant,
  ConnectionStatus,
  PendingConsent,
  StoredConnection,
  TokenSet,
  XeroTenantConnection,
} from './types';

export interface ConsentDeps {
  readonly config: XeroConnectionConfig;
  readonly signer: TokenSigner;
  readonly identity: IdentityClient;
  readonly pending: PendingConsentStore;
  /** Where a settled connection goes: the token service, the only writer of the connection. */
  readonly connections: {
    adopt(record: StoredConnection): Promise<void>;
    /** The current connection, so a different organisation is never swapped in silently. */
    status(): Promise<ConnectionStatus>;
  };
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long the consent state and a tenant choice stay valid. */
  readonly stateTtlSeconds?: number;
}

export type ConsentOutcome =
  | {
      readonly kind: 'connected';
      /** The default organisation. */
      readonly tenantId: string;
      readonly tenantName: string;
      /** Every organisation the connector may now use. */
      readonly tenants: readonly ChosenTenant[];
    }
  | { readonly kind: 'choose'; readonly tenants: readonly XeroTenantConnection[]; readonly choiceToken: string }
  | {
      readonly kind: 'confirm-replace';
      readonly current: readonly { readonly tenantId: string; readonly tenantName: string }[];
      readonly tenants: readonly XeroTenantConnection[];
      readonly confirmToken: string;
    }
  | {
      readonly kind: 'failed';
      /** Suggested HTTP status: 400 for caller mistakes, 401 without admin rights, 502 when Xero did not answer. */
      readonly status: number;
      readonly reason: string;
      readonly title: string;
      readonly message: string;
      readonly nextStep: string;
    };

export const DEFAULT_CONSENT_TTL_SECONDS = 600;
const DEFAULT_TTL_SECONDS = DEFAULT_CONSENT_TTL_SECONDS;

export function startConsent(deps: Pick<ConsentDeps, 'config' | 'signer' | 'clock' | 'stateTtlSeconds'>): {
  location: string;
  /** The value for the browser's consent cookie; it must come back at the callback. */
  binding: string;
} {
  const { config } = deps;
  const binding = newBrowserBinding();
  const ttl = deps.stateTtlSeconds ?? DEFAULT_TTL_SECONDS;
  const state = deps.signer.sign('consent-state', deps.clock.now(), ttl, bindingHash(binding));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    state,
    // RFC 7636 §4.3; Xero documents S256 in https://developer.xero.com/documentation/guides/oauth2/pkce-flow
    code_challenge: pkceChallenge(pkceVerifier(deps.signer, binding)),
    code_challenge_method: 'S256',
  });
  return { location: `${config.loginUrl}/identity/connect/authorize?${query.toString()}`, binding };
}

export async function completeConsent(
  deps: ConsentDeps,
  params: { code?: string; state?: string; error?: string; binding?: string }
): Promise<ConsentOutcome> {
  const hash = params.binding ? bindingHash(params.binding) : undefined;
  const verified = await deps.signer.verify(
    params.state,
    'consent-state',
    deps.clock.now(),
    (d) => hash !== undefined && d === hash
  );
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
    const verifier = pkceVerifier(deps.signer, params.binding ?? '');
    tokens = await deps.identity.exchangeCode(params.code, deps.config.redirectUri, verifier);
    tenants = await consentTenants(deps, tokens.accessToken);
  } catch (error) {
    return xeroFailure(deps, error);
  }
  return pickTenant(deps, tokens, tenants, hash ?? '');
}

/**
 * Only the organisations of THIS consent: /connections lists every organisation the Xero user ever connected to the
 * app, so an older grant must not be picked up. Xero puts the event id in the access token's
 * `authentication_event_id` claim and accepts it as `?authEventId=` on /connections
 * (https://developer.xero.com/documentation/guides/oauth2/auth-flow, "Check the tenants you're authorized to access").
 */
async function consentTenants(deps: ConsentDeps, accessToken: string): Promise<XeroTenantConnection[]> {
  const authEventId = authEventIdOf(accessToken);
  if (!authEventId) {
    deps.logger.warn('xero access token names no authentication event; using every connection');
    return deps.identity.listConnections(accessToken);
  }
  const tenants = await deps.identity.listConnections(accessToken, authEventId);
  // Filtered again here: the query filter is Xero's, this check is ours.
  return tenants.filter((t) => t.authEventId === authEventId);
}

async function pickTenant(
  deps: ConsentDeps,
  tokens: TokenSet,
  tenants: readonly XeroTenantConnection[],
  hash: string
): Promise<ConsentOutcome> {
  const pins = deps.config.pinnedTenantIds ?? (deps.config.pinnedTenantId ? [deps.config.pinnedTenantId] : []);
  if (pins.length > 0) {
    const matches = pins.flatMap((pin) => tenants.filter((t) => t.tenantId === pin));
    if (matches.length === 0) {
      deps.logger.warn('xero consent refused: pinned tenant not connected', { pinnedTenantId: pins.join(',') });
      return failed(
        400,
        'pinned_tenant_missing',
        'Wrong Xero organisation',
        `This connector is pinned to the organisation ${pins.join(', ')} (XERO_TENANT_ID), which was not among the ` +
          'organisations you connected. Nothing was stored.',
        'Start again and select that organisation in Xero, or change XERO_TENANT_ID.'
      );
    }
    // Pinned organisations were chosen by the operator's configuration: no second confirmation needed.
    return adopt(deps, tokens, matches, 'merge');
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
  if (others.length === 0) return settle(deps, tokens, [only], hash);

  const { id, token } = await parkConsent(deps, 'choose-tenant', tokens, tenants, hash);
  deps.logger.info('xero consent waits for a tenant choice', { tenants: tenants.length, pending: id });
  return { kind: 'choose', tenants, choiceToken: token };
}

/** The operator ticked one or several organisations of a parked consent. */
export async function chooseTenant(
  deps: ConsentDeps,
  params: { token?: string; tenantIds?: readonly string[]; binding?: string }
): Promise<ConsentOutcome> {
  const wanted = new Set(params.tenantIds ?? []);
  // Checked before the choice is used up, so the operator can go back and tick one.
  if (wanted.size === 0) {
    return failed(
      400,
      'no_tenant_chosen',
      'No organisation ticked',
      'Tick at least one organisation.',
      'Go back, tick an organisation and submit again.'
    );
  }
  const taken = await takeBound(deps, 'choose-tenant', params.token, params.binding);
  if ('kind' in taken) return taken;
  const chosen = taken.pending.tenants.filter((t) => wanted.has(t.tenantId));
  if (chosen.length !== wanted.size) {
    return failed(400, 'unknown_tenant', 'Unknown organisation', 'That organisation was not part of this consent.');
  }
  return settle(deps, taken.pending.tokens, chosen, taken.hash);
}

/**
 * The admin confirms that organisations not connected yet become the connector's organisations (replacing the
 * connected ones not among them). `admin` is decided by the caller (the admin token in the form or a bearer) BEFORE
 * the single-use token is looked at, so a browser holding only a leaked connect link cannot even use the token up.
 */
export async function confirmReplace(
  deps: ConsentDeps,
  params: { token?: string; binding?: string; admin: boolean }
): Promise<ConsentOutcome> {
  if (!params.admin) {
    deps.logger.warn('xero organisation replacement refused', { reason: 'admin_required' });
    return failed(
      401,
      'admin_required',
      'Admin confirmation needed',
      'Replacing the connected Xero organisation needs the admin token. Nothing was changed.',
      'Enter the admin token (CONNECTOR_ADMIN_TOKEN) on the confirmation page.'
    );
  }
  const taken = await takeBound(deps, 'replace-tenant', params.token, params.binding);
  if ('kind' in taken) return taken;
  deps.logger.warn('xero organisations replaced by an admin', {
    tenantId: taken.pending.tenants.map((t) => t.tenantId).join(','),
  });
  return adopt(deps, taken.pending.tokens, taken.pending.tenants, 'replace');
}

async function settle(
  deps: ConsentDeps,
  tokens: TokenSet,
  chosen: readonly XeroTenantConnection[],
  hash: string
): Promise<ConsentOutcome> {
  const current = connectedOrganisations(await deps.connections.status());
  const added = chosen.filter((t) => !current.some((c) => c.tenantId === t.tenantId));
  if (current.length > 0 && added.length > 0) {
    const { token } = await parkConsent(deps, 'replace-tenant', tokens, chosen, hash);
    deps.logger.warn('xero consent names another organisation; waiting for admin confirmation', {
      tenantId: added.map((t) => t.tenantId).join(','),
      connectedTenantId: current.map((t) => t.tenantId).join(','),
    });
    return { kind: 'confirm-replace', current, tenants: chosen, confirmToken: token };
  }
  return adopt(deps, tokens, chosen, 'merge');
}

function connectedOrganisations(status: ConnectionStatus): { tenantId: string; tenantName: string }[] {
  const listed = status.organisations ?? (status.tenantId ? [{ tenantId: status.tenantId }] : []);
  return listed.map((o) => ({
    tenantId: o.tenantId,
    tenantName: ('tenantName' in o ? o.tenantName : undefined) ?? status.tenantName ?? o.tenantId,
  }));
}

/** A parked consent for this browser, or the page that explains why not. */
async function takeBound(
  deps: ConsentDeps,
  purpose: ParkPurpose,
  token: string | undefined,
  binding: string | undefined
): Promise<ConsentOutcome | { pending: PendingConsent; hash: string }> {
  const taken = await takeParkedConsent(deps, purpose, token, binding);
  if ('pending' in taken) return taken;
  if (taken.failure === 'expired_choice') {
    return failed(400, 'choice_expired', 'Choice expired', 'The organisation choice expired.');
  }
  deps.logger.warn('xero tenant choice rejected', { reason: `choice_${taken.failure}` });
  return failed(
    400,
    `choice_${taken.failure}`,
    'Choice not valid',
    taken.failure === 'wrong_browser'
      ? 'This choice belongs to a consent started in another browser. Nothing was changed.'
      : 'This choice link is invalid, expired or already used.'
  );
}

/**
 * Store the chosen organisations with the consent's token set. `merge` (a consent for organisations already
 * connected, or pinned ones) keeps the other connected organisations this token still reaches, so re-consenting one
 * organisation does not drop the rest; `replace` (an admin confirmed) keeps exactly the chosen ones. Pins not in
 * the consent are listed as waiting for one.
 */
async function adopt(
  deps: ConsentDeps,
  tokens: TokenSet,
  chosen: readonly XeroTenantConnection[],
  mode: 'merge' | 'replace'
): Promise<ConsentOutcome> {
  const now = deps.clock.now().toISOString();
  const tenants: ChosenTenant[] = chosen.map((t) => ({
    tenantId: t.tenantId,
    tenantName: t.tenantName,
    state: 'connected',
  }));
  const current = mode === 'merge' ? await deps.connections.status() : undefined;
  if (current) tenants.push(...(await stillReachable(deps, tokens, tenants, current)));
  for (const pin of deps.config.pinnedTenantIds ?? []) {
    if (!tenants.some((t) => t.tenantId === pin)) {
      tenants.push({ tenantId: pin, tenantName: pin, state: 'reconnect_required', reason: 'pinned_not_in_consent' });
    }
  }
  // The default organisation: the first pin when pinned, else the current default while it stays, else the first.
  const head = tenants.find((t) => t.tenantId === (deps.config.pinnedTenantId ?? current?.tenantId)) ?? tenants[0];
  if (!head) return failed(400, 'no_tenant', 'No Xero organisation chosen', 'No organisation was chosen.');
  const ordered = [head, ...tenants.filter((t) => t !== head)];
  const authEventId = chosen[0]?.authEventId;
  await deps.connections.adopt({
    connection: {
      tenantId: head.tenantId,
      tenantName: head.tenantName,
      tenants: ordered,
      ...(authEventId ? { authEventId } : {}),
      connectedAt: now,
      refreshedAt: now,
      refreshTokenIssuedAt: now,
      state: 'connected',
    },
    tokens,
  });
  deps.logger.info('xero consent completed', { tenantId: ordered.map((t) => t.tenantId).join(',') });
  return { kind: 'connected', tenantId: head.tenantId, tenantName: head.tenantName, tenants: ordered };
}

/** Connected organisations outside this consent that the new token still reaches (Xero's /connections, unfiltered). */
async function stillReachable(
  deps: ConsentDeps,
  tokens: TokenSet,
  chosen: readonly ChosenTenant[],
  status: ConnectionStatus
): Promise<ChosenTenant[]> {
  const others = (status.organisations ?? []).filter((o) => !chosen.some((c) => c.tenantId === o.tenantId));
  if (others.length === 0) return [];
  let reachable: Set<string>;
  try {
    reachable = new Set((await deps.identity.listConnections(tokens.accessToken)).map((t) => t.tenantId));
  } catch (error) {
    deps.logger.warn('xero connections check failed; other organisations are not kept', {
      error: error instanceof ConnectorError ? error.code : 'unknown',
    });
    return [];
  }
  return others
    .filter((o) => reachable.has(o.tenantId))
    .map((o) => ({ tenantId: o.tenantId, tenantName: o.tenantName, state: 'connected' }));
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

function stateMessage(failure: VerifyFailure): string {
  if (failure === 'wrong_browser') {
    return (
      'This consent was started in another browser (or the consent cookie is missing), so nothing was stored. ' +
      'Finish a consent in the browser that opened the connect link.'
    );
  }
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
