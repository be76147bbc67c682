import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { SETTINGS_MAX_AGE_SECONDS, SETTINGS_SECRETS, type SettingsSecretId } from '../../contract/secrets';
import { ValidationError } from '../../core/errors';

/**
 * The settings secrets (lambdas/contract/secrets.ts): one JSON object each, keyed by the local runtime's
 * environment names. Empty strings (the deployed template's placeholders) count as unset.
 */
const filled = z.string().min(1);
const SCHEMAS = {
  xeroApp: z.object({ XERO_CLIENT_ID: filled, XERO_CLIENT_SECRET: filled }),
  dataverseApp: z
    .object({
      DATAVERSE_TENANT_ID: filled.optional(),
      DATAVERSE_CLIENT_ID: filled.optional(),
      DATAVERSE_CLIENT_SECRET: filled.optional(),
      DATAVERSE_ACCESS_TOKEN: filled.optional(),
    })
    .refine(
      (s) => s.DATAVERSE_ACCESS_TOKEN || (s.DATAVERSE_TENANT_ID && s.DATAVERSE_CLIENT_ID && s.DATAVERSE_CLIENT_SECRET),
      {
        message:
          'needs DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and DATAVERSE_CLIENT_SECRET (or DATAVERSE_ACCESS_TOKEN)',
      }
    ),
  dataverseWebhook: z.object({ DATAVERSE_WEBHOOK_KEY: filled }),
  xeroWebhook: z.object({ XERO_WEBHOOK_KEY: filled }),
  admin: z.object({ CONNECTOR_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters') }),
} as const satisfies Record<SettingsSecretId, z.ZodType>;

export type SettingsOf<S extends SettingsSecretId> = z.infer<(typeof SCHEMAS)[S]>;

export function parseSettingsSecret<S extends SettingsSecretId>(id: S, secretString: string): SettingsOf<S> {
  const name = SETTINGS_SECRETS[id].name;
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new ValidationError(`the ${name} secret is not JSON`);
  }
  const present =
    json && typeof json === 'object' ? Object.fromEntries(Object.entries(json).filter(([, v]) => v !== '')) : json;
  const parsed = SCHEMAS[id].safeParse(present);
  if (!parsed.success) {
    // Field names and rules only, never values.
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}${i.path.length ? ' ' : ': '}${i.message}`
    );
    throw new ValidationError(`the ${name} secret is incomplete: ${problems.join('; ')}`, problems);
  }
  return parsed.data as SettingsOf<S>;
}

const providers = new WeakMap<SecretsManagerClient, SecretsProvider>();

/**
 * Reads through the caller's (timeout-bounded) client. Powertools keeps the value for SETTINGS_MAX_AGE_SECONDS,
 * then reads it again, so a rotated key reaches warm containers within that time.
 */
export async function loadSettingsSecret<S extends SettingsSecretId>(
  id: S,
  secretArn: string,
  client: SecretsManagerClient
): Promise<SettingsOf<S>> {
  let provider = providers.get(client);
  if (!provider) {
    provider = new SecretsProvider({ awsSdkV3Client: client });
    providers.set(client, provider);
  }
  const value = await provider.get(secretArn, { maxAge: SETTINGS_MAX_AGE_SECONDS });
  if (typeof value !== 'string')
    throw new ValidationError(`the ${SETTINGS_SECRETS[id].name} secret has no string value`);
  return parseSettingsSecret(id, value);
}
