/**
 * XeroGateway over xero-node's AccountingApi for the tenant given by a XeroAccessProvider.
 *
 * - Deep-imports AccountingApi (not XeroClient) to keep Lambda bundles small (research §5).
 * - Our wire objects (PascalCase, lambdas/core/model/xero.ts) go through xero-node's ObjectSerializer; the
 *   round trip is checked so a field the SDK does not know is a loud error instead of a silently dropped value.
 * - Every request gets a timeout: xero-node sets none, so a request hook adds axios `timeout` and an AbortSignal.
 * - Writes: PUT creates, POST updates (by the id in the element) with summarizeErrors=false, unitdp=4 for
 *   items/invoices, and the caller's Idempotency-Key; results are read per element. POST without an id is never
 *   used to create: Xero's POST updates an existing invoice with the same InvoiceNumber (and an item with the same
 *   Code), so it could overwrite a document made by hand (developer.xero.com/documentation/api/accounting/invoices,
 *   …/items, …/contacts: "PUT creates", "POST creates or updates").
 */
import type { AccountingApi } from 'xero-node/dist/gen/api/accountingApi';
import { ObjectSerializer } from 'xero-node/dist/gen/model/accounting/models';
import { createAccountingApi } from './accounting-api';
import type { Contacts } from 'xero-node/dist/gen/model/accounting/contacts';
import type { Invoices } from 'xero-node/dist/gen/model/accounting/invoices';
import type { Items } from 'xero-node/dist/gen/model/accounting/items';
import { PermanentError, ValidationError } from '../../core/errors';
import type {
  XeroContact,
  XeroContactRef,
  XeroInvoice,
  XeroInvoiceRef,
  XeroInvoiceStatus,
  XeroItem,
  XeroItemRef,
  XeroOrganisation,
  XeroBrandingTheme,
} from '../../core/model/xero';
import type {
  Clock,
  ElementResult,
  Logger,
  XeroAccessProvider,
  XeroGateway,
  XeroKeyKind,
  XeroKeyLister,
} from '../../core/ports';
import { TenantRateLimiter } from '../../core/rate-limit/tenant-rate-limiter';
import type { Sleep, TenantCallBudget } from '../../core/rate-limit/tenant-call-budget';
import { DEFAULT_RETRY_POLICY, XeroCallRunner, type RetryPolicy } from './xero-call-runner';
import { elementsOf, toContactRef, toElementResults, toInvoiceRef, toItemRef } from './xero-element-results';
import { LISTING_PAGE_SIZE, collectKeys } from './xero-key-listing';
import { chunkWhere, anyOf, quoteWhereValue, DEFAULT_CHUNK_LIMITS, type ChunkLimits } from './xero-where';
import { systemClock } from '../system-clock';

export { DEFAULT_XERO_API_URL } from './accounting-api';
export const MAX_BATCH = 50;
export const MAX_IDEMPOTENCY_KEY = 128;
/** Rows per page for paged lookups (Xero's default and cap is 100 for most endpoints). */
const PAGE_SIZE = 100;
/** A lookup never walks more pages than this; keys are unique, so more means something is wrong. */
const MAX_PAGES = 10;
const UNIT_DP = 4;

export interface XeroGatewayOptions {
  readonly access: XeroAccessProvider;
  /** XERO_API_URL; default https://api.xero.com. */
  readonly apiUrl?: string;
  /** Per-request timeout (default 20 s). */
  readonly timeoutMs?: number;
  /** Share one limiter between gateways in a process so a tenant's budget is counted once. */
  readonly limiter?: TenantCallBudget;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly lookupChunks?: Partial<ChunkLimits>;
}

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner
  );
}

/** Wire JSON → xero-node model, refusing any field the SDK would drop on the way back out. */
function toSdkModel<T>(wire: object, type: 'Contacts' | 'Items' | 'Invoices'): T {
  const model = ObjectSerializer.deserialize(wire, type) as T;
  if (canonical(ObjectSerializer.serialize(model, type)) !== canonical(wire)) {
    throw new PermanentError(
      `xero-node cannot carry every field of these ${type}; refusing a lossy write`,
      'XERO_SDK_FIELD'
    );
  }
  return model;
}

function checkBatch(count: number, idempotencyKey: string): void {
  if (count > MAX_BATCH) throw new ValidationError(`a Xero batch holds at most ${MAX_BATCH} elements, got ${count}`);
  if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY) {
    throw new ValidationError(`Idempotency-Key must be 1..${MAX_IDEMPOTENCY_KEY} characters`);
  }
}

const ORGANISATION_TTL_MS = 3_600_000;
/** Themes are renamed more often than the organisation changes; a rename is picked up within this. */
const BRANDING_THEMES_TTL_MS = 900_000;

function toOrganisation(element: Record<string, unknown> | undefined): XeroOrganisation {
  const text = (key: string) => (typeof element?.[key] === 'string' ? (element[key] as string) : undefined);
  return Object.fromEntries(
    (['Name', 'Timezone', 'ShortCode', 'BaseCurrency'] as const)
      .map((key) => [key, text(key)] as const)
      .filter(([, value]) => value !== undefined)
  ) as XeroOrganisation;
}

type Verb = 'PUT' | 'POST';

/**
 * Sends elements without an id by PUT (create only) and those with one by POST (update), and returns the results in
 * the caller's order. A batch of one kind keeps the caller's Idempotency-Key; a mixed batch sends two requests, each
 * with its own key derived from it.
 */
async function putOrPost<T, R>(
  elements: readonly T[],
  hasId: (element: T) => boolean,
  idempotencyKey: string,
  send: (part: T[], verb: Verb, key: string) => Promise<ElementResult<R>[]>
): Promise<ElementResult<R>[]> {
  const positions: Record<Verb, number[]> = { PUT: [], POST: [] };
  elements.forEach((element, index) => positions[hasId(element) ? 'POST' : 'PUT'].push(index));
  const mixed = positions.PUT.length > 0 && positions.POST.length > 0;
  const results: ElementResult<R>[] = new Array<ElementResult<R>>(elements.length);
  for (const verb of ['PUT', 'POST'] as const) {
    const indices = positions[verb];
    if (indices.length === 0) continue;
    const key = mixed ? `${idempotencyKey.slice(0, MAX_IDEMPOTENCY_KEY - 5)}-${verb.toLowerCase()}` : idempotencyKey;
    const part = await send(
      indices.map((index) => elements[index] as T),
      verb,
      key
    );
    indices.forEach((index, position) => {
      results[index] = part[position] ?? { ok: false, messages: ['no result returned for this element'] };
    });
  }
  return results;
}

const LIVE_INVOICE = (status: XeroInvoiceStatus) => status !== 'VOIDED' && status !== 'DELETED';

export class XeroAccountingGateway implements XeroGateway, XeroKeyLister {
  private readonly api: AccountingApi;
  private readonly runner: XeroCallRunner;
  private readonly chunkLimits: ChunkLimits;
  private readonly clock: Clock;
  private organisation?: { readonly at: number; readonly value: XeroOrganisation };
  private brandingThemes?: { readonly at: number; readonly value: readonly XeroBrandingTheme[] };

  constructor(options: XeroGatewayOptions) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const sleep = options.sleep ?? realSleep;
    this.api = createAccountingApi(options.apiUrl, options.timeoutMs ?? 20_000);
    this.chunkLimits = { ...DEFAULT_CHUNK_LIMITS, ...options.lookupChunks };
    this.runner = new XeroCallRunner({
      access: options.access,
      limiter: options.limiter ?? new TenantRateLimiter({ clock, sleep }),
      sleep,
      now: () => clock.now().getTime(),
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      ...(options.logger && { logger: options.logger }),
    });
  }

  /** Sets the token for this attempt; the SDK reads it when it builds the request. */
  private authorised(accessToken: string): AccountingApi {
    this.api.accessToken = accessToken;
    return this.api;
  }

  async findContactsByNumber(contactNumbers: readonly string[]): Promise<Map<string, XeroContactRef>> {
    const found = new Map<string, XeroContactRef>();
    for (const chunk of chunkWhere('ContactNumber', contactNumbers, this.chunkLimits)) {
      const where = anyOf('ContactNumber', chunk);
      for (const element of await this.pagedContacts(where, true)) {
        const ref = toContactRef(element);
        if (ref?.ContactNumber !== undefined && chunk.includes(ref.ContactNumber)) {
          // Prefer an active contact when an archived one shares the number.
          const seen = found.get(ref.ContactNumber);
          if (!seen || seen.ContactStatus === 'ARCHIVED') found.set(ref.ContactNumber, ref);
        }
      }
    }
    return found;
  }

  /**
   * Active contacts only: Xero's name uniqueness applies to active contacts. An exact match wins; otherwise a
   * match differing only in letter case is returned, as Xero may treat such names as the same.
   */
  async findContactByName(name: string): Promise<XeroContactRef | null> {
    const elements = await this.pagedContacts(`Name==${quoteWhereValue(name)}`, false);
    const refs = elements.map(toContactRef).filter((ref): ref is XeroContactRef => ref !== undefined);
    const folded = name.toLocaleLowerCase();
    return refs.find((ref) => ref.Name === name) ?? refs.find((ref) => ref.Name.toLocaleLowerCase() === folded) ?? null;
  }

  private async pagedContacts(where: string, includeArchived: boolean): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const elements = elementsOf(await this.contactsPage(page, PAGE_SIZE, { where, includeArchived }), 'Contacts');
      rows.push(...elements);
      if (elements.length < PAGE_SIZE) break;
    }
    return rows;
  }

  /** One page of GET /Contacts (raw body). */
  private contactsPage(
    page: number,
    pageSize: number,
    filter: { where?: string; includeArchived: boolean; summaryOnly?: boolean }
  ): Promise<unknown> {
    return this.runner.run('GET /Contacts', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getContacts(
        tenantId,
        undefined,
        filter.where,
        undefined,
        undefined,
        page,
        filter.includeArchived,
        filter.summaryOnly,
        undefined,
        pageSize
      )
    );
  }

  /** One page of GET /Invoices matching `where` (raw body). */
  private invoicesPage(page: number, pageSize: number, where: string, summaryOnly?: boolean): Promise<unknown> {
    return this.runner.run('GET /Invoices', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getInvoices(
        tenantId,
        undefined,
        where,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        page,
        undefined,
        undefined,
        UNIT_DP,
        summaryOnly,
        pageSize
      )
    );
  }

  async saveContacts(
    contacts: readonly XeroContact[],
    idempotencyKey: string
  ): Promise<ElementResult<XeroContactRef>[]> {
    checkBatch(contacts.length, idempotencyKey);
    if (contacts.length === 0) return [];
    return putOrPost(
      contacts,
      (c) => c.ContactID !== undefined,
      idempotencyKey,
      async (part, verb, key) => {
        const model = toSdkModel<Contacts>({ Contacts: part }, 'Contacts');
        const body = await this.runner.run(`${verb} /Contacts`, ({ accessToken, tenantId }) =>
          verb === 'PUT'
            ? this.authorised(accessToken).createContacts(tenantId, model, false, key)
            : this.authorised(accessToken).updateOrCreateContacts(tenantId, model, false, key)
        );
        return toElementResults(body, 'Contacts', part.length, toContactRef);
      }
    );
  }

  async findItemsByCode(codes: readonly string[]): Promise<Map<string, XeroItemRef>> {
    const found = new Map<string, XeroItemRef>();
    for (const chunk of chunkWhere('Code', codes, this.chunkLimits)) {
      // GET /Items is not paged: it returns every match.
      const body = await this.runner.run('GET /Items', ({ accessToken, tenantId }) =>
        this.authorised(accessToken).getItems(tenantId, undefined, anyOf('Code', chunk), undefined, UNIT_DP)
      );
      for (const element of elementsOf(body, 'Items')) {
        const ref = toItemRef(element);
        if (ref && chunk.includes(ref.Code)) found.set(ref.Code, ref);
      }
    }
    return found;
  }

  async saveItems(items: readonly XeroItem[], idempotencyKey: string): Promise<ElementResult<XeroItemRef>[]> {
    checkBatch(items.length, idempotencyKey);
    if (items.length === 0) return [];
    return putOrPost(
      items,
      (i) => i.ItemID !== undefined,
      idempotencyKey,
      async (part, verb, key) => {
        const model = toSdkModel<Items>({ Items: part }, 'Items');
        const body = await this.runner.run(`${verb} /Items`, ({ accessToken, tenantId }) =>
          verb === 'PUT'
            ? this.authorised(accessToken).createItems(tenantId, model, false, UNIT_DP, key)
            : this.authorised(accessToken).updateOrCreateItems(tenantId, model, false, UNIT_DP, key)
        );
        return toElementResults(body, 'Items', part.length, toItemRef);
      }
    );
  }

  /** Sales invoices by Reference; when several share one, a live (not VOIDED/DELETED) invoice wins. */
  async findInvoicesByReference(references: readonly string[]): Promise<Map<string, XeroInvoiceRef>> {
    const found = new Map<string, XeroInvoiceRef>();
    const wrap = (filter: string) => `Type=="ACCREC" AND (${filter})`;
    for (const chunk of chunkWhere('Reference', references, this.chunkLimits, wrap)) {
      const where = wrap(anyOf('Reference', chunk));
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await this.invoicesPage(page, PAGE_SIZE, where);
        const elements = elementsOf(body, 'Invoices');
        for (const element of elements) {
          const ref = toInvoiceRef(element);
          if (!ref?.Reference || !chunk.includes(ref.Reference)) continue;
          const seen = found.get(ref.Reference);
          if (!seen || (!LIVE_INVOICE(seen.Status) && LIVE_INVOICE(ref.Status))) found.set(ref.Reference, ref);
        }
        if (elements.length < PAGE_SIZE) break;
      }
    }
    return found;
  }

  async saveInvoices(
    invoices: readonly XeroInvoice[],
    idempotencyKey: string
  ): Promise<ElementResult<XeroInvoiceRef>[]> {
    checkBatch(invoices.length, idempotencyKey);
    if (invoices.length === 0) return [];
    return putOrPost(
      invoices,
      (i) => i.InvoiceID !== undefined,
      idempotencyKey,
      async (part, verb, key) => {
        const model = toSdkModel<Invoices>({ Invoices: part }, 'Invoices');
        const body = await this.runner.run(`${verb} /Invoices`, ({ accessToken, tenantId }) =>
          verb === 'PUT'
            ? this.authorised(accessToken).createInvoices(tenantId, model, false, UNIT_DP, key)
            : this.authorised(accessToken).updateOrCreateInvoices(tenantId, model, false, UNIT_DP, key)
        );
        return toElementResults(body, 'Invoices', part.length, toInvoiceRef);
      }
    );
  }

  /** Every ContactNumber (archived contacts too), Item Code or ACCREC Reference, for the key index. */
  listExistingKeys(kind: XeroKeyKind, maxPages: number): Promise<ReadonlySet<string> | undefined> {
    switch (kind) {
      case 'contacts':
        return collectKeys({
          collection: 'Contacts',
          keyOf: (contact) => contact.ContactNumber,
          maxPages,
          paged: true,
          // summaryOnly: the lightweight form is enough for keys and cheaper for Xero to serve
          // (developer.xero.com/documentation/api/accounting/contacts, summaryOnly).
          fetchPage: (page) => this.contactsPage(page, LISTING_PAGE_SIZE, { includeArchived: true, summaryOnly: true }),
        });
      case 'items':
        return collectKeys({
          collection: 'Items',
          keyOf: (item) => item.Code,
          maxPages,
          paged: false,
          fetchPage: () =>
            this.runner.run('GET /Items', ({ accessToken, tenantId }) =>
              this.authorised(accessToken).getItems(tenantId)
            ),
        });
      case 'invoices':
        return collectKeys({
          collection: 'Invoices',
          keyOf: (invoice) => invoice.Reference,
          maxPages,
          paged: true,
          fetchPage: (page) => this.invoicesPage(page, LISTING_PAGE_SIZE, 'Type=="ACCREC"', true),
        });
    }
  }

  /** GET /Organisation, kept for an hour: its time zone and ShortCode change rarely, and every call costs budget. */
  async readOrganisation(): Promise<XeroOrganisation> {
    const now = this.clock.now().getTime();
    if (this.organisation && now - this.organisation.at < ORGANISATION_TTL_MS) return this.organisation.value;
    const body = await this.runner.run('GET /Organisation', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getOrganisations(tenantId)
    );
    const value = toOrganisation(elementsOf(body, 'Organisations')[0]);
    this.organisation = { at: now, value };
    return value;
  }

  /** GET /BrandingThemes (developer.xero.com/documentation/api/accounting/brandingthemes), kept for 15 minutes. */
  async listBrandingThemes(options: { readonly refresh?: boolean } = {}): Promise<readonly XeroBrandingTheme[]> {
    const now = this.clock.now().getTime();
    const cached = this.brandingThemes;
    if (cached && !options.refresh && now - cached.at < BRANDING_THEMES_TTL_MS) return cached.value;
    const body = await this.runner.run('GET /BrandingThemes', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getBrandingThemes(tenantId)
    );
    const value = (elementsOf(body, 'BrandingThemes') as Record<string, unknown>[]).flatMap((theme) =>
      typeof theme.BrandingThemeID === 'string' && typeof theme.Name === 'string'
        ? [{ BrandingThemeID: theme.BrandingThemeID, Name: theme.Name }]
        : []
    );
    this.brandingThemes = { at: now, value };
    return value;
  }

  async setInvoiceStatus(
    invoiceId: string,
    status: Extract<XeroInvoiceStatus, 'VOIDED' | 'DELETED'>,
    idempotencyKey: string
  ): Promise<XeroInvoiceRef> {
    checkBatch(1, idempotencyKey);
    const model = toSdkModel<Invoices>({ Invoices: [{ InvoiceID: invoiceId, Status: status }] }, 'Invoices');
    const body = await this.runner.run('POST /Invoices/{id}', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).updateInvoice(tenantId, invoiceId, model, UNIT_DP, idempotencyKey)
    );
    const [result] = toElementResults(body, 'Invoices', 1, toInvoiceRef);
    if (!result?.ok) {
      throw new PermanentError(
        `Xero refused to set invoice status ${status}: ${result?.messages.join('; ') ?? ''}`,
        'XERO_STATUS'
      );
    }
    return result.value;
  }
}

export function createXeroGateway(options: XeroGatewayOptions): XeroGateway & XeroKeyLister {
  return new XeroAccountingGateway(options);
}
