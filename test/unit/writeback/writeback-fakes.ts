/** In-memory Xero invoices and Dataverse orders for the write-back use cases. */
import { DEFAULT_WRITEBACK_COLUMNS, type WritebackColumns } from '../../../lambdas/core/writeback/columns';
import type {
  OrderUpdateResult,
  OrderWriteback,
  WritebackOrder,
  WritebackValues,
  XeroCreditNoteSnapshot,
  XeroInvoicePage,
  XeroInvoiceReader,
  XeroInvoiceSnapshot,
} from '../../../lambdas/core/writeback/ports';
import type { XeroWebhookEvent } from '../../../lambdas/core/ingress/xero-webhook';
import type { SyncRecord } from '../../../lambdas/core/ports';

export const TENANT = '0f5b2e40-7c1d-4d8e-9a3b-5c6d7e8f9012';
export const uuid = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const EMPTY_VALUES: WritebackValues = {
  invoiceNumber: null,
  status: null,
  amountDue: null,
  amountPaid: null,
  fullyPaidOn: null,
  invoiceUrl: null,
};

export function salesInvoice(n: number, overrides: Partial<XeroInvoiceSnapshot> = {}): XeroInvoiceSnapshot {
  return {
    invoiceId: uuid(n),
    type: 'ACCREC',
    invoiceNumber: `INV-${1000 + n}`,
    reference: `ORD-${n}`,
    status: 'AUTHORISED',
    total: 230,
    amountDue: 230,
    amountPaid: 0,
    amountCredited: 0,
    updatedAt: `2026-11-20T10:00:0${n % 10}.000Z`,
    ...overrides,
  };
}

export function invoiceEvent(resourceId: string, overrides: Partial<XeroWebhookEvent> = {}): XeroWebhookEvent {
  return {
    resourceUrl: `https://api.xero.com/api.xro/2.0/Invoices/${resourceId}`,
    resourceId,
    eventDateUtc: '2026-11-26T01:00:00.000',
    eventType: 'UPDATE',
    eventCategory: 'INVOICE',
    tenantId: TENANT,
    tenantType: 'ORGANISATION',
    ...overrides,
  };
}

export class FakeInvoiceReader implements XeroInvoiceReader {
  readonly invoices = new Map<string, XeroInvoiceSnapshot>();
  readonly creditNotes = new Map<string, XeroCreditNoteSnapshot>();
  readonly calls: string[] = [];
  /** Thrown by the next call, once. */
  failNext: Error | undefined;
  pageSize = 2;

  put(invoice: XeroInvoiceSnapshot): void {
    this.invoices.set(invoice.invoiceId, invoice);
  }

  private take(call: string): void {
    this.calls.push(call);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }

  async getInvoice(invoiceId: string) {
    this.take(`invoice ${invoiceId}`);
    return this.invoices.get(invoiceId) ?? null;
  }

  async getCreditNote(creditNoteId: string) {
    this.take(`creditnote ${creditNoteId}`);
    return this.creditNotes.get(creditNoteId) ?? null;
  }

  /** Honest If-Modified-Since semantics: updatedAt >= since, oldest first. */
  async listSalesInvoicesModifiedSince(since: string | undefined, page: number): Promise<XeroInvoicePage> {
    this.take(`list ${since ?? '-'} p${page}`);
    const sinceMs = since === undefined ? -Infinity : Date.parse(since);
    const matching = [...this.invoices.values()]
      .filter((invoice) => invoice.type === 'ACCREC' && Date.parse(invoice.updatedAt ?? '') >= sinceMs)
      .sort((a, b) => Date.parse(a.updatedAt ?? '') - Date.parse(b.updatedAt ?? ''));
    const invoices = matching.slice((page - 1) * this.pageSize, page * this.pageSize);
    return { invoices, hasMore: invoices.length === this.pageSize };
  }
}

interface StoredOrder {
  readonly salesOrderId: string;
  readonly orderNumber: string;
  /** Column name → value, as Dataverse would hold it. */
  columns: Record<string, string | null>;
}

export class FakeOrders implements OrderWriteback {
  readonly orders: StoredOrder[] = [];
  readonly patches: Array<{ salesOrderId: string; changes: Partial<WritebackValues> }> = [];
  /** Simulates the order being deleted between the GET and the PATCH. */
  deleteBeforeUpdate = false;
  /** Orders (by n) that are no longer Active, and what was recorded for them instead of a PATCH. */
  readonly inactive = new Set<string>();
  readonly recorded: Array<{ salesOrderId: string; invoiceId: string; values: WritebackValues }> = [];
  /** The connector's sync state: salesorder id → the InvoiceID it made (add(n) records salesInvoice(n)'s id). */
  readonly invoiceIdOf = new Map<string, string>();
  readonly syncState = {
    get: async (table: string, id: string): Promise<SyncRecord | null> => {
      const xeroId = table === 'salesorder' ? this.invoiceIdOf.get(id) : undefined;
      return xeroId
        ? { table: 'salesorder', id, xeroId, status: 'synced', updatedAt: '2026-11-20T00:00:00.000Z' }
        : null;
    },
  };

  add(n: number, values: Partial<WritebackValues> = {}, columns: WritebackColumns = DEFAULT_WRITEBACK_COLUMNS) {
    const order: StoredOrder = { salesOrderId: uuid(500 + n), orderNumber: `ORD-${n}`, columns: {} };
    this.invoiceIdOf.set(order.salesOrderId, uuid(n));
    for (const [field, value] of Object.entries({ ...EMPTY_VALUES, ...values })) {
      order.columns[columns[field as keyof WritebackColumns]] = value;
    }
    this.orders.push(order);
    return order;
  }

  valuesOf(n: number, columns: WritebackColumns = DEFAULT_WRITEBACK_COLUMNS): WritebackValues {
    const order = this.orders.find((candidate) => candidate.orderNumber === `ORD-${n}`);
    if (!order) throw new Error(`no order ${n}`);
    return read(order, columns);
  }

  async findOrderByNumber(orderNumber: string, columns: WritebackColumns): Promise<WritebackOrder | null> {
    const order = this.orders.find((candidate) => candidate.orderNumber === orderNumber);
    if (!order) return null;
    const active = !this.inactive.has(order.salesOrderId);
    return { salesOrderId: order.salesOrderId, current: read(order, columns), active };
  }

  async recordOnInactiveOrder(salesOrderId: string, invoiceId: string, values: WritebackValues): Promise<void> {
    this.recorded.push({ salesOrderId, invoiceId, values });
  }

  async updateOrder(
    salesOrderId: string,
    changes: Partial<WritebackValues>,
    columns: WritebackColumns
  ): Promise<OrderUpdateResult> {
    const order = this.orders.find((candidate) => candidate.salesOrderId === salesOrderId);
    if (!order || this.deleteBeforeUpdate) return 'not-found';
    this.patches.push({ salesOrderId, changes });
    for (const [field, value] of Object.entries(changes)) {
      order.columns[columns[field as keyof WritebackColumns]] = value ?? null;
    }
    return 'updated';
  }
}

function read(order: StoredOrder, columns: WritebackColumns): WritebackValues {
  const value = (field: keyof WritebackColumns) => order.columns[columns[field]] ?? null;
  return {
    invoiceNumber: value('invoiceNumber'),
    status: value('status'),
    amountDue: value('amountDue'),
    amountPaid: value('amountPaid'),
    fullyPaidOn: value('fullyPaidOn'),
    invoiceUrl: value('invoiceUrl'),
  };
}
