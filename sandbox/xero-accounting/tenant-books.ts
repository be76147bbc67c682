/**
 * One Xero organisation's contacts, items and invoices, with the create/update rules the Accounting API enforces
 * (uniqueness, preserved fields on update, invoice numbering, status transitions, totals). In memory only.
 */
import { fromCents, roundTo, toCents } from './decimal';
import { computeLine, sumInvoice } from './invoice-totals';
import {
  clone,
  dateString,
  isRecord,
  msDate,
  newId,
  num,
  parseXeroDate,
  sameText,
  str,
  type ElementOutcome,
  type XeroRecord,
} from './xero-json';

export type SaveMode = 'create' | 'upsert';

const CONTACT_STATUSES = ['ACTIVE', 'ARCHIVED', 'GDPRREQUEST'];
const INVOICE_TYPES = ['ACCREC', 'ACCPAY'];
const LINE_AMOUNT_TYPES = ['Exclusive', 'Inclusive', 'NoTax'];
const NEW_INVOICE_STATUSES = ['DRAFT', 'SUBMITTED', 'AUTHORISED'];
/** Which status an invoice may move to from each status through the API. */
const NEXT_STATUSES: Readonly<Record<string, readonly string[]>> = {
  DRAFT: ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED'],
  SUBMITTED: ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'DELETED'],
  AUTHORISED: ['AUTHORISED', 'VOIDED'],
  PAID: ['PAID'],
  VOIDED: [],
  DELETED: [],
};
/** Fields Xero still lets you change once money has been applied to an invoice. */
const EDITABLE_WHEN_PAID = ['Reference', 'DueDate', 'InvoiceNumber', 'BrandingThemeID', 'Contact', 'Url'];

/**
 * Xero accepts plain ASCII e-mail addresses only: its accounting OpenAPI contract says of EmailAddress "umlauts not
 * supported" (developer.xero.com/documentation/api/accounting/contacts).
 */
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** Xero's contract marks Contact Website read only: the API ignores it on writes. */
function withoutReadOnlyContactFields(input: XeroRecord): XeroRecord {
  const { Website: _website, ...writable } = input;
  return writable;
}

function emailAddressesOf(contact: XeroRecord): string[] {
  const persons = Array.isArray(contact.ContactPersons) ? contact.ContactPersons.filter(isRecord) : [];
  return [contact, ...persons]
    .map((record) => record.EmailAddress)
    .filter((address): address is string => typeof address === 'string' && address !== '');
}

export interface BooksSnapshot {
  readonly contacts: XeroRecord[];
  readonly items: XeroRecord[];
  readonly invoices: XeroRecord[];
}

export class TenantBooks {
  private readonly contacts = new Map<string, XeroRecord>();
  private readonly items = new Map<string, XeroRecord>();
  private readonly invoices = new Map<string, XeroRecord>();
  private invoiceSequence = 0;

  constructor(
    private readonly clock: () => number,
    readonly baseCurrency: string
  ) {}

  snapshot(): BooksSnapshot {
    return {
      contacts: [...this.contacts.values()].map(clone),
      items: [...this.items.values()].map(clone),
      invoices: [...this.invoices.values()].map(clone),
    };
  }

  listContacts(): XeroRecord[] {
    return [...this.contacts.values()];
  }
  listItems(): XeroRecord[] {
    return [...this.items.values()];
  }
  listInvoices(): XeroRecord[] {
    return [...this.invoices.values()];
  }

  /** GET /Contacts/{id}: by ContactID or ContactNumber. */
  findContact(key: string): XeroRecord | undefined {
    return this.contacts.get(key.toLowerCase()) ?? this.listContacts().find((c) => c.ContactNumber === key);
  }
  /** GET /Items/{id}: by ItemID or Code. */
  findItem(key: string): XeroRecord | undefined {
    return this.items.get(key.toLowerCase()) ?? this.listItems().find((i) => sameText(i.Code, key));
  }
  /** GET /Invoices/{id}: by InvoiceID or InvoiceNumber. */
  findInvoice(key: string): XeroRecord | undefined {
    return this.invoices.get(key.toLowerCase()) ?? this.listInvoices().find((i) => i.InvoiceNumber === key);
  }

  saveContact(input: XeroRecord, mode: SaveMode, pathId?: string): ElementOutcome {
    const errors: string[] = [];
    const id = pathId ?? str(input.ContactID);
    const existing = id ? this.contacts.get(id.toLowerCase()) : undefined;
    if (id && !existing) return { record: input, errors: [`Contact with ContactID ${id} could not be found.`] };
    if (existing && mode === 'create')
      return { record: input, errors: ['A contact with this ContactID already exists.'] };

    const merged: XeroRecord = {
      ...(existing ?? { ContactStatus: 'ACTIVE', IsCustomer: false, IsSupplier: false }),
      ...withoutReadOnlyContactFields(input),
    };
    const name = str(merged.Name)?.trim();
    if (!name) errors.push('The contact name must be specified.');
    else if (name.length > 255) errors.push('The contact name must not exceed 255 characters.');
    const contactNumber = str(merged.ContactNumber);
    if (contactNumber !== undefined && contactNumber.length > 50) {
      errors.push('The contact number must not exceed 50 characters.');
    }
    for (const address of emailAddressesOf(input)) {
      if (!EMAIL.test(address)) errors.push('Email address must be valid.');
    }
    if (!CONTACT_STATUSES.includes(String(merged.ContactStatus))) {
      errors.push(`ContactStatus ${String(merged.ContactStatus)} is not valid.`);
    }
    const others = this.listContacts().filter((c) => c !== existing);
    if (name && merged.ContactStatus === 'ACTIVE') {
      if (others.some((c) => c.ContactStatus === 'ACTIVE' && sameText(c.Name, name))) {
        errors.push(
          `The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`
        );
      }
    }
    if (contactNumber && others.some((c) => c.ContactNumber === contactNumber)) {
      errors.push(`The contact number ${contactNumber} is already assigned to another contact.`);
    }
    if (errors.length > 0) return { record: input, errors };

    const contactId = str(existing?.ContactID) ?? newId();
    const saved: XeroRecord = { ...merged, ContactID: contactId, Name: name, UpdatedDateUTC: msDate(this.clock()) };
    this.contacts.set(contactId.toLowerCase(), saved);
    return { record: clone(saved), errors: [] };
  }

  saveItem(input: XeroRecord, mode: SaveMode, unitdp: number, pathId?: string): ElementOutcome {
    const errors: string[] = [];
    const id = pathId ?? str(input.ItemID);
    let existing = id ? this.items.get(id.toLowerCase()) : undefined;
    if (id && !existing) return { record: input, errors: [`Item with ItemID ${id} could not be found.`] };
    const code = str(input.Code) ?? str(existing?.Code);
    if (!existing && code) {
      const byCode = this.listItems().find((i) => sameText(i.Code, code));
      if (byCode && mode === 'create')
        return { record: input, errors: [`Price List Item with Code ''${code}'' already exists`] };
      existing = byCode;
    }
    // developer.xero.com/documentation/api/accounting/items: IsSold and IsPurchased default to true; turning one off
    // nulls its description and details.
    const merged: XeroRecord = { ...(existing ?? { IsSold: true, IsPurchased: true }), ...input };
    if (merged.IsSold === false) {
      delete merged.Description;
      delete merged.SalesDetails;
    }
    if (merged.IsPurchased === false) {
      delete merged.PurchaseDescription;
      delete merged.PurchaseDetails;
    }
    if (!code?.trim()) errors.push('Item code must be specified.');
    else if (code.length > 30) errors.push('Item code must not exceed 30 characters.');
    else if (this.listItems().some((i) => i !== existing && sameText(i.Code, code))) {
      errors.push(`Price List Item with Code ''${code}'' already exists`);
    }
    const name = str(merged.Name);
    if (name !== undefined && name.length > 50) errors.push('Item name must not exceed 50 characters.');
    const description = str(merged.Description);
    if (description !== undefined && description.length > 4000)
      errors.push('Description must not exceed 4000 characters.');
    if (errors.length > 0) return { record: input, errors };

    for (const detail of ['SalesDetails', 'PurchaseDetails'] as const) {
      const value = merged[detail];
      if (isRecord(value) && num(value.UnitPrice) !== undefined) {
        merged[detail] = { ...value, UnitPrice: roundTo(value.UnitPrice as number, unitdp) };
      }
    }
    const itemId = str(existing?.ItemID) ?? newId();
    const saved: XeroRecord = { ...merged, ItemID: itemId, Code: code, UpdatedDateUTC: msDate(this.clock()) };
    this.items.set(itemId.toLowerCase(), saved);
    return { record: clone(saved), errors: [] };
  }

  saveInvoice(input: XeroRecord, mode: SaveMode, unitdp: number, pathId?: string): ElementOutcome {
    const id = pathId ?? str(input.InvoiceID);
    let existing = id ? this.invoices.get(id.toLowerCase()) : undefined;
    if (id && !existing) return { record: input, errors: [`Invoice with InvoiceID ${id} could not be found.`] };
    const number = str(input.InvoiceNumber);
    if (!existing && number) {
      const byNumber = this.listInvoices().find((i) => i.Type === 'ACCREC' && i.InvoiceNumber === number);
      if (byNumber && (mode === 'create' || input.Type === 'ACCPAY')) {
        return { record: input, errors: ['Invoice # must be unique.'] };
      }
      existing = byNumber;
    }
    const errors = existing ? this.checkInvoiceEdit(existing, input) : [];
    if (errors.length > 0) return { record: input, errors };

    const merged: XeroRecord = {
      ...(existing ?? { Status: 'DRAFT', LineAmountTypes: 'Exclusive', CurrencyCode: this.baseCurrency }),
      ...input,
    };
    if (!existing && !NEW_INVOICE_STATUSES.includes(String(merged.Status))) {
      errors.push(`Invoice Status ${String(merged.Status)} is not valid for a new invoice.`);
    }
    if (!INVOICE_TYPES.includes(String(merged.Type))) errors.push('Invoice Type must be ACCREC or ACCPAY.');
    if (!LINE_AMOUNT_TYPES.includes(String(merged.LineAmountTypes))) {
      errors.push(`LineAmountTypes ${String(merged.LineAmountTypes)} is not valid.`);
    }
    const contact = this.resolveInvoiceContact(merged.Contact, errors);
    // developer.xero.com/documentation/api/accounting/contacts (ContactStatus): an archived contact takes no new
    // invoices or credit notes until it is restored.
    if (!existing && this.isArchivedContact(contact)) {
      errors.push('The contact must be un-archived before creating new invoices or credit notes.');
    }

    const lineInputs = Array.isArray(merged.LineItems) ? merged.LineItems.filter(isRecord) : [];
    const lines = lineInputs.map((raw) => {
      const withItem = this.applyItemDefaults(raw, errors);
      // Kept lines were rounded when first saved; re-rounding them at 4 dp leaves them as they are.
      const lineDp = input.LineItems === undefined ? 4 : unitdp;
      const result = computeLine(withItem, String(merged.LineAmountTypes), lineDp);
      errors.push(...result.errors);
      if (!str(result.line.Description)?.trim() && !str(result.line.ItemCode)) {
        errors.push('Description must be specified on every line item.');
      }
      return result;
    });
    if (lines.length === 0 && merged.Status !== 'DRAFT') errors.push('An invoice must have at least one line item.');

    const newNumber = str(merged.InvoiceNumber);
    if (newNumber && merged.Type === 'ACCREC') {
      if (this.listInvoices().some((i) => i !== existing && i.Type === 'ACCREC' && i.InvoiceNumber === newNumber)) {
        errors.push('Invoice # must be unique.');
      }
    }
    const dateMs = merged.Date === undefined ? this.startOfToday() : parseXeroDate(merged.Date);
    if (dateMs === undefined) errors.push(`Date ${String(merged.Date)} is not a valid date.`);
    const dueMs = merged.DueDate === undefined ? undefined : parseXeroDate(merged.DueDate);
    if (merged.DueDate !== undefined && dueMs === undefined)
      errors.push(`DueDate ${String(merged.DueDate)} is not valid.`);
    if (errors.length > 0) return { record: input, errors };

    const totals = sumInvoice(lines, String(merged.LineAmountTypes));
    const paidCents = toCents(num(existing?.AmountPaid) ?? 0);
    const creditedCents = toCents(num(existing?.AmountCredited) ?? 0);
    const invoiceId = str(existing?.InvoiceID) ?? newId();
    const saved: XeroRecord = {
      ...merged,
      InvoiceID: invoiceId,
      InvoiceNumber: newNumber ?? (merged.Type === 'ACCREC' ? this.nextInvoiceNumber() : ''),
      Contact: contact,
      LineItems: lines.map((l) => ({ ...l.line, LineItemID: str(l.line.LineItemID) ?? newId() })),
      Date: msDate(dateMs as number),
      DateString: dateString(dateMs as number),
      ...(dueMs !== undefined ? { DueDate: msDate(dueMs), DueDateString: dateString(dueMs) } : {}),
      CurrencyRate: num(merged.CurrencyRate) ?? 1,
      ...totals,
      IsDiscounted: totals.TotalDiscount > 0,
      AmountPaid: fromCents(paidCents),
      AmountCredited: fromCents(creditedCents),
      AmountDue: fromCents(toCents(totals.Total) - paidCents - creditedCents),
      HasErrors: false,
      UpdatedDateUTC: msDate(this.clock()),
    };
    this.invoices.set(invoiceId.toLowerCase(), saved);
    if (saved.Type === 'ACCREC') this.markCustomer(contact);
    return { record: clone(saved), errors: [] };
  }

  /** Applies a payment (knob): part-paid stays AUTHORISED, fully paid becomes PAID. */
  applyPayment(invoiceKey: string, amount?: number): XeroRecord {
    const invoice = this.findInvoice(invoiceKey);
    if (!invoice) throw new Error(`no invoice ${invoiceKey}`);
    if (invoice.Status !== 'AUTHORISED')
      throw new Error(`only AUTHORISED invoices take payments (is ${String(invoice.Status)})`);
    const due = toCents(num(invoice.AmountDue) ?? 0);
    const pay = amount === undefined ? due : toCents(amount);
    if (pay <= 0n || pay > due) throw new Error('payment must be positive and at most the amount due');
    invoice.AmountPaid = fromCents(toCents(num(invoice.AmountPaid) ?? 0) + pay);
    invoice.AmountDue = fromCents(due - pay);
    if (due - pay === 0n) {
      invoice.Status = 'PAID';
      invoice.FullyPaidOnDate = msDate(this.clock());
    }
    invoice.UpdatedDateUTC = msDate(this.clock());
    return clone(invoice);
  }

  private checkInvoiceEdit(existing: XeroRecord, input: XeroRecord): string[] {
    const from = String(existing.Status);
    const to = input.Status === undefined ? from : String(input.Status);
    if (from === 'VOIDED' || from === 'DELETED')
      return [`This document cannot be edited as it has a status of ${from}.`];
    const hasPayments = (num(existing.AmountPaid) ?? 0) > 0 || (num(existing.AmountCredited) ?? 0) > 0;
    if (hasPayments) {
      if (to === 'VOIDED') return ['Invoice cannot be voided because it has payments or credits allocated.'];
      const touched = Object.keys(input).filter(
        (k) => !['InvoiceID', 'Status', 'Type', ...EDITABLE_WHEN_PAID].includes(k)
      );
      if (touched.length > 0 || to !== from) {
        return [`This invoice has payments applied; only ${EDITABLE_WHEN_PAID.join(', ')} can be changed.`];
      }
      return [];
    }
    if (!(NEXT_STATUSES[from] ?? []).includes(to)) return [`Invoice status cannot change from ${from} to ${to}.`];
    return [];
  }

  private resolveInvoiceContact(value: unknown, errors: string[]): XeroRecord {
    if (!isRecord(value)) {
      errors.push('A Contact must be specified for this type of transaction.');
      return {};
    }
    const id = str(value.ContactID);
    const found = id
      ? this.contacts.get(id.toLowerCase())
      : str(value.ContactNumber)
        ? this.listContacts().find((c) => c.ContactNumber === value.ContactNumber)
        : this.listContacts().find((c) => sameText(c.Name, value.Name));
    if (!found) {
      errors.push(
        `Contact ${id ?? str(value.ContactNumber) ?? str(value.Name) ?? ''} could not be found.`.replace('  ', ' ')
      );
      return value;
    }
    return { ContactID: found.ContactID, ContactNumber: found.ContactNumber, Name: found.Name };
  }

  private applyItemDefaults(line: XeroRecord, errors: string[]): XeroRecord {
    const code = str(line.ItemCode);
    if (!code) return line;
    const item = this.listItems().find((i) => sameText(i.Code, code));
    if (!item) {
      errors.push(`Item code '${code}' is not valid.`);
      return line;
    }
    const sales = isRecord(item.SalesDetails) ? item.SalesDetails : {};
    return {
      ...line,
      ItemCode: item.Code,
      Description: str(line.Description) ?? str(item.Description) ?? str(item.Name),
      UnitAmount: line.UnitAmount ?? sales.UnitPrice,
      AccountCode: line.AccountCode ?? sales.AccountCode,
      TaxType: line.TaxType ?? sales.TaxType,
    };
  }

  private isArchivedContact(contact: XeroRecord): boolean {
    const id = str(contact.ContactID);
    return id !== undefined && this.contacts.get(id.toLowerCase())?.ContactStatus === 'ARCHIVED';
  }

  private markCustomer(contact: XeroRecord): void {
    const saved = str(contact.ContactID) ? this.contacts.get(String(contact.ContactID).toLowerCase()) : undefined;
    if (saved) saved.IsCustomer = true;
  }

  private nextInvoiceNumber(): string {
    for (;;) {
      this.invoiceSequence += 1;
      const candidate = `INV-${String(this.invoiceSequence).padStart(4, '0')}`;
      if (!this.listInvoices().some((i) => i.Type === 'ACCREC' && i.InvoiceNumber === candidate)) return candidate;
    }
  }

  private startOfToday(): number {
    const now = this.clock();
    return now - (now % 86_400_000);
  }
}
