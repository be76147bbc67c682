/**
 * SharedTenantBudget's store on AWS: one item per Xero tenant in the sync-state table, `pk = xero-budget#<tenant>`,
 * replaced by compare-and-set on its version `v` (one conditional PutItem per acquire; a lost race returns the
 * winner's item through ReturnValuesOnConditionCheckFailure, so no extra read). A release is one UpdateItem that
 * removes the lease without reading. The item carries the table's `ttl` (epoch seconds) a day after its last
 * start, lease or pause has lapsed, so idle tenants leave nothing behind.
 *
 * Cost per Xero call when nobody competes: one PutItem + one UpdateItem (a post call carries up to 50 records).
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TransientError } from '../../core/errors';
import { EMPTY_BUDGET, budgetLapsesAt, type BudgetState } from '../../core/rate-limit/budget-state';
import type { BudgetStore, StoredBudget } from '../../core/rate-limit/budget-store';
import { SharedTenantBudget, type SharedBudgetDeps } from '../../core/rate-limit/shared-tenant-budget';
import { XERO_BUDGET_KEY_PREFIX } from './xero-budget-keys';

export { XERO_BUDGET_KEY_PREFIX };

const KEEP_AFTER_LAPSE_SECONDS = 24 * 60 * 60;
const CALL_TIMEOUT_MS = 5_000;

type Item = Record<string, AttributeValue>;

const num = (value: number): AttributeValue => ({ N: String(value) });
const readNum = (value: AttributeValue | undefined): number | undefined => {
  const parsed = value?.N === undefined ? NaN : Number(value.N);
  return Number.isFinite(parsed) ? parsed : undefined;
};

function toItem(tenantId: string, state: BudgetState, version: number, windowMs: number): Item {
  const ttl = Math.ceil(budgetLapsesAt(state, windowMs) / 1000) + KEEP_AFTER_LAPSE_SECONDS;
  return {
    pk: { S: XERO_BUDGET_KEY_PREFIX + tenantId },
    v: num(version),
    starts: { L: state.starts.map(num) },
    leases: { M: Object.fromEntries(Object.entries(state.leases).map(([id, until]) => [id, num(until)])) },
    pausedUntil: num(state.pausedUntil),
    dayBlockedUntil: num(state.dayBlockedUntil),
    ...(state.dayRemaining !== undefined && { dayRemaining: num(state.dayRemaining) }),
    ttl: num(ttl),
  };
}

function fromItem(item: Item | undefined): StoredBudget {
  if (!item) return { state: EMPTY_BUDGET, version: 0 };
  const starts = (item.starts?.L ?? []).map(readNum).filter((n): n is number => n !== undefined);
  const leases: Record<string, number> = {};
  for (const [id, value] of Object.entries(item.leases?.M ?? {})) {
    const until = readNum(value);
    if (until !== undefined) leases[id] = until;
  }
  const dayRemaining = readNum(item.dayRemaining);
  return {
    version: readNum(item.v) ?? 0,
    state: {
      starts: starts.sort((a, b) => a - b),
      leases,
      pausedUntil: readNum(item.pausedUntil) ?? 0,
      dayBlockedUntil: readNum(item.dayBlockedUntil) ?? 0,
      ...(dayRemaining !== undefined && { dayRemaining }),
    },
  };
}

function unavailable(error: unknown): TransientError {
  const name = error instanceof Error ? error.name : 'unknown';
  return new TransientError(`the Xero budget store did not answer (${name})`, 'XERO_BUDGET_STORE', { cause: error });
}

export class DynamoDbXeroBudgetStore implements BudgetStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** The budget's rolling window, for the item's expiry. */
    private readonly windowMs = 60_000
  ) {}

  async read(tenantId: string): Promise<StoredBudget> {
    try {
      const result = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key(tenantId), ConsistentRead: true }),
        { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
      );
      return fromItem(result.Item);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async replace(
    tenantId: string,
    next: BudgetState,
    expected: number
  ): Promise<{ ok: boolean; current: StoredBudget }> {
    const item = toItem(tenantId, next, expected + 1, this.windowMs);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(expected === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#v = :expected',
                ExpressionAttributeNames: { '#v': 'v' },
                ExpressionAttributeValues: { ':expected': num(expected) },
              }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
      );
      return { ok: true, current: fromItem(item) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw unavailable(error);
      // The winner's item comes back with the refusal; without it (an item removed meanwhile) read once.
      return { ok: false, current: error.Item ? fromItem(error.Item) : await this.read(tenantId) };
    }
  }

  async releaseLease(tenantId: string, leaseId: string, dayRemaining?: number): Promise<StoredBudget | undefined> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(tenantId),
          UpdateExpression: `REMOVE leases.#lease SET #v = #v + :one${dayRemaining === undefined ? '' : ', dayRemaining = :day'}`,
          ConditionExpression: 'attribute_exists(leases.#lease)',
          ExpressionAttributeNames: { '#lease': leaseId, '#v': 'v' },
          ExpressionAttributeValues: {
            ':one': num(1),
            ...(dayRemaining !== undefined && { ':day': num(dayRemaining) }),
          },
          ReturnValues: 'ALL_NEW',
        }),
        { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) }
      );
      return fromItem(result.Attributes);
    } catch (error) {
      // Already gone: it lapsed and another caller pruned it. Nothing to free.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw unavailable(error);
    }
  }

  private key(tenantId: string): Item {
    return { pk: { S: XERO_BUDGET_KEY_PREFIX + tenantId } };
  }
}

/** The Lambda composition's shared budget: DynamoDB store, real timers, random lease ids and jitter. */
export function createDynamoDbXeroBudget(
  options: { readonly client: DynamoDBClient; readonly tableName: string } & Pick<
    SharedBudgetDeps,
    'clock' | 'deadline' | 'logger'
  >
): SharedTenantBudget {
  return new SharedTenantBudget({
    store: new DynamoDbXeroBudgetStore(options.client, options.tableName),
    clock: options.clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    newLeaseId: randomUUID,
    random: Math.random,
    ...(options.deadline && { deadline: options.deadline }),
    ...(options.logger && { logger: options.logger }),
  });
}
