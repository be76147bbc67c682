/**
 * XeroInvoiceReader (write-back) over xero-node's AccountingApi, deep-imported like the gateway.
 *
 * Every call goes through a XeroCallRunner built on the limiter the caller passes in: give it the same
 * TenantRateLimiter as the XeroAccountingGateway of the process, so both directions spend one Xero budget per
 * tenant (429s, Retry-After and X-*Limit-Remaining are seen by both). The runner also supplies the access token,
 * the bounded retries and the typed errors; a request hook adds the timeout xero-node lacks.
 *
 * The runner returns Xero's raw JSON (PascalCase, .NET `/Date(ms+0000)/` dates), which is read here into the
 * core's snapshots. A 404 means Xero does not know the document: `null`, not an error.
 */
import type { AccountingApi } from 'xero-node/dist/gen/api/accountingApi';
import { createAccountingApi } from './accounting-api';
import { PermanentError } from '../../core/errors';
import type { Clock, Logger, XeroAccessProvider } from '../../core/ports';
import type { Sleep, TenantCallBudget } from '../../core/rate-limit/tenant-call-budget';
import type {
  XeroCreditNoteSnapshot,
  XeroInvoicePage,
  XeroInvoiceReader,
  XeroInvoiceSnapshot,
} from '../../core/writeback/ports';
import { DEFAULT_RETRY_POLICY, XeroCallRunner, type RetryPolicy } from './xero-call-runner';
import { elementsOf } from './xero-element-results';
import { systemClock } from '../system-clock';

const PAGE_SIZE = 100;
const UNIT_DP = 4;

/** What every Xero reader outside the gateway is built from (the invoice poll, the preflight's organisation reads). */
export interface XeroReaderOptions {
  readonly access: XeroAccessProvider;
  /** Required on purpose: pass the process's shared budget so the reader and the sync spend one Xero budget. */
  readonly limiter: TenantCallBudget;
  /** XERO_API_URL; default https://api.xero.com. */
  readonly apiUrl?: string;
  /** Per-request timeout (default 20 s). */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly logger?: Logger;
}

export interface XeroInvoiceReaderOptions extends XeroReaderOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Invoices per poll page (Xero allows up to 1,000; default 100). */
  readonly pageSize?: number;
}

type Loose = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const asObject = (value: unknown): Loose => (typeof value === 'object' && value !== null ? (value as Loose) : {});

/** Xero dates: `/Date(1700000000000+0000)/` in the API's JSON; ISO strings accepted too. Epoch ms or undefined. */
export function parseXeroDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const dotNet = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value);
  if (dotNet) return Number(dotNet[1]);
  const iso = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? value : undefined;
  if (!iso) return undefined;
  // Xero's ISO date-times carry no zone and are UTC.
  const ms = Date.parse(/T[\d:.]+$/.test(iso) ? `${iso}Z` : iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function isoDay(value: unknown): string | undefined {
  const ms = parseXeroDate(value);
  return ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 10);
}

function isoInstant(value: unknown): string | undefined {
  const ms = parseXeroDate(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export function toInvoiceSnapshot(element: Loose): XeroInvoiceSnapshot | undefined {
  const invoiceId = text(element.InvoiceID);
  const status = text(element.Status);
  const type = text(element.Type);
  if (!invoiceId || !status || !type) return undefined;
  const snapshot: { -readonly [K in keyof XeroInvoiceSnapshot]: XeroInvoiceSnapshot[K] } = { invoiceId, type, status };
  const invoiceNumber = text(element.InvoiceNumber);
  if (invoiceNumber !== undefined) snapshot.invoiceNumber = invoiceNumber;
  const reference = text(element.Reference);
  if (reference !== undefined) snapshot.reference = reference;
  const amounts = [
    ['total', 'Total'],
    ['amountDue', 'AmountDue'],
    ['amountPaid', 'AmountPaid'],
    ['amountCredited', 'AmountCredited'],
  ] as const;
  for (const [field, key] of amounts) {
    const value = num(element[key]);
    if (value !== undefined) snapshot[field] = value;
  }
  const fullyPaidOn = isoDay(element.FullyPaidOnDate);
  if (fullyPaidOn !== undefined) snapshot.fullyPaidOn = fullyPaidOn;
  const updatedAt = isoInstant(element.UpdatedDateUTC);
  if (updatedAt !== undefined) snapshot.updatedAt = updatedAt;
  return snapshot;
}

function toCreditNoteSnapshot(element: Loose): XeroCreditNoteSnapshot | undefined {
  const creditNoteId = text(element.CreditNoteID);
  const type = text(element.Type);
  if (!creditNoteId || !type) return undefined;
  const allocations = Array.isArray(element.Allocations) ? element.Allocations : [];
  const ids = allocations.map((allocation) => text(asObject(asObject(allocation).Invoice).InvoiceID));
  return {
    creditNoteId,
    type,
    allocatedInvoiceIds: [...new Set(ids.filter((id): id is string => id !== undefined))],
  };
}

const isNotFound = (error: unknown) => error instanceof PermanentError && error.code === 'XERO_HTTP_404';

export class XeroAccountingInvoiceReader implements XeroInvoiceReader {
  private readonly api: AccountingApi;
  private readonly runner: XeroCallRunner;
  private readonly pageSize: number;
  private readonly clock: Clock;
  private organisation?: { readonly at: number; readonly shortCode?: string };

  constructor(options: XeroInvoiceReaderOptions) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.api = createAccountingApi(options.apiUrl, options.timeoutMs ?? 20_000);
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? PAGE_SIZE));
    this.runner = new XeroCallRunner({
      access: options.access,
      limiter: options.limiter,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: () => clock.now().getTime(),
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      ...(options.logger && { logger: options.logger }),
    });
  }

  private authorised(accessToken: string): AccountingApi {
    this.api.accessToken = accessToken;
    return this.api;
  }

  /**
   * The organisation's ShortCode for invoice links (GET /Organisation, kept for an hour). A failure to read it only
   * costs the link its organisation, never the write-back.
   */
  private async shortCode(): Promise<string | undefined> {
    const now = this.clock.now().getTime();
    if (this.organisation && now - this.organisation.at < 3_600_000) return this.organisation.shortCode;
    let shortCode: string | undefined;
    try {
      const body = await this.runner.run('GET /Organisation', ({ accessToken, tenantId }) =>
        this.authorised(accessToken).getOrganisations(tenantId)
      );
      shortCode = text(elementsOf(body, 'Organisations')[0]?.ShortCode);
    } catch {
      shortCode = undefined;
    }
    this.organisation = { at: now, ...(shortCode && { shortCode }) };
    return shortCode;
  }

  private async withShortCode(invoice: XeroInvoiceSnapshot): Promise<XeroInvoiceSnapshot> {
    const shortCode = await this.shortCode();
    return shortCode ? { ...invoice, shortCode } : invoice;
  }

  async getInvoice(invoiceId: string): Promise<XeroInvoiceSnapshot | null> {
    let body: unknown;
    try {
      body = await this.runner.run('GET /Invoices/{id}', ({ accessToken, tenantId }) =>
        this.authorised(accessToken).getInvoice(tenantId, invoiceId, UNIT_DP)
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const found = elementsOf(body, 'Invoices')
      .map(toInvoiceSnapshot)
      .find((invoice) => invoice?.invoiceId.toLowerCase() === invoiceId.toLowerCase());
    return found ? this.withShortCode(found) : null;
  }

  async getCreditNote(creditNoteId: string): Promise<XeroCreditNoteSnapshot | null> {
    let body: unknown;
    try {
      body = await this.runner.run('GET /CreditNotes/{id}', ({ accessToken, tenantId }) =>
        this.authorised(accessToken).getCreditNote(tenantId, creditNoteId, UNIT_DP)
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const found = elementsOf(body, 'CreditNotes')
      .map(toCreditNoteSnapshot)
      .find((note) => note?.creditNoteId.toLowerCase() === creditNoteId.toLowerCase());
    return found ?? null;
  }

  async listSalesInvoicesModifiedSince(since: string | undefined, page: number): Promise<XeroInvoicePage> {
    const ifModifiedSince = since === undefined ? undefined : new Date(since);
    if (ifModifiedSince && Number.isNaN(ifModifiedSince.getTime())) {
      throw new PermanentError('invoice poll: If-Modified-Since is not a date', 'XERO_POLL_SINCE');
    }
    const body = await this.runner.run('GET /Invoices (modified since)', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getInvoices(
        tenantId,
        ifModifiedSince,
        'Type=="ACCREC"',
        'UpdatedDateUTC ASC',
        undefined,
        undefined,
        undefined,
        undefined,
        page,
        undefined,
        undefined,
        UNIT_DP,
        undefined,
        this.pageSize
      )
    );
    const elements = elementsOf(body, 'Invoices');
    const invoices = elements
      .map(toInvoiceSnapshot)
      .filter((invoice): invoice is XeroInvoiceSnapshot => invoice !== undefined);
    const shortCode = invoices.length > 0 ? await this.shortCode() : undefined;
    return {
      invoices: shortCode ? invoices.map((invoice) => ({ ...invoice, shortCode })) : invoices,
      hasMore: elements.length >= this.pageSize,
    };
  }
}

export function createXeroInvoiceReader(options: XeroInvoiceReaderOptions): XeroInvoiceReader {
  return new XeroAccountingInvoiceReader(options);
}
