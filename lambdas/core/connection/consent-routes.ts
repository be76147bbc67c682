/**
 * HTTP-shaped consent routes as pure functions ({headers, query} → {status, headers, body}), so the local server
 * and the Lambda handlers wrap them thinly.
 */
import { verifyConnectLink } from './connect-link';
import type { ConsentDeps, ConsentOutcome } from './consent';
import { chooseTenant, completeConsent, startConsent } from './consent';
import { renderChooseTenantPage, renderConnectedPage, renderFailurePage } from './consent-pages';
import { isAdminBearer } from './signed-token';

export interface RouteRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
}

export interface RouteResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface ConsentRouteDeps extends ConsentDeps {
  readonly adminToken: string;
  /** Public path of the tenant-choice route, used in the choose page's links. */
  readonly chooseUrl?: string;
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
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
    body,
  };
}

function header(req: RouteRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function createConsentRoutes(deps: ConsentRouteDeps): ConsentRoutes {
  const chooseUrl = deps.chooseUrl ?? '/oauth/xero/choose';

  const toResponse = (outcome: ConsentOutcome): RouteResponse => {
    switch (outcome.kind) {
      case 'connected':
        return html(200, renderConnectedPage(outcome.tenantName));
      case 'choose':
        return html(200, renderChooseTenantPage(outcome.tenants, chooseUrl, outcome.choiceToken));
      case 'failed':
        return html(outcome.status, renderFailurePage(outcome.title, outcome.message, outcome.nextStep));
    }
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
      const allowed =
        isAdminBearer(header(req, 'authorization'), deps.adminToken) ||
        (req.query.link !== undefined && (await verifyConnectLink(deps, req.query.link)));
      if (!allowed) {
        deps.logger.warn('xero connect refused', { reason: req.query.link ? 'bad_link' : 'no_credentials' });
        return {
          status: 401,
          headers: { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' },
          body: 'Unauthorized: send the admin bearer token or use a fresh link from "connector connect-link".',
        };
      }
      const { location } = startConsent(deps);
      return { status: 302, headers: { ...BASE_HEADERS, location }, body: '' };
    },

    async callback(req) {
      const { code, state, error } = req.query;
      return toResponse(
        await completeConsent(deps, {
          ...(code !== undefined ? { code } : {}),
          ...(state !== undefined ? { state } : {}),
          ...(error !== undefined ? { error } : {}),
        })
      );
    },

    async chooseTenant(req) {
      const { token, tenantId } = req.query;
      return toResponse(
        await chooseTenant(deps, {
          ...(token !== undefined ? { token } : {}),
          ...(tenantId !== undefined ? { tenantId } : {}),
        })
      );
    },
  };
}
