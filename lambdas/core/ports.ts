/**
 * Ports: everything the pure core needs from the outside world, as interfaces. Adapters (lambdas/adapters)
 * implement them for AWS, the local runtime and the sandbox; tests use in-memory fakes.
 */
import type { ChangeEvent, SyncedTable } from './model/change-event';
import type { XeroWrite } from './model/xero-write';
import type { DvAccount, DvContact, DvProduct, DvSalesOrder } from './model/dataverse';
import type {
  XeroContact,
  XeroContactRef,
  XeroInvoice,
  XeroInvoiceRef,
  XeroInvoiceStatus,
  XeroBrandingTheme,
  XeroOrganisation,
  XeroItem,
  XeroItemRef,
} from './model/xero';

/** Reads the current state of a record. `null` means the record no longer exists (HTTP 404). */
export interface DataverseReader {
  getAccount(id: string): Promise<DvAccount | null>;
  getContact(id: string): Promise<DvContact | null>;
  getProduct(id: string): Promise<DvProduct | null>;
  getSalesOrder(id: string): Promise<DvSalesOrder | null>;
}

/** The outcome of one element of a batched Xero write (summarizeErrors=false). */
export type ElementResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly messages: readonly string[] };

/**
 * Xero Accounting API for one tenant. Batches hold at most 50 elements; every write carries an Idempotency-Key.
 * Implementations throw typed errors (TransientError, RateLimitedError, ReconnectRequiredError, PermanentError).
 */
export interface XeroGateway {
  findContactsByNumber(contactNumbers: readonly string[]): Promise<Map<string, XeroContactRef>>;
  findContactByName(name: string): Promise<XeroContactRef | null>;
  /** PUT /Contacts creates those without ContactID; POST /Contacts updates those with one. */
  saveContacts(contacts: readonly XeroContact[], idempotencyKey: string): Promise<ElementResult<XeroContactRef>[]>;
  findItemsByCode(codes: readonly string[]): Promise<Map<string, XeroItemRef>>;
  saveItems(items: readonly XeroItem[], idempotencyKey: string): Promise<ElementResult<XeroItemRef>[]>;
  findInvoicesByReference(references: readonly string[]): Promise<Map<string, XeroInvoiceRef>>;
  saveInvoices(invoices: readonly XeroInvoice[], idempotencyKey: string): Promise<ElementResult<XeroInvoiceRef>[]>;
  setInvoiceStatus(
    invoiceId: string,
    status: Extract<XeroInvoiceStatus, 'VOIDED' | 'DELETED'>,
    idempotencyKey: string
  ): Promise<XeroInvoiceRef>;
  /** GET /Organisation of the connected tenant (time zone, ShortCode); adapters may cache it. */
  readOrganisation?(): Promise<XeroOrganisation>;
  /**
   * GET /BrandingThemes of the connected tenant (names → ids for settings.brandingThemes); adapters may cache it,
   * except when asked to `refresh` (a name missing from a cached list may be a theme added since).
   */
  listBrandingThemes?(options?: { readonly refresh?: boolean }): Promise<readonly XeroBrandingTheme[]>;
}

/** The document kinds whose natural keys a key index can list (ContactNumber, Item Code, ACCREC Reference). */
export type XeroKeyKind = 'contacts' | 'items' | 'invoices';

/** Lists every natural key of one kind in the tenant, for a key index (see core/sync/xero-key-index.ts). */
export interface XeroKeyLister {
  /** Every key, or `undefined` when the tenant holds more than `maxPages` pages of them (too big to index). */
  listExistingKeys(kind: XeroKeyKind, maxPages: number): Promise<ReadonlySet<string> | undefined>;
}

export type SyncStatus = 'synced' | 'failed' | 'skipped';

/**
 * A record's state also knows `creating`: a create was sent to Xero and its outcome is not known yet (written just
 * before the call). Such a record is always looked up by its key before another create, never trusted to a key index.
 */
export type SyncRecordStatus = SyncStatus | 'creating';

/** What the connector remembers about a Dataverse record it has synced. */
export interface SyncRecord {
  readonly table: SyncedTable;
  readonly id: string;
  /**
   * The Xero organisation the record is synced to, when routing (core/routing) sends records to several. Unset for
   * the single organisation and for routing's default organisation: their records keep the keys they always had,
   * so a deployment that turns routing on needs no migration (see core/routing/tenant-state.ts).
   */
  readonly tenantId?: string;
  readonly xeroId?: string;
  /** The natural key in Xero: ContactNumber, Item Code or invoice Reference. */
  readonly xeroKey?: string;
  /** Dataverse modifiedon of the version last written; older versions are never written over newer ones. */
  readonly version?: string;
  readonly status: SyncRecordStatus;
  readonly message?: string;
  readonly updatedAt: string;
}

export interface SyncStateStore {
  /** `tenantId`: the organisation's state (see SyncRecord.tenantId); unset for the default one. */
  get(table: SyncedTable, id: string, tenantId?: string): Promise<SyncRecord | null>;
  put(record: SyncRecord): Promise<void>;
  /**
   * The state of many records at once, strongly consistent like `get` (a `creating` mark written a moment ago by
   * another process counts). The answer is aligned with `refs`: null where nothing is known.
   */
  getMany(refs: readonly SyncRecordRef[]): Promise<(SyncRecord | null)[]>;
  /** Writes many records (unconditionally, like `put`); when one record appears twice the last one wins. */
  putMany(records: readonly SyncRecord[]): Promise<void>;
}

export type SyncRecordRef = Pick<SyncRecord, 'table' | 'id' | 'tenantId'>;

/** One record's result, handed to the integration log and metrics. */
export interface SyncOutcome {
  readonly table: SyncedTable;
  readonly id: string;
  /** The record as a person knows it (account name, product name, order number), when it was read. */
  readonly name?: string;
  readonly status: SyncStatus;
  readonly message: string;
  readonly xeroId?: string;
  readonly event: ChangeEvent['message'];
  readonly correlationId?: string;
  readonly errorCode?: string;
  /** When the outcome is a failure: does the work go back to the queue (true) or to the dead letters (false)? */
  readonly willRetry?: boolean;
  /** The Xero organisation's ShortCode, when known: deep links then open in that organisation. */
  readonly xeroShortCode?: string;
  /** The Xero organisation written to, when routing chose one (XeroWrite.tenantId). */
  readonly tenantId?: string;
}

export interface OutcomeSink {
  /** Must never throw: a failure to log an outcome never fails or repeats a sync. */
  record(outcome: SyncOutcome): Promise<void>;
}

export interface ChangeQueue {
  enqueue(events: readonly ChangeEvent[]): Promise<void>;
}

/** The Xero-writes queue between the map and post stages. */
export interface WriteQueue {
  enqueue(writes: readonly XeroWrite[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A valid Xero access token and the tenant it is for. Throws ReconnectRequiredError when there is none.
 * `tenantId`: one of the chosen organisations (routing); unset means the default (only) organisation.
 */
export interface XeroAccessProvider {
  getAccess(tenantId?: string): Promise<{ readonly accessToken: string; readonly tenantId: string }>;
  /** Drop a cached token Xero refused, so the next getAccess asks the token service again. */
  forget?(): void;
  /**
   * Tell the token service Xero refused the connection for good (it marks it reconnect-required): for one
   * organisation when `tenantId` is given, else for the whole connection.
   */
  reportRejected?(reason: string, tenantId?: string): Promise<void>;
}
