import { ValidationError } from '../../lambdas/core/errors';
import { mappingSettingsFromJson } from '../../lambdas/core/settings-schema';
import type { MappingSettings } from '../../lambdas/core/settings';

type Env = Record<string, string | undefined>;

export const DEFAULT_SCOPES =
  'openid profile email offline_access accounting.contacts accounting.invoices accounting.settings';

export interface XeroConfig {
  readonly authMode: 'authorization-code' | 'custom-connection';
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly tenantId?: string;
  readonly scopes: string;
  readonly webhookKey?: string;
  readonly loginUrl: string;
  readonly identityUrl: string;
  readonly apiUrl: string;
}

export interface DataverseConfig {
  readonly url: string;
  readonly webhookKey: string;
  readonly organization?: string;
  readonly accessToken?: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

export interface RuntimeConfig {
  readonly mode: 'real' | 'sandbox';
  readonly port: number;
  readonly dataDir: string;
  readonly adminToken?: string;
  readonly publicUrl?: string;
  readonly xero?: XeroConfig;
  readonly dataverse?: DataverseConfig;
  readonly mapping: MappingSettings;
}

const XERO_REQUIRED = ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'] as const;
const CONNECTION_VARIABLES = [
  'XERO_CLIENT_ID',
  'XERO_CLIENT_SECRET',
  'XERO_REDIRECT_URI',
  'XERO_TENANT_ID',
  'XERO_WEBHOOK_KEY',
  'DATAVERSE_URL',
  'DATAVERSE_TENANT_ID',
  'DATAVERSE_CLIENT_ID',
  'DATAVERSE_CLIENT_SECRET',
  'DATAVERSE_ACCESS_TOKEN',
  'DATAVERSE_WEBHOOK_KEY',
];

/**
 * Reads the local runtime's configuration from the environment. No Xero and no Dataverse settings at all → sandbox
 * mode; a complete set → real mode; anything in between is an error listing exactly what is missing (never a silent
 * fallback to the sandbox).
 */
export function loadRuntimeConfig(env: Env): RuntimeConfig {
  const port = parsePort(env.PORT);
  const dataDir = env.DATA_DIR || './.data';
  const mapping = mappingSettingsFromJson(env.MAPPING_SETTINGS);
  const present = CONNECTION_VARIABLES.filter((name) => nonEmpty(env[name]));
  if (present.length === 0) {
    return { mode: 'sandbox', port, dataDir, mapping, adminToken: nonEmpty(env.CONNECTOR_ADMIN_TOKEN) };
  }

  const missing: string[] = [];
  const need = (name: string) => {
    const value = nonEmpty(env[name]);
    if (!value) missing.push(name);
    return value ?? '';
  };
  const authMode = env.XERO_AUTH_MODE === 'custom-connection' ? 'custom-connection' : 'authorization-code';
  if (env.XERO_AUTH_MODE && !['custom-connection', 'authorization-code'].includes(env.XERO_AUTH_MODE)) {
    throw new ValidationError(
      `XERO_AUTH_MODE must be "authorization-code" or "custom-connection", not "${env.XERO_AUTH_MODE}"`
    );
  }
  const adminToken = need('CONNECTOR_ADMIN_TOKEN');
  for (const name of XERO_REQUIRED) need(name);
  const redirectUri = authMode === 'authorization-code' ? need('XERO_REDIRECT_URI') : (env.XERO_REDIRECT_URI ?? '');
  const dataverseUrl = need('DATAVERSE_URL');
  const dataverseWebhookKey = need('DATAVERSE_WEBHOOK_KEY');
  const staticToken = nonEmpty(env.DATAVERSE_ACCESS_TOKEN);
  if (!staticToken) {
    const credentials = ['DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID', 'DATAVERSE_CLIENT_SECRET'];
    const absent = credentials.filter((name) => !nonEmpty(env[name]));
    if (absent.length > 0) missing.push(`${absent.join(', ')} (or DATAVERSE_ACCESS_TOKEN)`);
  }
  if (missing.length > 0) {
    throw new ValidationError(
      `incomplete configuration: set ${missing.join(', ')} — or unset ${present.join(', ')} to run the sandbox`,
      missing
    );
  }
  if (adminToken.length < 16) throw new ValidationError('CONNECTOR_ADMIN_TOKEN must be at least 16 characters');
  for (const [name, value] of [
    ['DATAVERSE_URL', dataverseUrl],
    ['XERO_REDIRECT_URI', redirectUri],
  ] as const) {
    if (value && !isHttpUrl(value)) throw new ValidationError(`${name} must be an http(s) URL`);
  }
  return {
    mode: 'real',
    port,
    dataDir,
    mapping,
    adminToken,
    publicUrl: nonEmpty(env.PUBLIC_URL),
    xero: {
      authMode,
      clientId: need('XERO_CLIENT_ID'),
      clientSecret: need('XERO_CLIENT_SECRET'),
      redirectUri,
      tenantId: nonEmpty(env.XERO_TENANT_ID),
      scopes: nonEmpty(env.XERO_SCOPES) ?? DEFAULT_SCOPES,
      webhookKey: nonEmpty(env.XERO_WEBHOOK_KEY),
      loginUrl: trimSlash(env.XERO_LOGIN_URL ?? 'https://login.xero.com'),
      identityUrl: trimSlash(env.XERO_IDENTITY_URL ?? 'https://identity.xero.com'),
      apiUrl: trimSlash(env.XERO_API_URL ?? 'https://api.xero.com'),
    },
    dataverse: {
      url: trimSlash(dataverseUrl),
      webhookKey: dataverseWebhookKey,
      organization: nonEmpty(env.DATAVERSE_ORGANIZATION),
      accessToken: staticToken,
      tenantId: nonEmpty(env.DATAVERSE_TENANT_ID),
      clientId: nonEmpty(env.DATAVERSE_CLIENT_ID),
      clientSecret: nonEmpty(env.DATAVERSE_CLIENT_SECRET),
    },
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ValidationError(`PORT must be a port number, not "${value}"`);
  return port;
}

const nonEmpty = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);
const trimSlash = (url: string) => url.replace(/\/+$/, '');
function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
