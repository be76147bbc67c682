import type { ChangeMessage, SyncedTable } from './change-event';
import type { XeroContact, XeroInvoice, XeroItem } from './xero';

/** The Dataverse record (and version) a Xero write comes from. */
export interface SourceRef {
  readonly table: SyncedTable;
  readonly id: string;
  readonly event: ChangeMessage;
  /** Dataverse modifiedon of the version that was read; absent for deletes. */
  readonly version?: string;
  readonly correlationId?: string;
}

export interface ContactDependency {
  readonly source: SourceRef;
  readonly contact: XeroContact;
}

export interface ItemDependency {
  readonly source: SourceRef;
  readonly item: XeroItem;
}

/** Where an order's invoice was before its route changed: it is voided or deleted there before it is created anew. */
export interface InvoiceLocation {
  readonly tenantId: string;
  readonly reference: string;
}

/** The Xero organisation a write goes to (set by the map stage's routing); undefined: the default (only) one. */
interface Routed {
  readonly tenantId?: string;
}

/**
 * One unit of work for the Xero-writes queue: a fully mapped document plus what it needs to exist first.
 * The post stage batches writes of the same kind and organisation (≤50 per call).
 */
export type XeroWrite = Routed &
  (
    | { readonly kind: 'upsert-contact'; readonly source: SourceRef; readonly contact: XeroContact }
    | { readonly kind: 'archive-contact'; readonly source: SourceRef; readonly contactNumber: string }
    | { readonly kind: 'upsert-item'; readonly source: SourceRef; readonly item: XeroItem }
    | { readonly kind: 'stop-selling-item'; readonly source: SourceRef; readonly code: string }
    | {
        readonly kind: 'upsert-invoice';
        readonly source: SourceRef;
        readonly invoice: XeroInvoice;
        /**
         * The Dataverse date (UTC instant) the invoice is dated from, when no time zone setting decided its day: the
         * post stage re-dates the invoice in the Xero organisation's own time zone.
         */
        readonly dateSource?: string;
        /** The order's owning business unit, kept when settings.brandingThemes may choose a theme by it. */
        readonly businessUnit?: { readonly id: string; readonly name?: string };
        /** The customer and catalogue items, ensured in Xero (created when missing) before the invoice. */
        readonly requires: {
          readonly contacts: readonly ContactDependency[];
          readonly items: readonly ItemDependency[];
        };
        /** The organisations the invoice lived in before the order's route changed (core/sync/move-invoices.ts). */
        readonly moveFrom?: readonly InvoiceLocation[];
      }
    | { readonly kind: 'cancel-invoice'; readonly source: SourceRef; readonly reference: string }
  );

export type XeroWriteKind = XeroWrite['kind'];

/** What became of one unit of work; the runtime turns it into ack / retry / dead letter / pause. */
export type WorkResult =
  | { readonly status: 'done' }
  | { readonly status: 'retry'; readonly error: string; readonly retryAfterMs?: number }
  | { readonly status: 'dead'; readonly error: string }
  | { readonly status: 'paused'; readonly error: string };
