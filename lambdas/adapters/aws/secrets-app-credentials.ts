/** The Xero app credentials live in their own secret ({"clientId","clientSecret"}), apart from the tokens. */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PermanentError, TransientError } from '../../core/errors';

export interface XeroAppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export async function loadXeroAppCredentials(
  client: SecretsManagerClient,
  secretId: string
): Promise<XeroAppCredentials> {
  let secretString: string | undefined;
  try {
    secretString = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown';
    throw new TransientError(`reading the Xero app credentials secret failed (${name})`, 'SECRETS_MANAGER');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    parsed = undefined;
  }
  const value = parsed as Partial<XeroAppCredentials> | undefined;
  if (!value || typeof value.clientId !== 'string' || typeof value.clientSecret !== 'string' || !value.clientSecret) {
    throw new PermanentError(
      'the Xero app credentials secret must hold JSON {"clientId": "...", "clientSecret": "..."}',
      'XERO_APP_CREDENTIALS'
    );
  }
  return { clientId: value.clientId, clientSecret: value.clientSecret };
}
