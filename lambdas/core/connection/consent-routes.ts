/**
 * HTTP-shaped consent routes as pure functions ({headers, query} → {status, headers, body}), so the local server
 * and the Lambda handlers wrap them thinly.
 */
import { createConnectLink, verifyConnectLink } from './connect-link';
import type { ConsentDeps, ConsentOutcome } from './consent';
import { DEFAULT_CONSENT_TTL_SECONDS, chooseTenant, completeConsent, confirmReplace, startConsent } from './consent';
import { consentCookieFor, readCookie, setConsentCookie } from './consent-binding';
import {
  renderChooseTenantPage,
  renderConfirmReplacePage,
  renderConnectedPage,
  renderFailurePage,
} from './consent-pages';
import { isAdminBearer } from './signed-token';

export interface RouteRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The request body (only the confirmation form POSTs one). */
  readonly body?: string;
}

export interface RouteResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface ConsentRouteDeps extends ConsentDeps {
  readonly adminToken: string;
  /**
   * Tenant-choice route as used in the choose and confirm pages. Default `choose`: relative to the callback, so it
   * works behind an API Gateway stage prefix (/dev/oauth/xero/callback → /dev/oauth/xero/choose) and locally.
   */
  readonly chooseUrl?: string;
  /** Public URL of /oauth/xero/connect, for links; default: XERO_REDIRECT_URI with /callback replaced by /connect. */
  readonly connectUrl?: string;
}

export interface ConsentRoutes {
  connect(req: RouteRequest): Promise<RouteResponse>;
  callback(req: RouteRequest): Promise<RouteResponse>;
  chooseTenant(req: RouteRequest): Promise<RouteResponse>;
}

const BASE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function html(status: number, body: string): RouteResponse {
  return {
    status,
    headers: {
      ...BASE_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    },
    body,
  };
}

function header(req: RouteRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Fields of an HTML form POST (application/x-www-form-urlencoded); anything else reads as none. */
function formFields(req: RouteRequest): URLSearchParams {
  const type = header(req, 'content-type') ?? '';
  if (!req.body || !type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(req.body);
}

export function createConsentRoutes(deps: ConsentRouteDeps): ConsentRoutes {
  const chooseUrl = deps.chooseUrl ?? 'choose';
  const cookie = consentCookieFor(deps.config.redirectUri);
  const ttl = deps.stateTtlSeconds ?? DEFAULT_CONSENT_TTL_SECONDS;
  const bindingOf = (req: RouteRequest) => readCookie(header(req, 'cookie'), cookie.name);

  const toResponse = (outcome: ConsentOutcome, binding: string | undefined): RouteResponse => {
    // Keep the browser binding alive while a choice is pending; drop it once the consent is settled.
    const withCookie = (response: RouteResponse, keep: boolean): RouteResponse =>
      binding === undefined
        ? response
        : {
            ...response,
            headers: {
              ...response.headers,
              'set-cookie': setConsentCookie(cookie, keep ? binding : '', keep ? ttl : 0),
            },
          };
    switch (outcome.kind) {
      case 'connected':
        return withCookie(html(200, renderConnectedPage(outcome.tenants.map((t) => t.tenantName))), false);
      case 'choose':
        return withCookie(html(200, renderChooseTenantPage(outcome.tenants, chooseUrl, outcome.choiceToken)), true);
      case 'confirm-replace':
        return withCookie(
          html(200, renderConfirmReplacePage(outcome.current, outcome.tenants, chooseUrl, outcome.confirmToken)),
          true
        );
      case 'failed':
        return html(outcome.status, renderFailurePage(outcome.title, outcome.message, outcome.nextStep));
    }
  };

  /**
   * A consent is finished by the browser that starts it, so a terminal holding the admin token cannot start it for a
   * browser: `?format=link` gives it a signed single-use link to open in the browser instead (what the local CLI's
   * `connector connect-link` does; on AWS this is the way in).
   */
  const connectLinkResponse = (): RouteResponse => {
    const connectUrl = deps.connectUrl ?? deps.config.redirectUri.replace(/\/callback$/, '/connect');
    return {
      status: 200,
      headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(createConnectLink(deps, connectUrl)),
    };
  };

  return {
    async connect(req) {
      if (deps.config.authMode !== 'oauth') {
        return html(
          400,
          renderFailurePage(
            'Consent not used',
            'This connector uses a Xero Custom Connection (XERO_AUTH_MODE=custom-connection), which needs no consent.',
            'Nothing to do here.'
          )
        );
      }
      // Check the bearer first so an admin request never burns a link.
      const bearer = isAdminBearer(header(req, 'authorization'), deps.adminToken);
      if (bearer && req.query.format === 'link') return connectLinkResponse();
      const allowed = bearer || (req.query.link !== undefined && (await verifyConnectLink(deps, req.query.link)));
      if (!allowed) {
        deps.logger.warn('xero connect refused', { reason: req.query.link ? 'bad_link' : 'no_credentials' });
        return {
          status: 401,
          headers: { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' },
          body: 'Unauthorized: send the admin bearer token or use a fresh link from "connector connect-link".',
        };
      }
      const { location, binding } = startConsent(deps);
      return {
        status: 302,
        headers: { ...BASE_HEADERS, location, 'set-cookie': setConsentCookie(cookie, binding, ttl) },
        body: '',
      };
    },

    async callback(req) {
      const { code, state, error } = req.query;
      const binding = bindingOf(req);
      return toResponse(
        await completeConsent(deps, {
          ...(code !== undefined ? { code } : {}),
          ...(state !== undefined ? { state } : {}),
          ...(error !== undefined ? { error } : {}),
          ...(binding !== undefined ? { binding } : {}),
        }),
        binding
      );
    },

    async chooseTenant(req) {
      const form = formFields(req);
      const binding = bindingOf(req);
      const common = { ...(binding !== undefined ? { binding } : {}) };
      const formToken = form.get('token') ?? undefined;
      if (form.get('confirm') === 'replace') {
        // The admin token only ever arrives in a POST body or the Authorization header, never in a URL.
        const typed = form.get('adminToken');
        const admin =
          isAdminBearer(header(req, 'authorization'), deps.adminToken) ||
          (typed !== null && isAdminBearer(`Bearer ${typed}`, deps.adminToken));
        return toResponse(
          await confirmReplace(deps, { ...common, ...(formToken ? { token: formToken } : {}), admin }),
          binding
        );
      }
      // The choose page POSTs one tenantId per ticked organisation; a plain link (GET) names one.
      const token = formToken ?? req.query.token;
      const ticked = form.getAll('tenantId');
      const tenantIds = ticked.length > 0 ? ticked : req.query.tenantId !== undefined ? [req.query.tenantId] : [];
      return toResponse(
        await chooseTenant(deps, { ...common, ...(token !== undefined ? { token } : {}), tenantIds }),
        binding
      );
    },
  };
}
