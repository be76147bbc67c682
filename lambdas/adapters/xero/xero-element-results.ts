/**
 * Reads Xero's response documents (PascalCase JSON, as returned with summarizeErrors=false) into per-element
 * results and the small refs the core keeps. Each element reports StatusAttributeString OK/ERROR and, on error,
 * ValidationErrors[].Message.
 */
import { TransientError } from '../../core/errors';
import type {
  XeroContactRef,
  XeroContactStatus,
  XeroInvoiceRef,
  XeroInvoiceStatus,
  XeroItemRef,
} from '../../core/model/xero';
import type { ElementResult } from '../../core/ports';

export type Loose = Record<string, unknown>;

function asObject(value: unknown): Loose {
  return typeof value === 'object' && value !== null ? (value as Loose) : {};
}
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The array under `key` (Contacts, Items, Invoices) of a response body; [] when absent. */
export function elementsOf(body: unknown, key: string): Loose[] {
  const list = asObject(body)[key];
  return Array.isArray(list) ? list.map(asObject) : [];
}

function messagesOf(element: Loose): string[] {
  const errors = element.ValidationErrors;
  return (Array.isArray(errors) ? errors : [])
    .map((error) => text(asObject(error).Message))
    .filter((message): message is string => message !== undefined);
}

export function toContactRef(element: Loose): XeroContactRef | undefined {
  const id = text(element.ContactID);
  if (!id) return undefined;
  return {
    ContactID: id,
    Name: text(element.Name) ?? '',
    ...(text(element.ContactNumber) !== undefined && { ContactNumber: text(element.ContactNumber) }),
    ...(text(element.ContactStatus) !== undefined && { ContactStatus: element.ContactStatus as XeroContactStatus }),
  };
}

export function toItemRef(element: Loose): XeroItemRef | undefined {
  const id = text(element.ItemID);
  if (!id) return undefined;
  return {
    ItemID: id,
    Code: text(element.Code) ?? '',
    ...(typeof element.IsSold === 'boolean' && { IsSold: element.IsSold }),
  };
}

export function toInvoiceRef(element: Loose): XeroInvoiceRef | undefined {
  const id = text(element.InvoiceID);
  const status = text(element.Status);
  if (!id || !status) return undefined;
  const ref: { -readonly [K in keyof XeroInvoiceRef]: XeroInvoiceRef[K] } = {
    InvoiceID: id,
    Status: status as XeroInvoiceStatus,
  };
  if (text(element.InvoiceNumber) !== undefined) ref.InvoiceNumber = text(element.InvoiceNumber);
  if (text(element.Reference) !== undefined) ref.Reference = text(element.Reference);
  for (const key of ['Total', 'AmountPaid', 'AmountCredited', 'AmountDue'] as const) {
    const value = num(element[key]);
    if (value !== undefined) ref[key] = value;
  }
  return ref;
}

/**
 * One result per element sent, in order. A response with a different element count is an uncertain outcome:
 * it is raised as transient so the caller looks the records up by key before trying again.
 */
export function toElementResults<T>(
  body: unknown,
  key: string,
  expected: number,
  toRef: (element: Loose) => T | undefined
): ElementResult<T>[] {
  const elements = elementsOf(body, key);
  if (elements.length !== expected) {
    throw new TransientError(`Xero returned ${elements.length} ${key} for ${expected} sent`, 'XERO_UNCERTAIN');
  }
  return elements.map((element): ElementResult<T> => {
    const messages = messagesOf(element);
    const failed = text(element.StatusAttributeString)?.toUpperCase() === 'ERROR' || messages.length > 0;
    if (failed)
      return { ok: false, messages: messages.length > 0 ? messages : ['Xero reported an error without a message'] };
    const ref = toRef(element);
    return ref === undefined
      ? { ok: false, messages: [`Xero returned no identifier for this ${key} element`] }
      : { ok: true, value: ref };
  });
}
