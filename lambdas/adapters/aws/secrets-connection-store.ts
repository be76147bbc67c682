/**
 * ConnectionStore (and the pending-consent store) on AWS Secrets Manager. Each save is one PutSecretValue, which
 * is atomic; its ClientRequestToken is derived from the content, so a retried write of the same token set is
 * idempotent instead of creating a second version. Errors never include the secret value.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { TransientError } from '../../core/errors';
import type { ConnectionStore, PendingConsentStore } from '../../core/connection/ports';
import { withChosenTenants, type PendingConsent, type StoredConnection } from '../../core/connection/types';

/**
 * What a cleared secret holds: a secret cannot be emptied, and deleting it would fight the CDK stack. Each clear is
 * unique: Secrets Manager ignores a PutSecretValue whose ClientRequestToken names an existing version, so a second
 * identical "empty" value would silently leave the newer connection current.
 */
function emptyValue(): string {
  return JSON.stringify({ version: 1, record: null, clearId: randomUUID() });
}

/** A ClientRequestToken (32–64 chars) that is the same for the same content and different otherwise. */
export function requestTokenFor(secretString: string): string {
  return createHash('sha256').update(secretString).digest('hex');
}

class JsonSecret<T> {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly what: string
  ) {}

  async read(): Promise<T | null> {
    let secretString: string | undefined;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      secretString = output.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw sanitised(`reading the ${this.what} secret failed`, error);
    }
    if (!secretString) return null;
    try {
      const parsed = JSON.parse(secretString) as { version?: number; record?: T | null };
      return parsed.record ?? null;
    } catch {
      throw new TransientError(`the ${this.what} secret does not hold JSON`, 'SECRET_CORRUPT');
    }
  }

  async write(record: T | null): Promise<void> {
    // A record carries fresh timestamps and tokens, so the same content is only ever a retry of the same write.
    const secretString = record === null ? emptyValue() : JSON.stringify({ version: 1, record });
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: this.secretId,
          SecretString: secretString,
          ClientRequestToken: requestTokenFor(secretString),
        })
      );
    } catch (error) {
      throw sanitised(`writing the ${this.what} secret failed`, error);
    }
  }
}

export class SecretsConnectionStore implements ConnectionStore {
  private readonly secret: JsonSecret<StoredConnection>;
  constructor(client: SecretsManagerClient, secretId: string) {
    this.secret = new JsonSecret(client, secretId, 'Xero connection');
  }
  /** A record saved before several organisations were supported reads as its one organisation (read old, write new). */
  async load(): Promise<StoredConnection | null> {
    const record = await this.secret.read();
    return record ? withChosenTenants(record) : null;
  }
  save(record: StoredConnection): Promise<void> {
    return this.secret.write(record);
  }
  clear(): Promise<void> {
    return this.secret.write(null);
  }
}

/**
 * Pending tenant choices in their own secret. Only one consent waits at a time (a newer one replaces it);
 * operator-driven and rare, so read-modify-write is acceptable here.
 */
export class SecretsPendingConsentStore implements PendingConsentStore {
  private readonly secret: JsonSecret<PendingConsent>;
  constructor(client: SecretsManagerClient, secretId: string) {
    this.secret = new JsonSecret(client, secretId, 'pending Xero consent');
  }
  put(pending: PendingConsent): Promise<void> {
    return this.secret.write(pending);
  }
  async take(id: string): Promise<PendingConsent | null> {
    const pending = await this.secret.read();
    if (!pending || pending.id !== id) return null;
    await this.secret.write(null);
    return pending;
  }
}

/** Only the AWS error name and HTTP status: SDK errors can echo request fields. */
function sanitised(message: string, error: unknown): TransientError {
  const name = error instanceof Error ? error.name : 'unknown';
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return new TransientError(`${message} (${name}${status ? ` ${status}` : ''})`, 'SECRETS_MANAGER');
}
