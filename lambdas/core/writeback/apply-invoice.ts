/**
 * Applies one Xero invoice to its originating sales order: shared by the webhook path and the poll.
 * The Reference finds the candidate order; the invoice is applied only when the sync state of that order holds this
 * very InvoiceID, so an invoice someone typed by hand with an order number as its Reference never overwrites the
 * order. Invoices the connector did not create (not ACCREC, empty Reference, no order with that number, another
 * InvoiceID in sync state) are ignored with a log line that names ids only.
 */
import type { Logger, SyncStateStore } from '../ports';
import type { WritebackColumns } from './columns';
import type { OrderWriteback, XeroInvoiceSnapshot } from './ports';
import { writebackChanges, writebackValuesFor } from './writeback-values';

/** `recorded`: the order is not Active, so the invoice state went to the integration log instead. */
export type InvoiceOutcome = 'patched' | 'recorded' | 'unchanged' | 'ignored';

export interface ApplyInvoiceDeps {
  readonly orders: OrderWriteback;
  readonly columns: WritebackColumns;
  readonly logger: Logger;
  /** The connector's sync state: which Xero invoice it made for each sales order. */
  readonly syncState: Pick<SyncStateStore, 'get'>;
}

export function createInvoiceApplier(
  deps: ApplyInvoiceDeps
): (invoice: XeroInvoiceSnapshot) => Promise<InvoiceOutcome> {
  const { orders, columns, logger } = deps;
  return async (invoice) => {
    const ids = { invoiceId: invoice.invoiceId };
    if (invoice.type !== 'ACCREC') {
      logger.info('write-back ignored: not a sales invoice', { ...ids, type: invoice.type });
      return 'ignored';
    }
    const orderNumber = invoice.reference?.trim();
    if (!orderNumber) {
      logger.info('write-back ignored: invoice has no Reference, so the connector did not create it', ids);
      return 'ignored';
    }
    const order = await orders.findOrderByNumber(orderNumber, columns);
    if (!order) {
      logger.info('write-back ignored: no sales order matches the invoice Reference', ids);
      return 'ignored';
    }
    const synced = await deps.syncState.get('salesorder', order.salesOrderId);
    if (synced?.xeroId?.toLowerCase() !== invoice.invoiceId.toLowerCase()) {
      logger.info('write-back ignored: the connector did not make this invoice for the order', {
        ...ids,
        salesOrderId: order.salesOrderId,
      });
      return 'ignored';
    }
    const fields = { ...ids, salesOrderId: order.salesOrderId, status: invoice.status };
    if (order.active === false) {
      if (!orders.recordOnInactiveOrder) {
        logger.info('write-back ignored: the sales order is not Active, so Dataverse allows no change to it', fields);
        return 'ignored';
      }
      await orders.recordOnInactiveOrder(order.salesOrderId, invoice.invoiceId, writebackValuesFor(invoice));
      logger.info('write-back recorded in the integration log: the sales order is not Active', fields);
      return 'recorded';
    }
    const changes = writebackChanges(order.current, writebackValuesFor(invoice));
    const changed = Object.keys(changes);
    if (changed.length === 0) {
      logger.debug('write-back skipped: the order already shows this invoice state', fields);
      return 'unchanged';
    }
    const result = await orders.updateOrder(order.salesOrderId, changes, columns);
    if (result === 'not-found') {
      logger.info('write-back ignored: the sales order was deleted before the update', fields);
      return 'ignored';
    }
    logger.info('write-back applied', { ...fields, changed });
    return 'patched';
  };
}
