/**
 * Ports of the Xero → Dataverse write-back. Adapters: lambdas/adapters/xero/xero-invoice-reader.ts and
 * lambdas/adapters/dataverse/order-writeback-writer.ts; tests use in-memory fakes. Implementations throw the typed
 * errors of lambdas/core/errors.ts.
 */
import type { WritebackColumns } from './columns';

/** What the write-back needs of a Xero invoice, as Xero reports it. Amounts are Xero's own figures. */
export interface XeroInvoiceSnapshot {
  readonly invoiceId: string;
  /** ACCREC (sales) or ACCPAY (bills); only ACCREC is written back. */
  readonly type: string;
  readonly invoiceNumber?: string;
  /** The Dataverse ordernumber for invoices the connector created. */
  readonly reference?: string;
  /** DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED or DELETED. */
  readonly status: string;
  readonly total?: number;
  readonly amountDue?: number;
  readonly amountPaid?: number;
  /** Credit notes allocated to the invoice. */
  readonly amountCredited?: number;
  /** YYYY-MM-DD, present once the invoice is PAID. */
  readonly fullyPaidOn?: string;
  /** ISO instant of Xero's UpdatedDateUTC: drives the poll checkpoint. */
  readonly updatedAt?: string;
  /** The organisation's ShortCode, when the reader knows it: the invoice link then names the organisation. */
  readonly shortCode?: string;
}

export interface XeroCreditNoteSnapshot {
  readonly creditNoteId: string;
  /** ACCRECCREDIT (customer credit) or ACCPAYCREDIT (supplier credit). */
  readonly type: string;
  /** Invoices the credit note is allocated to. */
  readonly allocatedInvoiceIds: readonly string[];
}

export interface XeroInvoicePage {
  readonly invoices: readonly XeroInvoiceSnapshot[];
  /** True when the page was full, so another page may follow. */
  readonly hasMore: boolean;
}

/** Reads invoices and credit notes for the connected tenant, within the shared Xero rate budget. */
export interface XeroInvoiceReader {
  /** `null` when Xero does not know the invoice (404). */
  getInvoice(invoiceId: string): Promise<XeroInvoiceSnapshot | null>;
  /** `null` when Xero does not know the credit note (404). */
  getCreditNote(creditNoteId: string): Promise<XeroCreditNoteSnapshot | null>;
  /**
   * ACCREC invoices modified since `since` (If-Modified-Since; all when undefined), oldest change first,
   * page numbers from 1.
   */
  listSalesInvoicesModifiedSince(since: string | undefined, page: number): Promise<XeroInvoicePage>;
}

/** The write-back values, in core form: amounts as decimal strings, dates as YYYY-MM-DD, empty as null. */
export interface WritebackValues {
  readonly invoiceNumber: string | null;
  readonly status: string | null;
  readonly amountDue: string | null;
  readonly amountPaid: string | null;
  readonly fullyPaidOn: string | null;
  readonly invoiceUrl: string | null;
}

export interface WritebackOrder {
  readonly salesOrderId: string;
  /** The write-back columns as they are now, read in the same request that found the order. */
  readonly current: WritebackValues;
  /**
   * false when the order is no longer Active (Submitted, Canceled, Fulfilled, Invoiced): Dataverse lets only active
   * orders be edited (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder,
   * StateCode), so its columns cannot take the write-back. Undefined counts as active.
   */
  readonly active?: boolean;
}

export type OrderUpdateResult = 'updated' | 'not-found';

/** The Dataverse side: sales orders found by ordernumber, updated in the write-back columns only. */
export interface OrderWriteback {
  /** `null` when no order has this number; PermanentError when several do. */
  findOrderByNumber(orderNumber: string, columns: WritebackColumns): Promise<WritebackOrder | null>;
  /** PATCHes only the given fields. 'not-found' when the order vanished in between (404). */
  updateOrder(
    salesOrderId: string,
    changes: Partial<WritebackValues>,
    columns: WritebackColumns
  ): Promise<OrderUpdateResult>;
  /**
   * For an order that is not Active: records the invoice's state where Dataverse allows it (an integration-log row
   * regarding the order), once per distinct state. Absent: such orders are left as they are.
   */
  recordOnInactiveOrder?(salesOrderId: string, invoiceId: string, values: WritebackValues): Promise<void>;
}

/** Remembers how far the invoice poll got (an ISO instant per named poll). */
export interface CheckpointStore {
  load(name: string): Promise<string | undefined>;
  save(name: string, checkpoint: string): Promise<void>;
}
