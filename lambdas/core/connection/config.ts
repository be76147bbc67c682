/** Xero connection settings from the environment contract (ARCHITECTURE.md). Secrets are read elsewhere. */
import { ValidationError } from '../errors';

/**
 * No `openid profile email`: nothing reads the id token, and every extra scope is one more thing an operator is
 * asked to grant (https://developer.xero.com/documentation/guides/oauth2/scopes). offline_access gives the refresh
 * token.
 */
export const DEFAULT_XERO_SCOPES: readonly string[] = [
  'offline_access',
  'accounting.contacts',
  'accounting.invoices',
  'accounting.settings',
];

/** `oauth` = authorization code + refresh tokens; `custom-connection` = client_credentials for one organisation. */
export type XeroAuthMode = 'oauth' | 'custom-connection';

export interface XeroConnectionConfig {
  readonly authMode: XeroAuthMode;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  /** The first pin (XERO_TENANT_ID): the default organisation. */
  readonly pinnedTenantId?: string;
  /** Every pin (XERO_TENANT_ID may list several, comma-separated): a consent connects these without asking. */
  readonly pinnedTenantIds?: readonly string[];
  readonly loginUrl: string;
  readonly identityUrl: string;
  readonly apiUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** 127.0.0.0/8, ::1 and localhost: the only places plain http is acceptable (the sandbox and tests). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Tokens, client secrets and authorisation codes travel to these URLs: https, or http on loopback only. */
function url(env: Env, name: string, fallback: string): string {
  const value = (env[name] ?? '').trim() || fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ValidationError(`${name} must be an https URL`, [name]);
  }
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname));
  if (!secure || /\s/.test(value)) {
    throw new ValidationError(`${name} must be an https URL (plain http only on 127.0.0.1 or localhost)`, [name]);
  }
  return value.replace(/\/+$/, '');
}

export function readXeroConnectionConfig(env: Env): XeroConnectionConfig {
  const mode = (env.XERO_AUTH_MODE ?? 'oauth').trim() || 'oauth';
  if (mode !== 'oauth' && mode !== 'custom-connection') {
    throw new ValidationError('XERO_AUTH_MODE must be "oauth" or "custom-connection"', ['XERO_AUTH_MODE']);
  }
  const clientId = (env.XERO_CLIENT_ID ?? '').trim();
  if (!clientId) throw new ValidationError('XERO_CLIENT_ID is required', ['XERO_CLIENT_ID']);
  const redirectUri = (env.XERO_REDIRECT_URI ?? '').trim();
  if (mode === 'oauth' && !redirectUri) {
    throw new ValidationError('XERO_REDIRECT_URI is required for the oauth auth mode', ['XERO_REDIRECT_URI']);
  }
  const scopes = (env.XERO_SCOPES ?? '').split(/[\s,]+/).filter(Boolean);
  const pins = pinnedTenants(env.XERO_TENANT_ID);
  return {
    authMode: mode,
    clientId,
    redirectUri,
    // Custom connections get their scopes from the connection itself; offline_access/openid do not apply.
    scopes: scopes.length > 0 ? scopes : DEFAULT_XERO_SCOPES,
    ...(pins.length > 0 ? { pinnedTenantId: pins[0], pinnedTenantIds: pins } : {}),
    loginUrl: url(env, 'XERO_LOGIN_URL', 'https://login.xero.com'),
    identityUrl: url(env, 'XERO_IDENTITY_URL', 'https://identity.xero.com'),
    apiUrl: url(env, 'XERO_API_URL', 'https://api.xero.com'),
  };
}

/** XERO_TENANT_ID: one tenant id, or several separated by commas (the first is the default organisation). */
export function pinnedTenants(value: string | undefined): string[] {
  const pins = [...new Set((value ?? '').split(',').map((pin) => pin.trim()))].filter(Boolean);
  for (const pin of pins) {
    // Tenant ids are GUIDs; anything else (a name, a quoted list) would never match and lock every consent out.
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(pin)) {
      throw new ValidationError('XERO_TENANT_ID must be one tenant id or several separated by commas', [
        'XERO_TENANT_ID',
      ]);
    }
  }
  return pins;
}
