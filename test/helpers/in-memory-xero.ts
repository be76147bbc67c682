import { randomUUID } from 'node:crypto';
import { validateXeroRequest, type XeroSchemaName } from '../../contracts/xero-contract';
import { TransientError } from '../../lambdas/core/errors';
import { invoiceTotals } from '../../lambdas/core/mapping/invoice-mapping';
import type {
  XeroContact,
  XeroContactRef,
  XeroInvoice,
  XeroInvoiceRef,
  XeroItem,
  XeroItemRef,
} from '../../lambdas/core/model/xero';
import type { ElementResult, XeroGateway, XeroKeyKind, XeroKeyLister } from '../../lambdas/core/ports';

type Method = keyof XeroGateway | keyof XeroKeyLister;
type Call = { method: Method; size: number; idempotencyKey?: string };
type StoredInvoice = XeroInvoice & { InvoiceID: string; AmountPaid: number };

/**
 * An in-memory XeroGateway with Xero's uniqueness rules (active contact names, ContactNumber, item Code) and
 * fault injection: `failNext` throws before doing anything; `loseNextResponse` applies the write, then throws as if
 * the response was lost on the wire.
 */
export class InMemoryXero implements XeroGateway, XeroKeyLister {
  readonly contacts = new Map<string, XeroContact & { ContactID: string }>();
  readonly items = new Map<string, XeroItem & { ItemID: string }>();
  readonly invoices = new Map<string, StoredInvoice>();
  readonly calls: Call[] = [];
  private faults: { kind: 'fail' | 'lose'; error: unknown; method?: Method }[] = [];

  failNext(error: unknown, method?: Method) {
    this.faults.push({ kind: 'fail', error, method });
  }
  loseNextResponse(method?: Method) {
    this.faults.push({ kind: 'lose', error: new TransientError('socket hang up'), method });
  }

  private async enter<T>(method: Method, size: number, idempotencyKey: string | undefined, apply: () => T): Promise<T> {
    this.calls.push({ method, size, idempotencyKey });
    const faultIndex = this.faults.findIndex((fault) => !fault.method || fault.method === method);
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'fail') throw fault.error;
    const result = apply();
    if (fault?.kind === 'lose') throw fault.error;
    return result;
  }

  /** Every body the sync sends must satisfy Xero's OpenAPI contract; a violation fails the test loudly. */
  private assertContract(schema: XeroSchemaName, body: unknown) {
    const problems = validateXeroRequest(schema, body);
    if (problems.length > 0) throw new Error(`request breaks Xero's contract (${schema}): ${problems.join('; ')}`);
  }

  /** Listings of 1,000 keys a page; `size` records the pages a listing took. */
  async listExistingKeys(kind: XeroKeyKind, maxPages: number) {
    const keys =
      kind === 'contacts'
        ? [...this.contacts.values()].map((c) => c.ContactNumber)
        : kind === 'items'
          ? [...this.items.values()].map((i) => i.Code)
          : [...this.invoices.values()].map((i) => i.Reference);
    const pages = Math.max(1, Math.ceil(keys.length / 1000));
    return this.enter('listExistingKeys', pages, undefined, () =>
      pages > maxPages ? undefined : new Set(keys.filter((key): key is string => typeof key === 'string'))
    );
  }

  callsOf(method: Method) {
    return this.calls.filter((call) => call.method === method);
  }

  async findContactsByNumber(numbers: readonly string[]) {
    return this.enter('findContactsByNumber', numbers.length, undefined, () => {
      const found = new Map<string, XeroContactRef>();
      for (const contact of this.contacts.values())
        if (numbers.includes(contact.ContactNumber)) found.set(contact.ContactNumber, refOfContact(contact));
      return found;
    });
  }

  async findContactByName(name: string) {
    return this.enter('findContactByName', 1, undefined, () => {
      const contact = [...this.contacts.values()].find((c) => c.Name === name && c.ContactStatus !== 'ARCHIVED');
      return contact ? refOfContact(contact) : null;
    });
  }

  async saveContacts(contacts: readonly XeroContact[], key: string) {
    this.assertContract('Contacts', { Contacts: contacts });
    return this.enter('saveContacts', contacts.length, key, () =>
      contacts.map((body): ElementResult<XeroContactRef> => {
        const existing = body.ContactID ? this.contacts.get(body.ContactID) : undefined;
        if (body.ContactID && !existing) return { ok: false, messages: [`Contact ${body.ContactID} not found`] };
        const clash = [...this.contacts.values()].find(
          (c) => c.ContactID !== body.ContactID && c.ContactStatus !== 'ARCHIVED' && c.Name === body.Name
        );
        if (clash)
          return {
            ok: false,
            messages: [
              `The contact name ${body.Name} is already assigned to another contact. The contact name must be unique across all active contacts.`,
            ],
          };
        const numberClash = [...this.contacts.values()].find(
          (c) => c.ContactID !== body.ContactID && c.ContactNumber === body.ContactNumber
        );
        if (numberClash) return { ok: false, messages: ['The ContactNumber is already used'] };
        const stored = { ...existing, ...body, ContactID: body.ContactID ?? randomUUID() } as XeroContact & {
          ContactID: string;
        };
        this.contacts.set(stored.ContactID, stored);
        return { ok: true, value: refOfContact(stored) };
      })
    );
  }

  async findItemsByCode(codes: readonly string[]) {
    return this.enter('findItemsByCode', codes.length, undefined, () => {
      const found = new Map<string, XeroItemRef>();
      for (const item of this.items.values())
        if (codes.includes(item.Code))
          found.set(item.Code, { ItemID: item.ItemID, Code: item.Code, Name: item.Name, IsSold: item.IsSold });
      return found;
    });
  }

  async saveItems(items: readonly XeroItem[], key: string) {
    this.assertContract('Items', { Items: items });
    return this.enter('saveItems', items.length, key, () =>
      items.map((body): ElementResult<XeroItemRef> => {
        const existing = body.ItemID
          ? this.items.get(body.ItemID)
          : [...this.items.values()].find((i) => i.Code === body.Code);
        if (!existing && !body.Name) return { ok: false, messages: ['Name is required'] };
        const stored = { ...existing, ...body, ItemID: existing?.ItemID ?? randomUUID() } as XeroItem & {
          ItemID: string;
        };
        this.items.set(stored.ItemID, stored);
        return { ok: true, value: { ItemID: stored.ItemID, Code: stored.Code, IsSold: stored.IsSold } };
      })
    );
  }

  async findInvoicesByReference(references: readonly string[]) {
    return this.enter('findInvoicesByReference', references.length, undefined, () => {
      const found = new Map<string, XeroInvoiceRef>();
      for (const invoice of this.invoices.values())
        if (references.includes(invoice.Reference)) found.set(invoice.Reference, refOfInvoice(invoice));
      return found;
    });
  }

  async saveInvoices(invoices: readonly XeroInvoice[], key: string) {
    this.assertContract('Invoices', { Invoices: invoices });
    return this.enter('saveInvoices', invoices.length, key, () =>
      invoices.map((body): ElementResult<XeroInvoiceRef> => {
        if (!body.Contact.ContactID || !this.contacts.has(body.Contact.ContactID))
          return { ok: false, messages: ['Contact not found'] };
        const unknownItem = body.LineItems.find(
          (line) => line.ItemCode && ![...this.items.values()].some((i) => i.Code === line.ItemCode)
        );
        if (unknownItem) return { ok: false, messages: [`Item code '${unknownItem.ItemCode}' is not valid`] };
        const existing = body.InvoiceID ? this.invoices.get(body.InvoiceID) : undefined;
        const stored: StoredInvoice = {
          ...existing,
          ...body,
          InvoiceID: body.InvoiceID ?? randomUUID(),
          InvoiceNumber:
            body.InvoiceNumber ?? existing?.InvoiceNumber ?? `INV-${String(this.invoices.size + 1).padStart(4, '0')}`,
          AmountPaid: existing?.AmountPaid ?? 0,
        };
        this.invoices.set(stored.InvoiceID, stored);
        return { ok: true, value: refOfInvoice(stored) };
      })
    );
  }

  async setInvoiceStatus(invoiceId: string, status: 'VOIDED' | 'DELETED', key: string) {
    return this.enter('setInvoiceStatus', 1, key, () => {
      const invoice = this.invoices.get(invoiceId);
      if (!invoice) throw new Error(`no invoice ${invoiceId}`);
      const updated = { ...invoice, Status: status };
      this.invoices.set(invoiceId, updated);
      return refOfInvoice(updated);
    });
  }

  /** Test setup: put a record straight into the fake. */
  seedContact(contact: XeroContact) {
    const stored = { ...contact, ContactID: contact.ContactID ?? randomUUID() };
    this.contacts.set(stored.ContactID, stored);
    return stored;
  }
  /** Test setup: a payment in Xero (the whole total: PAID; less: still AUTHORISED with AmountPaid). */
  pay(reference: string, amount?: number) {
    const invoice = [...this.invoices.values()].find((i) => i.Reference === reference);
    if (!invoice) throw new Error(`no invoice ${reference}`);
    const total = Number(invoiceTotals(invoice).total);
    const paid = amount ?? total;
    this.invoices.set(invoice.InvoiceID, {
      ...invoice,
      AmountPaid: paid,
      Status: paid >= total ? 'PAID' : 'AUTHORISED',
    });
  }
  seedInvoice(invoice: XeroInvoice, amountPaid = 0) {
    const stored: StoredInvoice = { ...invoice, InvoiceID: invoice.InvoiceID ?? randomUUID(), AmountPaid: amountPaid };
    this.invoices.set(stored.InvoiceID, stored);
    return stored;
  }
}

function refOfContact(contact: XeroContact & { ContactID: string }): XeroContactRef {
  return {
    ContactID: contact.ContactID,
    ContactNumber: contact.ContactNumber,
    Name: contact.Name,
    ContactStatus: contact.ContactStatus ?? 'ACTIVE',
  };
}

function refOfInvoice(invoice: StoredInvoice): XeroInvoiceRef {
  return {
    InvoiceID: invoice.InvoiceID,
    InvoiceNumber: invoice.InvoiceNumber,
    Reference: invoice.Reference,
    Status: invoice.Status,
    AmountPaid: invoice.AmountPaid,
    Total: Number(invoiceTotals(invoice).total),
  };
}

/** Several Xero organisations, one in-memory Xero each: what `xeroFor(tenantId)` hands the post stage. */
export class InMemoryXeroOrganisations {
  private readonly orgs = new Map<string, InMemoryXero>();
  constructor(readonly defaultTenantId: string) {}

  /** The organisation's books (made on first use); no tenant: the default organisation. */
  org(tenantId?: string): InMemoryXero {
    const key = (tenantId ?? this.defaultTenantId).toLowerCase();
    let org = this.orgs.get(key);
    if (!org) {
      org = new InMemoryXero();
      this.orgs.set(key, org);
    }
    return org;
  }

  readonly xeroFor = (tenantId?: string): InMemoryXero => this.org(tenantId);

  /** Invoices with this Reference in every organisation, with the organisation they are in. */
  invoicesByReference(reference: string): { tenantId: string; status: string }[] {
    return [...this.orgs].flatMap(([tenantId, org]) =>
      [...org.invoices.values()]
        .filter((i) => i.Reference === reference)
        .map((i) => ({ tenantId, status: i.Status ?? '' }))
    );
  }

  contactsByNumber(contactNumber: string): string[] {
    return [...this.orgs].flatMap(([tenantId, org]) =>
      [...org.contacts.values()].filter((c) => c.ContactNumber === contactNumber).map(() => tenantId)
    );
  }
}
