/**
 * The one-machine target: the same values written to `$DATA_DIR/.env` (default `./.data/.env`, mode 0600 in the
 * 0700 data folder), which `npm start` reads before its configuration (src/local/main.ts). Generated here once:
 * the admin token and the Dataverse webhook key. Webhooks need a public https URL (PUBLIC_URL); without one the
 * catch-up sweep picks up changes instead.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mappingSettingsFromJson } from '../../../lambdas/core/settings-schema';
import { formatDotenv, readDotenvFile, writeDotenvFile } from '../../local/dotenv-file';
import type { SettingsStore, SetupTarget } from './setup-target';

const OPERATOR_KEYS = [
  'XERO_CLIENT_ID',
  'XERO_CLIENT_SECRET',
  'XERO_WEBHOOK_KEY',
  'XERO_REDIRECT_URI',
  'DATAVERSE_URL',
  'DATAVERSE_TENANT_ID',
  'DATAVERSE_CLIENT_ID',
  'DATAVERSE_CLIENT_SECRET',
  'DATAVERSE_ACCESS_TOKEN',
  'DATAVERSE_CONNECTOR_USER_ID',
  'PUBLIC_URL',
];

export function envFilePath(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return resolve(cwd, env.DATA_DIR || './.data', '.env');
}

export function localSetupTarget(options: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly fetch?: typeof fetch;
}): SetupTarget {
  const path = envFilePath(options.env, options.cwd);
  const stored = readDotenvFile(path);
  const setting = (name: string) => options.env[name]?.trim() || stored[name]?.trim() || undefined;
  const localBase = `http://127.0.0.1:${setting('PORT') ?? '3000'}`;
  const publicUrl = setting('PUBLIC_URL')?.replace(/\/+$/, '');
  const callbackUrl = setting('XERO_REDIRECT_URI') ?? `${publicUrl ?? localBase}/oauth/xero/callback`;
  return {
    description: `${path} (read by npm start)`,
    groups: [{ name: path, keys: OPERATOR_KEYS, generatedKeys: ['CONNECTOR_ADMIN_TOKEN', 'DATAVERSE_WEBHOOK_KEY'] }],
    store: dotenvStore(path),
    defaults: {},
    xeroIdentityUrl: setting('XERO_IDENTITY_URL') ?? 'https://identity.xero.com',
    callbackUrl,
    ...(publicUrl?.startsWith('https://') ? { xeroWebhookUrl: `${publicUrl}/webhooks/xero` } : {}),
    webhookBase: publicUrl?.startsWith('https://')
      ? { url: publicUrl }
      : {
          skipped:
            'Dataverse can only call a public https URL: set PUBLIC_URL in the .env and run setup again. Until ' +
            'then the catch-up sweep (every 5 minutes) picks up changes.',
        },
    connect: {
      skipped: 'start the connector (npm start reads the .env), then run: npx connector connect-link',
    },
    mapping: mappingSettingsFromJson(setting('MAPPING_SETTINGS')),
    derivedValues: ({ connectorUserId }) => ({
      XERO_REDIRECT_URI: callbackUrl,
      DATAVERSE_CONNECTOR_USER_ID: connectorUserId,
      ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
    }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

function dotenvStore(path: string): SettingsStore {
  return {
    read: () => Promise.resolve(new Map([[path, readDotenvFile(path)]])),
    write: (_group, value) => {
      mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
      writeDotenvFile(path, formatDotenv(value, 'Written by `connector setup --local`; read by `npm start`.'));
      return Promise.resolve();
    },
  };
}
