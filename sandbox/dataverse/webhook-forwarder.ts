/**
 * Turns writes in the sandbox Dataverse into Dataverse-shaped webhook POSTs (what a registered async step would
 * send), so sandbox mode and the demo exercise the connector's real ingest path. Deliveries are fire-and-forget
 * with a timeout; their outcomes are kept for assertions. The webhook key is never logged or recorded.
 */
import { buildWebhookDelivery, type WebhookMessage } from './webhook-body';
import type { DataverseState, RecordChange } from './state';
import { SANDBOX_DATAVERSE_BUSINESS_UNIT_ID, SANDBOX_DATAVERSE_ORG_ID, SANDBOX_DATAVERSE_USER_ID } from './server';
import type { TableName } from './tables';

export interface WebhookForwarderOptions {
  /** The connector's receiver, e.g. http://127.0.0.1:3000/webhooks/dataverse */
  readonly url: string;
  /** The webhook key, sent the way `auth` says. */
  readonly webhookKey?: string;
  /**
   * `header` (default): `x-connector-key: <key>`, as an HttpHeader registration (authtype 5) sends it — what
   * `connector register-webhooks` creates. `query`: `?code=<key>`, as an older WebhookKey registration (authtype 4).
   */
  readonly auth?: 'header' | 'query';
  /** Value of x-ms-dynamics-organization (the environment's host name). */
  readonly organization: string;
  readonly organizationName?: string;
  /** Tables to forward (default: the synced ones and order lines). */
  readonly tables?: readonly TableName[];
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

export interface WebhookDeliveryOutcome {
  readonly table: string;
  readonly id: string;
  readonly message: WebhookMessage;
  readonly status?: number;
  readonly error?: string;
}

export interface WebhookForwarder {
  readonly deliveries: readonly WebhookDeliveryOutcome[];
  /** Resolves once every delivery started so far has finished. */
  settle(): Promise<void>;
  stop(): void;
}

const DEFAULT_TABLES: readonly TableName[] = ['account', 'contact', 'product', 'salesorder', 'salesorderdetail'];

export function forwardChangesAsWebhooks(state: DataverseState, options: WebhookForwarderOptions): WebhookForwarder {
  const tables = options.tables ?? DEFAULT_TABLES;
  const deliveries: WebhookDeliveryOutcome[] = [];
  const pending = new Set<Promise<void>>();
  const target = new URL(options.url);
  const auth = options.auth ?? 'header';
  if (options.webhookKey && auth === 'query') target.searchParams.set('code', options.webhookKey);
  const keyHeader: Record<string, string> =
    options.webhookKey && auth === 'header' ? { 'x-connector-key': options.webhookKey } : {};

  const unsubscribe = state.subscribe((change) => {
    if (!tables.includes(change.table)) return;
    const job = deliver(change).finally(() => pending.delete(job));
    pending.add(job);
  });

  async function deliver(change: RecordChange): Promise<void> {
    const { body, headers } = buildWebhookDelivery({
      table: change.table,
      id: change.id,
      message: change.message,
      organizationId: SANDBOX_DATAVERSE_ORG_ID,
      organizationName: options.organizationName ?? 'sandbox',
      organization: options.organization,
      userId: SANDBOX_DATAVERSE_USER_ID,
      businessUnitId: SANDBOX_DATAVERSE_BUSINESS_UNIT_ID,
      changed: changedValues(state, change),
      ...(change.parentOrderId ? { parentOrderId: change.parentOrderId } : {}),
      when: new Date((options.clock ?? Date.now)()),
    });
    const base = { table: change.table, id: change.id, message: change.message };
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { ...headers, ...keyHeader },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      deliveries.push({ ...base, status: response.status });
    } catch (error) {
      deliveries.push({ ...base, error: error instanceof Error ? error.name : 'delivery failed' });
    }
  }

  return {
    deliveries,
    settle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: unsubscribe,
  };
}

/** The changed columns with their current values; lookups become {table, id} references. */
function changedValues(state: DataverseState, change: RecordChange): Record<string, unknown> {
  const record = state.find(change.table, change.id);
  if (!record) return {};
  const values: Record<string, unknown> = {};
  for (const column of change.changed) {
    const ref = record.lookups[column];
    values[column] = ref !== undefined ? ref : (record.values[column] ?? null);
  }
  return values;
}
