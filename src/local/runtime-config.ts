import { ValidationError } from '../../lambdas/core/errors';
import { mappingSettingsFromJson } from '../../lambdas/core/settings-schema';
import type { MappingSettings } from '../../lambdas/core/settings';
import { readXeroConnectionConfig, type XeroConnectionConfig } from '../../lambdas/core/connection/config';

type Env = Record<string, string | undefined>;

/** The Xero side: the connection settings plus the secrets the local runtime holds itself. */
export interface XeroConfig extends XeroConnectionConfig {
  readonly clientSecret: string;
  readonly webhookKey?: string;
}

export interface DataverseConfig {
  readonly url: string;
  readonly webhookKey: string;
  readonly organization?: string;
  /** The connector's own application user: its changes (write-backs, log rows) never trigger a sync. */
  readonly connectorUserId?: string;
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
  /** DATAVERSE_SWEEP_INTERVAL_SECONDS: how often the catch-up sweep runs (default 300; 0 = off). */
  readonly sweepIntervalSeconds?: number;
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
  const sweepIntervalSeconds = parseSweepInterval(env.DATAVERSE_SWEEP_INTERVAL_SECONDS);
  const present = CONNECTION_VARIABLES.filter((name) => nonEmpty(env[name]));
  if (present.length === 0) {
    return {
      mode: 'sandbox',
      port,
      dataDir,
      mapping,
      sweepIntervalSeconds,
      adminToken: nonEmpty(env.CONNECTOR_ADMIN_TOKEN),
    };
  }

  const missing: string[] = [];
  const need = (name: string) => {
    const value = nonEmpty(env[name]);
    if (!value) missing.push(name);
    return value ?? '';
  };
  // XERO_AUTH_MODE itself is validated by readXeroConnectionConfig once everything is present.
  const authMode = env.XERO_AUTH_MODE?.trim() === 'custom-connection' ? 'custom-connection' : 'oauth';
  const adminToken = need('CONNECTOR_ADMIN_TOKEN');
  for (const name of XERO_REQUIRED) need(name);
  const redirectUri = authMode === 'oauth' ? need('XERO_REDIRECT_URI') : (env.XERO_REDIRECT_URI ?? '');
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
    sweepIntervalSeconds,
    adminToken,
    publicUrl: nonEmpty(env.PUBLIC_URL),
    xero: {
      ...readXeroConnectionConfig(env),
      clientSecret: need('XERO_CLIENT_SECRET'),
      webhookKey: nonEmpty(env.XERO_WEBHOOK_KEY),
    },
    dataverse: {
      url: trimSlash(dataverseUrl),
      webhookKey: dataverseWebhookKey,
      organization: nonEmpty(env.DATAVERSE_ORGANIZATION),
      connectorUserId: nonEmpty(env.DATAVERSE_CONNECTOR_USER_ID),
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

function parseSweepInterval(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 300;
  const seconds = Number(value);
  // 0 switches it off; runs never overlap, so even a short period only costs one query per table per run.
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400)
    throw new ValidationError(
      `DATAVERSE_SWEEP_INTERVAL_SECONDS must be 0 (off) or whole seconds up to 86400, not "${value}"`
    );
  return seconds;
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
