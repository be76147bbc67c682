/**
 * SharedReads on AWS: one item per tenant and name in the sync-state table, `pk = xero-budget#<tenant>#shared#<name>`
 * (under the Xero budget's key prefix, so every Xero caller's grant already covers it), holding the value as gzipped
 * JSON and when it was read. Containers that start together must not all read Xero: the first takes a lease with a
 * conditional update and reads; the others poll the item until the value lands, and read Xero themselves only when
 * the lease runs out (its holder died or Xero is slow). Any DynamoDB failure falls back to reading Xero: sharing
 * saves calls and never stops one.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { describeError } from '../../core/errors';
import type { Clock, Logger } from '../../core/ports';
import type { SharedReads } from '../../core/sync/shared-xero-reads';
import { XERO_BUDGET_KEY_PREFIX } from './xero-budget-keys';

/** Items are at most 400 KB; a bigger value (a listing near its 10,000-key cap) is not shared. */
const MAX_VALUE_BYTES = 350_000;
const KEEP_SECONDS = 24 * 60 * 60;
const CALL_TIMEOUT_MS = 5_000;

export interface DynamoDbSharedReadsOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The Xero tenant the values belong to (the connection's, from the cached access token). */
  readonly tenantId: () => Promise<string>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a reader may hold the read before others stop waiting for it (default 20 s). */
  readonly leaseMs?: number;
  /** Between two looks at the item while another container reads (default 250 ms). */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

type Item = Record<string, AttributeValue>;
/** What one look at the item says: its young value, or that this reader now holds the lease, or to wait. */
type Look = { readonly value: unknown } | 'claimed' | 'wait' | 'unavailable';

export class DynamoDbSharedReads implements SharedReads {
  constructor(private readonly options: DynamoDbSharedReadsOptions) {}

  async read<T>(name: string, maxAgeMs: number, load: () => Promise<T>): Promise<T> {
    const { clock, leaseMs = 20_000, pollMs = 250 } = this.options;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let pk: string;
    try {
      pk = `${XERO_BUDGET_KEY_PREFIX}${await this.options.tenantId()}#shared#${name}`;
    } catch {
      return load(); // no tenant known yet: `load` will say why (e.g. a reconnect is required)
    }
    const waitUntil = clock.now().getTime() + leaseMs;
    for (;;) {
      const look = await this.look(pk, name, maxAgeMs, leaseMs);
      if (typeof look === 'object') return look.value as T;
      if (look === 'claimed') return this.loadAndStore(pk, name, load);
      if (look === 'unavailable' || clock.now().getTime() >= waitUntil) return load();
      await sleep(pollMs);
    }
  }

  private async look(pk: string, name: string, maxAgeMs: number, leaseMs: number): Promise<Look> {
    try {
      const item = await this.get(pk);
      const now = this.options.clock.now().getTime();
      const at = Number(item?.at?.N ?? NaN);
      if (item?.value?.B && now - at < maxAgeMs)
        return { value: JSON.parse(gunzipSync(item.value.B).toString('utf8')) };
      const leased = Number(item?.leaseUntil?.N ?? 0) > now;
      return !leased && (await this.claim(pk, now, now + leaseMs)) ? 'claimed' : 'wait';
    } catch (error) {
      this.options.logger.warn('shared Xero read unavailable', { name, error: describeError(error) });
      return 'unavailable';
    }
  }

  private async loadAndStore<T>(pk: string, name: string, load: () => Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await load();
    } catch (error) {
      await this.release(pk).catch(() => undefined); // the next reader need not wait out the lease
      throw error;
    }
    try {
      const body = gzipSync(JSON.stringify(value));
      const now = this.options.clock.now().getTime();
      if (body.byteLength > MAX_VALUE_BYTES) await this.release(pk);
      else
        await this.options.client.send(
          new PutItemCommand({
            TableName: this.options.tableName,
            Item: { pk: { S: pk }, value: { B: body }, at: { N: String(now) }, ttl: { N: ttlOf(now) } },
          }),
          { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
        );
    } catch (error) {
      this.options.logger.warn('shared Xero read not stored', { name, error: describeError(error) });
    }
    return value;
  }

  /** Takes the lease unless another reader holds one; the stale value stays until the new one replaces it. */
  private async claim(pk: string, now: number, until: number): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: 'SET leaseUntil = :until, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':until': { N: String(until) },
            ':now': { N: String(now) },
            ':ttl': { N: ttlOf(now) },
          },
        }),
        { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async release(pk: string): Promise<void> {
    await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { pk: { S: pk } },
        UpdateExpression: 'REMOVE leaseUntil',
      }),
      { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
    );
  }

  private async get(pk: string): Promise<Item | undefined> {
    const result = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
      { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
    );
    return result.Item;
  }
}

function ttlOf(now: number): string {
  return String(Math.ceil(now / 1000) + KEEP_SECONDS);
}
