import type { BrandingThemeSettings } from './mapping/branding';
import type { TrackingSettings } from './mapping/tracking';
import type { SyncedTable } from './model/change-event';
import { SYNCED_TABLES } from './model/change-event';
import type { LineAmountTypes } from './model/xero';
import type { SyncConditions } from './sync/sync-condition';
import type { RoutingSettings } from './routing/routing-settings';

/** How Dataverse records become Xero documents. Safe defaults; every field overridable per stage or by env. */
export interface MappingSettings {
  /** Revenue account for catalogue and write-in lines. */
  readonly salesAccountCode: string;
  /** Tax type for sales lines; undefined lets Xero use the account's default. Region-specific (OUTPUT, OUTPUT2…). */
  readonly salesTaxType?: string;
  /** Account for the freight line. */
  readonly freightAccountCode: string;
  readonly freightTaxType?: string;
  /** Account for the order-level discount line. */
  readonly discountAccountCode: string;
  /** Account for a rounding line that absorbs a sub-tolerance difference from Dataverse's total. */
  readonly roundingAccountCode: string;
  /** Largest |Xero total − Dataverse totalamount| absorbed by a rounding line (decimal string, e.g. "0.05"). */
  readonly roundingTolerance: string;
  /** Status new invoices are created with. */
  readonly invoiceStatus: 'DRAFT' | 'AUTHORISED';
  /** Who numbers invoices: Xero's own sequence, or the Dataverse ordernumber. */
  readonly invoiceNumbering: 'xero' | 'ordernumber';
  /** Days from invoice date to due date. */
  readonly dueDays: number;
  /** How line amounts are expressed: Dataverse prices are tax exclusive by default. */
  readonly lineAmountTypes: LineAmountTypes;
  /** Which tables are synced; others are acknowledged and ignored. */
  readonly syncedTables: readonly SyncedTable[];
  /** When a contact name is taken by another Xero contact, append " (ContactNumber suffix)" instead of failing. */
  readonly disambiguateDuplicateNames: boolean;
  /**
   * IANA time zone whose calendar day dates invoices (e.g. "Australia/Sydney"). Unset: the Xero organisation's own
   * time zone (GET /Organisation Timezone), since Dataverse returns submit and created dates as UTC instants.
   */
  readonly timeZone?: string;
  /**
   * An order whose customer is archived in Xero (Xero takes no new invoices for archived contacts): false fails it
   * with a message saying so; true restores the contact, creates the invoice and archives the contact again.
   */
  readonly restoreArchivedCustomers?: boolean;
  /** Which records of a table are sent to Xero (core/sync/sync-condition.ts); a table without one: all. */
  readonly syncConditions?: SyncConditions;
  /** Up to two Xero tracking categories on every invoice line (core/mapping/tracking.ts). */
  readonly tracking?: TrackingSettings;
  /** Branding theme names per organisation, currency or business unit (core/mapping/branding.ts). */
  readonly brandingThemes?: BrandingThemeSettings;
  /** Which Xero organisation each record goes to (core/routing/routing-settings.ts); unset: the only one. */
  readonly routing?: RoutingSettings;
}

export const DEFAULT_MAPPING_SETTINGS: MappingSettings = {
  salesAccountCode: '200',
  freightAccountCode: '200',
  discountAccountCode: '200',
  roundingAccountCode: '860',
  roundingTolerance: '0.05',
  invoiceStatus: 'DRAFT',
  invoiceNumbering: 'xero',
  dueDays: 30,
  lineAmountTypes: 'Exclusive',
  syncedTables: SYNCED_TABLES,
  disambiguateDuplicateNames: false,
};
