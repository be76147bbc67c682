/**
 * Xero webhook events (already verified by the ingress) → invoice state on the originating Dataverse sales order.
 *
 * Events carry ids only, so every invoice is read from Xero at processing time: applying an old or repeated event
 * writes the invoice's current state, and an unchanged state makes no PATCH. INVOICE events refresh that invoice;
 * CREDITNOTE events refresh the invoices the credit note is allocated to. Other categories are ignored, and so are
 * events of an organisation the connector does not use (logged, not failed). With several organisations each event
 * is read from its own organisation (`xeroFor`). Failures are reported per event with their typed error:
 * retryable → the caller retries the event; permanent → logged here and dead-lettered by the caller; reconnect /
 * rate limited → the organisation's remaining events are not attempted (they would fail the same way) and are
 * reported with the same error, while other organisations' events go on.
 */
import { ConnectorError, RateLimitedError, ReconnectRequiredError, TransientError, describeError } from '../errors';
import type { Clock, Logger, SyncStateStore } from '../ports';
import type { XeroWebhookEvent } from '../ingress/xero-webhook';
import type { WritebackColumns } from './columns';
import { createInvoiceApplier, type InvoiceOutcome } from './apply-invoice';
import type { OrderWriteback, XeroInvoiceReader } from './ports';

export interface ApplyXeroInvoiceEventsDeps {
  readonly xero: XeroInvoiceReader;
  readonly orders: OrderWriteback;
  readonly columns: WritebackColumns;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Which Xero invoice the connector made for each order (InvoiceID): only that one is written back. */
  readonly syncState: Pick<SyncStateStore, 'get'>;
  /** The connected Xero tenant; events for any other tenant are ignored. Unset: all tenants are accepted. */
  readonly tenantId?: string;
  /** Several organisations: the ones in use (XERO_TENANT_ID's pins); events of others are ignored. */
  readonly tenantIds?: readonly string[];
  /** Several organisations: the invoice reader of one organisation. Default: `xero` for every event. */
  readonly xeroFor?: (tenantId: string) => XeroInvoiceReader;
}

export interface FailedEvent {
  readonly resourceId: string;
  readonly error: ConnectorError;
}

export interface ApplyXeroInvoiceEventsResult {
  /** Events whose invoices the orders now show (whether or not a PATCH was needed). */
  readonly applied: number;
  readonly ignored: number;
  readonly failed: FailedEvent[];
  /** PATCH requests made. */
  readonly patched: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type EventOutcome = 'applied' | 'ignored';

/** Any thrown value as a typed error; unknown errors count as transient, like dispositionOf does. */
function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  return new TransientError(`write-back failed unexpectedly: ${describeError(error)}`, 'WRITEBACK_UNEXPECTED');
}

/** Errors after which every further call in this batch would fail the same way. */
function stopsTheBatch(error: ConnectorError): boolean {
  return error.disposition === 'reconnect' || error instanceof RateLimitedError;
}

function notChosen(error: unknown): boolean {
  return error instanceof ReconnectRequiredError && error.reason === 'tenant_not_chosen';
}

export function createApplyXeroInvoiceEvents(
  deps: ApplyXeroInvoiceEventsDeps
): (events: XeroWebhookEvent[]) => Promise<ApplyXeroInvoiceEventsResult> {
  const { xero, logger, tenantId } = deps;
  const applyInvoice = createInvoiceApplier(deps);
  const accepted = (eventTenant: string): boolean =>
    deps.tenantIds ? deps.tenantIds.includes(eventTenant) : tenantId === undefined || eventTenant === tenantId;
  const readerOf = (eventTenant: string): XeroInvoiceReader => deps.xeroFor?.(eventTenant) ?? xero;

  return async (events) => {
    const started = deps.clock.now().getTime();
    let applied = 0;
    let ignored = 0;
    let patched = 0;
    const failed: FailedEvent[] = [];
    // One delivery often names an invoice several times (CREATE then UPDATE): read and apply it once.
    const invoiceOutcomes = new Map<string, Promise<InvoiceOutcome>>();
    /** Per organisation: after a reconnect or rate limit its further events would fail the same way. */
    const stopErrors = new Map<string, ConnectorError>();

    const refreshInvoice = (reader: XeroInvoiceReader, eventTenant: string, invoiceId: string) => {
      const key = `${eventTenant}/${invoiceId}`;
      let outcome = invoiceOutcomes.get(key);
      if (!outcome) {
        outcome = (async (): Promise<InvoiceOutcome> => {
          const invoice = await reader.getInvoice(invoiceId);
          if (!invoice) {
            logger.info('write-back ignored: Xero does not know the invoice', { invoiceId });
            return 'ignored';
          }
          const result = await applyInvoice(invoice);
          if (result === 'patched') patched += 1;
          return result;
        })();
        invoiceOutcomes.set(key, outcome);
      }
      return outcome;
    };

    const applyEvent = async (event: XeroWebhookEvent): Promise<EventOutcome> => {
      const ids = { resourceId: event.resourceId, category: event.eventCategory };
      if (!accepted(event.tenantId)) {
        logger.info('write-back ignored: event for another Xero tenant', { ...ids, tenantId: event.tenantId });
        return 'ignored';
      }
      if (event.eventCategory !== 'INVOICE' && event.eventCategory !== 'CREDITNOTE') {
        logger.debug('write-back ignored: event category not written back', ids);
        return 'ignored';
      }
      if (!GUID.test(event.resourceId)) {
        logger.warn('write-back ignored: event resourceId is not a Xero id', { category: event.eventCategory });
        return 'ignored';
      }
      const reader = readerOf(event.tenantId);
      let invoiceIds: readonly string[] = [event.resourceId];
      if (event.eventCategory === 'CREDITNOTE') {
        const creditNote = await reader.getCreditNote(event.resourceId);
        if (!creditNote || creditNote.type !== 'ACCRECCREDIT') {
          logger.info('write-back ignored: not a customer credit note', { ...ids, type: creditNote?.type });
          return 'ignored';
        }
        invoiceIds = creditNote.allocatedInvoiceIds.filter((id) => GUID.test(id));
        if (invoiceIds.length === 0) {
          logger.info('write-back ignored: credit note is not allocated to an invoice', ids);
          return 'ignored';
        }
      }
      let any: EventOutcome = 'ignored';
      for (const invoiceId of invoiceIds) {
        if ((await refreshInvoice(reader, event.tenantId, invoiceId)) !== 'ignored') any = 'applied';
      }
      return any;
    };

    for (const event of events) {
      const stopError = stopErrors.get(event.tenantId);
      if (stopError) {
        failed.push({ resourceId: event.resourceId, error: stopError });
        continue;
      }
      try {
        if ((await applyEvent(event)) === 'applied') applied += 1;
        else ignored += 1;
      } catch (thrown) {
        if (notChosen(thrown)) {
          // An organisation the operator did not choose (no pins to filter by): not ours to write back.
          logger.info('write-back ignored: event for a Xero organisation not in use', { tenantId: event.tenantId });
          ignored += 1;
          continue;
        }
        const error = asConnectorError(thrown);
        failed.push({ resourceId: event.resourceId, error });
        const fields = { resourceId: event.resourceId, category: event.eventCategory, code: error.code };
        if (error.disposition === 'permanent') {
          logger.error(`write-back failed permanently: ${error.message}`, fields);
        } else {
          logger.warn(`write-back failed, will retry: ${error.message}`, fields);
        }
        if (stopsTheBatch(error)) stopErrors.set(event.tenantId, error);
      }
    }
    logger.info('write-back batch done', {
      events: events.length,
      applied,
      ignored,
      failed: failed.length,
      patched,
      ms: deps.clock.now().getTime() - started,
    });
    return { applied, ignored, failed, patched };
  };
}
