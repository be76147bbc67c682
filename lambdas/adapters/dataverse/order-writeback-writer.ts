/**
 * OrderWriteback over the Dataverse Web API (dynamics-web-api 2.5.0): finds a sales order by ordernumber, reading
 * the current write-back columns in the same GET, and PATCHes only the write-back columns.
 *
 * Loop safety: the PATCH touches nothing but the write-back columns, which the sync's webhook steps do not list
 * as filtering attributes, and it is made by the connector's application user, whose changes the ingress ignores.
 * `If-Match: *` makes the PATCH an update only: a deleted order answers 404 instead of being re-created.
 *
 * Tokens come from the same DataverseTokenSource as the reader; failures are classified by the same policy
 * (dataverse-error-policy.ts): bounded in-process retries that honour Retry-After, longer waits raised as typed
 * errors for the queue.
 */
import { createHash } from 'node:crypto';
import { DynamicsWebApi } from 'dynamics-web-api';
import { integrationLogNames, integrationLogRow } from '../../core/dataverse-admin';
import { PermanentError, ValidationError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { Decimal } from '../../core/money';
import type { WritebackColumns } from '../../core/writeback/columns';
import type { OrderUpdateResult, OrderWriteback, WritebackOrder, WritebackValues } from '../../core/writeback/ports';
import { DATAVERSE_NOT_FOUND, normaliseDataverseUrl, retryDataverseCall } from './dataverse-error-policy';
import type { DataverseTokenSource } from './dataverse-token-source';

export interface OrderWritebackWriterOptions {
  /** Environment URL, e.g. https://contoso.crm.dynamics.com (DATAVERSE_URL). */
  readonly serverUrl: string;
  readonly tokenSource: DataverseTokenSource;
  /** Per-request timeout (default 15 s). */
  readonly timeoutMs?: number;
  /** Attempts per call, first included (default 3). */
  readonly maxAttempts?: number;
  /** The longest Retry-After waited in-process (default 10 s); longer ones are raised for the queue. */
  readonly maxRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
  /** Where invoice state of orders that are not Active goes: the integration log (default prefix d365x). */
  readonly integrationLog?: { readonly prefix?: string; readonly entitySet?: string };
}

const DEFAULTS = { timeoutMs: 15_000, maxAttempts: 3, maxRetryDelayMs: 10_000 };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Row = Record<string, unknown>;
type Field = keyof WritebackValues;

/** OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function textValue(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function amountValue(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Decimal.fromNumber(value).toString();
  if (typeof value === 'string' && value.trim() !== '') {
    try {
      return Decimal.parse(value).toString();
    } catch {
      return null;
    }
  }
  return null;
}

/** Date-only columns come back as "YYYY-MM-DD"; dynamics-web-api turns date-time strings into Date objects. */
function dayValue(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return null;
}

const READERS: Record<Field, (value: unknown) => string | null> = {
  invoiceNumber: textValue,
  status: textValue,
  amountDue: amountValue,
  amountPaid: amountValue,
  fullyPaidOn: dayValue,
  invoiceUrl: textValue,
};

/** Dataverse wants Money as a JSON number; the decimal string is exact to well beyond a currency's places. */
function toWire(field: Field, value: string | null): unknown {
  if (value === null) return null;
  return field === 'amountDue' || field === 'amountPaid' ? Number(value) : value;
}

function describeInvoiceState(values: WritebackValues): string {
  const parts = [
    `Xero invoice ${values.invoiceNumber ?? ''}`.trim(),
    values.status ?? 'status unknown',
    values.amountDue === null ? undefined : `amount due ${values.amountDue}`,
    values.amountPaid === null ? undefined : `paid ${values.amountPaid}`,
    values.fullyPaidOn === null ? undefined : `fully paid on ${values.fullyPaidOn}`,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}

/** A GUID (version-4 layout) from a SHA-256 of `text`: the same text always names the same row. */
function deterministicGuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class DataverseOrderWritebackWriter implements OrderWriteback {
  private readonly api: DynamicsWebApi;
  private readonly settings: typeof DEFAULTS;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: OrderWritebackWriterOptions) {
    const serverUrl = normaliseDataverseUrl(options.serverUrl);
    this.settings = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
    };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.api = new DynamicsWebApi({
      serverUrl,
      dataApi: { version: '9.2' },
      onTokenRefresh: () => options.tokenSource(),
      timeout: this.settings.timeoutMs,
      propagateErrors: true,
    });
  }

  async findOrderByNumber(orderNumber: string, columns: WritebackColumns): Promise<WritebackOrder | null> {
    const fields = Object.keys(READERS) as Field[];
    const page = await this.call('find salesorder by ordernumber', () =>
      this.api.retrieveMultiple<Row>({
        collection: 'salesorders',
        select: ['salesorderid', 'statecode', ...fields.map((field) => columns[field])],
        filter: `ordernumber eq ${odataString(orderNumber)}`,
        // Two are enough to notice a duplicate number.
        top: 2,
      })
    );
    const rows = page === DATAVERSE_NOT_FOUND ? [] : Array.isArray(page.value) ? page.value : [];
    if (rows.length === 0) return null;
    if (rows.length > 1) {
      throw new PermanentError(
        'more than one Dataverse sales order has the invoice Reference as ordernumber',
        'WRITEBACK_AMBIGUOUS_ORDER'
      );
    }
    const row = rows[0] as Row;
    const salesOrderId = typeof row['salesorderid'] === 'string' ? row['salesorderid'].toLowerCase() : '';
    if (!GUID.test(salesOrderId)) {
      throw new PermanentError('Dataverse returned a sales order without a valid id', 'DATAVERSE_SHAPE');
    }
    const current = Object.fromEntries(
      fields.map((field) => [field, READERS[field](row[columns[field]])])
    ) as unknown as WritebackValues;
    const statecode = row['statecode'];
    return { salesOrderId, current, ...(typeof statecode === 'number' && { active: statecode === 0 }) };
  }

  /**
   * An order that is not Active cannot be edited, so the invoice state becomes an integration-log row regarding the
   * order. The row id is derived from order, invoice and state: applying the same state again rewrites the same row
   * (PATCH upsert) instead of adding another.
   */
  async recordOnInactiveOrder(salesOrderId: string, invoiceId: string, values: WritebackValues): Promise<void> {
    const key = salesOrderId.trim().toLowerCase();
    if (!GUID.test(key)) throw new ValidationError('not a Dataverse sales order id');
    const names = integrationLogNames(this.options.integrationLog?.prefix);
    const row = integrationLogRow(
      {
        table: 'salesorder',
        id: key,
        event: 'Update',
        status: 'synced',
        xeroId: invoiceId,
        message: `${describeInvoiceState(values)}; the order is not Active, so Dataverse keeps its invoice columns unchanged`,
      },
      { names }
    );
    const rowId = deterministicGuid(`${key}\n${invoiceId}\n${JSON.stringify(values)}`);
    await this.call('record invoice state of a closed order', () =>
      this.api.upsert({ collection: this.options.integrationLog?.entitySet ?? names.entitySet, key: rowId, data: row })
    );
  }

  async updateOrder(
    salesOrderId: string,
    changes: Partial<WritebackValues>,
    columns: WritebackColumns
  ): Promise<OrderUpdateResult> {
    const key = salesOrderId.trim().toLowerCase();
    if (!GUID.test(key)) throw new ValidationError('not a Dataverse sales order id');
    const data: Row = {};
    for (const [field, value] of Object.entries(changes) as [Field, string | null | undefined][]) {
      if (value !== undefined) data[columns[field]] = toWire(field, value);
    }
    if (Object.keys(data).length === 0) return 'updated';
    const result = await this.call('update salesorder write-back columns', () =>
      this.api.update({ collection: 'salesorders', key, data, ifmatch: '*' })
    );
    return result === DATAVERSE_NOT_FOUND ? 'not-found' : 'updated';
  }

  /** One Web API call with bounded retries: 429 and 5xx honour Retry-After, transport failures back off. */
  private call<T>(what: string, run: () => Promise<T>): Promise<T | typeof DATAVERSE_NOT_FOUND> {
    return retryDataverseCall(what, run, { ...this.settings, sleep: this.sleep, logger: this.options.logger });
  }
}

/** https only, except loopback (sandbox and tests); the origin alone. */

export function createOrderWritebackWriter(options: OrderWritebackWriterOptions): OrderWriteback {
  return new DataverseOrderWritebackWriter(options);
}
