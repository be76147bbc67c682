/**
 * DataverseReader over the Dataverse Web API (dynamics-web-api 2.5.0). Reads one record by key with the columns
 * and expansions the mappers need, follows paged expansions, and turns HTTP failures into typed errors after a
 * bounded number of in-process retries that honour Retry-After.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import type { Expand } from 'dynamics-web-api';
import { PermanentError, ValidationError } from '../../core/errors';
import type { SyncedTable } from '../../core/model/change-event';
import type { DvAccount, DvContact, DvProduct, DvSalesOrder } from '../../core/model/dataverse';
import type { DataverseReader, Logger } from '../../core/ports';
import { DATAVERSE_NOT_FOUND, normaliseDataverseUrl, retryDataverseCall } from './dataverse-error-policy';
import type { WebApiRecord } from './dataverse-record-mapper';
import {
  ACCOUNT_SELECT,
  CONTACT_SELECT,
  CURRENCY_EXPAND,
  LINE_PRODUCT_EXPAND,
  ORDER_LINE_SELECT,
  ORDER_SELECT,
  PRIMARY_CONTACT_EXPAND,
  ACCOUNT_CONTACTS_EXPAND,
  PRODUCT_SELECT,
  mapAccount,
  mapContact,
  mapProduct,
  mapSalesOrder,
} from './dataverse-record-mapper';
import type { DataverseEnvironment, DataverseTokenSource } from './dataverse-token-source';
import { dataverseConnectionFromEnv } from './dataverse-token-source';

export interface DataverseReaderOptions {
  /** Environment URL, e.g. https://contoso.crm.dynamics.com (DATAVERSE_URL). */
  readonly serverUrl: string;
  readonly tokenSource: DataverseTokenSource;
  /** Per-request timeout (dynamics-web-api `timeout`). */
  readonly timeoutMs?: number;
  /** Attempts per call, first included. */
  readonly maxAttempts?: number;
  /** The longest Retry-After waited in-process; longer waits become RateLimitedError for the queue to honour. */
  readonly maxRetryDelayMs?: number;
  /** Upper bound on nextLink pages followed for one order's lines. */
  readonly maxLinePages?: number;
  /** Extra columns per table: sync conditions and the routing column (core/sync/extra-columns.ts extraColumns). */
  readonly conditionColumns?: Partial<Record<SyncedTable, readonly string[]>>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

const DEFAULTS = { timeoutMs: 15_000, maxAttempts: 3, maxRetryDelayMs: 10_000, maxLinePages: 50 };
const LOOKUP_ANNOTATIONS = '*';
const FORMATTED_VALUE = '@OData.Community.Display.V1.FormattedValue';

const TABLES: Record<SyncedTable, { readonly collection: string; readonly idColumn: string }> = {
  account: { collection: 'accounts', idColumn: 'accountid' },
  contact: { collection: 'contacts', idColumn: 'contactid' },
  product: { collection: 'products', idColumn: 'productid' },
  salesorder: { collection: 'salesorders', idColumn: 'salesorderid' },
};

type Found<T> = T | typeof DATAVERSE_NOT_FOUND;

export class DataverseWebApiReader implements DataverseReader {
  private readonly api: DynamicsWebApi;
  private readonly apiBase: string;
  private readonly settings: typeof DEFAULTS;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DataverseReaderOptions) {
    const serverUrl = normaliseDataverseUrl(options.serverUrl);
    this.settings = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
      maxLinePages: options.maxLinePages ?? DEFAULTS.maxLinePages,
    };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    // Same rule as dynamics-web-api: the API lives at <server>/api/data/v9.2/.
    this.apiBase = new URL('api/data/v9.2/', `${serverUrl}/`).toString();
    this.api = new DynamicsWebApi({
      serverUrl,
      dataApi: { version: '9.2' },
      onTokenRefresh: () => options.tokenSource(),
      timeout: this.settings.timeoutMs,
      includeAnnotations: LOOKUP_ANNOTATIONS,
      propagateErrors: true,
    });
  }

  async getAccount(id: string): Promise<DvAccount | null> {
    const record = await this.retrieveById('account', id, ACCOUNT_SELECT, [
      CURRENCY_EXPAND,
      PRIMARY_CONTACT_EXPAND,
      ACCOUNT_CONTACTS_EXPAND,
    ]);
    return record ? this.withConditionValues('account', mapAccount(record), record) : null;
  }

  async getContact(id: string): Promise<DvContact | null> {
    const record = await this.retrieveById('contact', id, CONTACT_SELECT, [CURRENCY_EXPAND]);
    return record ? this.withConditionValues('contact', mapContact(record), record) : null;
  }

  async getProduct(id: string): Promise<DvProduct | null> {
    const record = await this.retrieveById('product', id, PRODUCT_SELECT, [CURRENCY_EXPAND]);
    return record ? this.withConditionValues('product', mapProduct(record), record) : null;
  }

  async getSalesOrder(id: string): Promise<DvSalesOrder | null> {
    const lineExpand: Expand = { property: 'order_details', select: ORDER_LINE_SELECT, expand: [LINE_PRODUCT_EXPAND] };
    const record = await this.retrieveById('salesorder', id, ORDER_SELECT, [CURRENCY_EXPAND, lineExpand]);
    if (!record) return null;
    const lines = await this.allOrderLines(record);
    return lines === DATAVERSE_NOT_FOUND
      ? null
      : this.withConditionValues('salesorder', mapSalesOrder(record, lines), record);
  }

  /**
   * The values of the table's extra columns, as the Web API returned them (Yes/No → true/false), plus the label
   * of a choice or lookup value when Dataverse annotated one (routing matches either).
   */
  private withConditionValues<T extends object>(table: SyncedTable, mapped: T, record: WebApiRecord): T {
    const columns = this.options.conditionColumns?.[table] ?? [];
    if (columns.length === 0) return mapped;
    const conditionValues = Object.fromEntries(columns.map((c) => [c, record[c] ?? null]));
    // Choice labels and lookup names: tracking options and routes may be matched by them.
    const labels = columns
      .map((c) => [c, record[`${c}${FORMATTED_VALUE}`]] as const)
      .filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string');
    return { ...mapped, conditionValues, ...(labels.length > 0 && { conditionLabels: Object.fromEntries(labels) }) };
  }

  /** Ids of a table's records, optionally only those modified since a moment, page by page (for backfill). */
  async *listRecordIds(table: SyncedTable, since?: Date | string, pageSize = 500): AsyncGenerator<string> {
    const { collection, idColumn } = TABLES[table];
    const filter = since === undefined ? undefined : `modifiedon ge ${isoInstant(since)}`;
    const request = {
      collection,
      select: [idColumn],
      orderBy: ['modifiedon asc'],
      maxPageSize: pageSize,
      ...(filter ? { filter } : {}),
    };
    let nextLink: string | undefined;
    do {
      const link = nextLink;
      if (link !== undefined) this.assertOwnLink(link);
      const page = await this.call(`list ${collection}`, () => this.api.retrieveMultiple<WebApiRecord>(request, link));
      if (page === DATAVERSE_NOT_FOUND) return;
      for (const row of page.value) {
        const id = row[idColumn];
        if (typeof id === 'string') yield id.toLowerCase();
      }
      nextLink = page.oDataNextLink ?? page['@odata.nextLink'];
    } while (nextLink);
  }

  private async retrieveById(
    table: SyncedTable,
    id: string,
    select: readonly string[],
    expand: readonly Expand[]
  ): Promise<WebApiRecord | null> {
    const key = guidKey(id);
    const { collection } = TABLES[table];
    const columns = [...new Set([...select, ...(this.options.conditionColumns?.[table] ?? [])])];
    const found = await this.call(`retrieve ${table} ${key}`, () =>
      this.api.retrieve<WebApiRecord>({
        collection,
        key,
        select: columns,
        expand: [...expand],
        includeAnnotations: LOOKUP_ANNOTATIONS,
        // Expanded collections may be served from a cache otherwise.
        headers: { 'If-None-Match': 'null' },
      })
    );
    return found === DATAVERSE_NOT_FOUND ? null : found;
  }

  /** A large order's expanded lines come back paged: the first page inline plus `order_details@odata.nextLink`. */
  private async allOrderLines(order: WebApiRecord): Promise<Found<WebApiRecord[]>> {
    const lines = [...asRecords(order['order_details'])];
    let nextLink = stringOrUndefined(order['order_details@odata.nextLink']);
    for (let pages = 0; nextLink; pages += 1) {
      if (pages >= this.settings.maxLinePages) {
        throw new PermanentError(`order has more than ${this.settings.maxLinePages} pages of lines`, 'DATAVERSE_SHAPE');
      }
      const link = nextLink;
      this.assertOwnLink(link);
      const page = await this.call('retrieve order lines page', () =>
        this.api.retrieveMultiple<WebApiRecord>(
          { collection: 'salesorderdetails', includeAnnotations: LOOKUP_ANNOTATIONS },
          link
        )
      );
      if (page === DATAVERSE_NOT_FOUND) return DATAVERSE_NOT_FOUND;
      lines.push(...asRecords(page.value));
      nextLink = page.oDataNextLink ?? page['@odata.nextLink'];
    }
    return lines;
  }

  /** The bearer token must never follow a link to another host. */
  private assertOwnLink(link: string): void {
    if (!link.startsWith(this.apiBase)) {
      throw new PermanentError('Dataverse returned a nextLink outside the configured environment', 'DATAVERSE_SHAPE');
    }
  }

  /** Runs one Web API call with bounded retries: 429 and 5xx honour Retry-After, transport failures back off. */
  private call<T>(what: string, run: () => Promise<T>): Promise<Found<T>> {
    return retryDataverseCall(what, run, { ...this.settings, sleep: this.sleep, logger: this.options.logger });
  }
}

export type DataverseReaderEnvironment = DataverseEnvironment;

/**
 * Builds the reader from the contract's environment variables. DATAVERSE_ACCESS_TOKEN (a static bearer) wins over
 * client credentials. Throws ValidationError naming every missing variable (never any value).
 */
export function createDataverseReaderFromEnv(
  env: DataverseReaderEnvironment,
  options: Omit<DataverseReaderOptions, 'serverUrl' | 'tokenSource'> = {}
): DataverseWebApiReader {
  return new DataverseWebApiReader({ ...options, ...dataverseConnectionFromEnv(env) });
}

/** https only, except a loopback address (local sandbox and tests); no path, no trailing slash. */

function guidKey(id: string): string {
  const key = id
    .trim()
    .toLowerCase()
    .replace(/^\{|\}$/g, '');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key)) {
    throw new ValidationError(`not a Dataverse record id: ${id.slice(0, 60)}`);
  }
  return key;
}

function isoInstant(since: Date | string): string {
  const date = since instanceof Date ? since : new Date(since);
  if (Number.isNaN(date.getTime())) throw new ValidationError('listRecordIds: `since` is not a date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function asRecords(value: unknown): WebApiRecord[] {
  return Array.isArray(value)
    ? value.filter((row): row is WebApiRecord => typeof row === 'object' && row !== null)
    : [];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
