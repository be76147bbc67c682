import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ValidationError } from '../../core/errors';

/**
 * The "connector-settings" secret: one JSON object whose keys are the local runtime's environment names, so a
 * deployment and `npm start` are configured the same way. Cached for five minutes per container.
 */
const settingsSchema = z.object({
  CONNECTOR_ADMIN_TOKEN: z.string().min(16),
  XERO_CLIENT_ID: z.string(),
  XERO_CLIENT_SECRET: z.string(),
  XERO_WEBHOOK_KEY: z.string().optional(),
  DATAVERSE_TENANT_ID: z.string().optional(),
  DATAVERSE_CLIENT_ID: z.string().optional(),
  DATAVERSE_CLIENT_SECRET: z.string().optional(),
  DATAVERSE_ACCESS_TOKEN: z.string().optional(),
  DATAVERSE_WEBHOOK_KEY: z.string(),
  DATAVERSE_CONNECTOR_USER_ID: z.string().optional(),
});

export type ConnectorSettings = z.infer<typeof settingsSchema>;

export function parseConnectorSettings(secretString: string): ConnectorSettings {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new ValidationError('the connector-settings secret is not JSON');
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    // Names of the fields only, never their values.
    throw new ValidationError(
      `the connector-settings secret is incomplete: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`
    );
  }
  // Empty strings (the deployed template's placeholders) count as unset.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== '')) as ConnectorSettings;
}

let provider: SecretsProvider | undefined;

/** Reads through the caller's (timeout-bounded) client; Powertools caches the value for five minutes. */
export async function loadConnectorSettings(
  secretArn: string,
  client: SecretsManagerClient
): Promise<ConnectorSettings> {
  provider ??= new SecretsProvider({ awsSdkV3Client: client });
  const value = await provider.get(secretArn, { maxAge: 300 });
  if (typeof value !== 'string') throw new ValidationError('the connector-settings secret has no string value');
  return parseConnectorSettings(value);
}
