/**
 * For organisations without webhooks: a scheduled poll applies every ACCREC invoice modified since a checkpoint.
 *
 * Keyset paging: each request asks for invoices modified since the cursor, oldest change first. After a page is
 * fully applied the checkpoint is saved as the newest UpdatedDateUTC of that page and the next request starts from
 * there (page 1 again), so an invoice modified while the poll runs cannot shift an unread invoice onto a page that
 * was already read. Only when a full page does not move the cursor (many invoices updated in the same instant) is
 * the next page number requested instead. Re-reading an invoice at the boundary is harmless: applying is
 * idempotent and an unchanged order gets no PATCH.
 *
 * A transient failure stops the run without saving the page, so the next run repeats it; a permanent failure of
 * one invoice (e.g. two orders with one number) is logged and does not block the poll for ever.
 */
import { ConnectorError, ReconnectRequiredError, TransientError, describeError } from '../errors';
import type { Clock, Logger, SyncStateStore } from '../ports';
import type { WritebackColumns } from './columns';
import { createInvoiceApplier } from './apply-invoice';
import type { CheckpointStore, OrderWriteback, XeroInvoiceReader, XeroInvoiceSnapshot } from './ports';

export const INVOICE_POLL_CHECKPOINT = 'xero-invoices';

export interface PollInvoicesDeps {
  readonly xero: XeroInvoiceReader;
  readonly orders: OrderWriteback;
  readonly columns: WritebackColumns;
  readonly checkpoints: CheckpointStore;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Which Xero invoice the connector made for each order (InvoiceID): only that one is written back. */
  readonly syncState: Pick<SyncStateStore, 'get'>;
  /** Requests per run; the next run continues from the saved checkpoint. Default 20. */
  readonly maxPages?: number;
  /** Without a checkpoint, start this many days back instead of reading every invoice ever. Default 30. */
  readonly initialLookbackDays?: number;
  /** Checkpoint name in the store. */
  readonly checkpointName?: string;
}

export interface PollSummary {
  readonly pages: number;
  readonly invoices: number;
  readonly patched: number;
  readonly ignored: number;
  readonly failedPermanently: number;
}

const DAY_MS = 86_400_000;

function newest(invoices: readonly XeroInvoiceSnapshot[], cursor: string): string {
  let top = cursor;
  let topMs = Date.parse(cursor);
  for (const invoice of invoices) {
    const ms = invoice.updatedAt === undefined ? NaN : Date.parse(invoice.updatedAt);
    if (!Number.isNaN(ms) && ms > topMs) {
      topMs = ms;
      top = new Date(ms).toISOString();
    }
  }
  return top;
}

/**
 * `pollInvoices(deps)(checkpoint)` → the new checkpoint (also saved page by page in `deps.checkpoints`).
 * `checkpoint` undefined means "first run": start `initialLookbackDays` before now.
 */
export function pollInvoices(deps: PollInvoicesDeps): (checkpoint: string | undefined) => Promise<string> {
  const { xero, checkpoints, logger } = deps;
  const maxPages = deps.maxPages ?? 20;
  const name = deps.checkpointName ?? INVOICE_POLL_CHECKPOINT;
  const applyInvoice = createInvoiceApplier(deps);

  return async (checkpoint) => {
    const lookbackMs = (deps.initialLookbackDays ?? 30) * DAY_MS;
    let cursor = checkpoint ?? new Date(deps.clock.now().getTime() - lookbackMs).toISOString();
    if (Number.isNaN(Date.parse(cursor))) {
      throw new TransientError('invoice poll checkpoint is not a date', 'WRITEBACK_CHECKPOINT');
    }
    const summary = { pages: 0, invoices: 0, patched: 0, ignored: 0, failedPermanently: 0 };
    let page = 1;
    while (summary.pages < maxPages) {
      const result = await xero.listSalesInvoicesModifiedSince(cursor, page);
      summary.pages += 1;
      for (const invoice of result.invoices) {
        summary.invoices += 1;
        try {
          const outcome = await applyInvoice(invoice);
          if (outcome === 'patched') summary.patched += 1;
          if (outcome === 'ignored') summary.ignored += 1;
        } catch (error) {
          if (!(error instanceof ConnectorError) || error.disposition !== 'permanent') throw error;
          summary.failedPermanently += 1;
          logger.error(`invoice poll: write-back failed permanently: ${describeError(error)}`, {
            invoiceId: invoice.invoiceId,
            code: error.code,
          });
        }
      }
      const next = newest(result.invoices, cursor);
      if (next !== cursor) {
        await checkpoints.save(name, next);
        cursor = next;
        page = 1;
      } else {
        page += 1;
      }
      if (!result.hasMore) break;
    }
    logger.info('invoice poll done', { ...summary, checkpoint: cursor });
    return cursor;
  };
}

/** Loads the checkpoint, polls, returns the new one: what a scheduled handler calls. */
export async function runInvoicePoll(deps: PollInvoicesDeps): Promise<string> {
  const checkpoint = await deps.checkpoints.load(deps.checkpointName ?? INVOICE_POLL_CHECKPOINT);
  return pollInvoices(deps)(checkpoint);
}

/** The checkpoint of one organisation's poll: the default organisation keeps the name used before several. */
export function invoicePollCheckpointFor(tenantId: string, defaultTenantId: string | undefined): string {
  return tenantId === defaultTenantId ? INVOICE_POLL_CHECKPOINT : `${INVOICE_POLL_CHECKPOINT}:${tenantId}`;
}

export interface PollOrganisationsDeps extends Omit<PollInvoicesDeps, 'xero' | 'checkpointName'> {
  /** The connected organisations (the token service's status), the default first. */
  readonly organisations: readonly string[];
  readonly defaultTenantId?: string;
  readonly xeroFor: (tenantId: string) => XeroInvoiceReader;
}

/**
 * The poll for every connected organisation, each from its own checkpoint. A paused organisation (it needs a new
 * consent) is skipped with a log line and the others go on; any other failure is rethrown after the others ran, so
 * the schedule retries and the failed organisation repeats from its saved checkpoint.
 * Returns each organisation's new checkpoint.
 */
export async function runInvoicePollPerOrganisation(deps: PollOrganisationsDeps): Promise<Record<string, string>> {
  const checkpoints: Record<string, string> = {};
  let failure: unknown;
  for (const tenantId of deps.organisations) {
    const checkpointName = invoicePollCheckpointFor(tenantId, deps.defaultTenantId ?? deps.organisations[0]);
    try {
      checkpoints[tenantId] = await runInvoicePoll({ ...deps, xero: deps.xeroFor(tenantId), checkpointName });
    } catch (error) {
      if (error instanceof ReconnectRequiredError && error.tenantId !== undefined) {
        deps.logger.warn('invoice poll skipped: organisation paused', { tenantId, reason: error.reason });
        continue;
      }
      deps.logger.warn('invoice poll failed for an organisation', { tenantId, error: describeError(error) });
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return checkpoints;
}
