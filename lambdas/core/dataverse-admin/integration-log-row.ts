/**
 * Pure shaping of what the integration-log sink writes: one log row per sync attempt, and the Xero id, link and
 * status written back onto the synced record. The write-back touches only the connector's own columns, none of
 * which are webhook filtering attributes, so it never triggers another sync.
 */
import type { SyncedTable } from '../model/change-event';
import type { SyncOutcome } from '../ports';
import type { IntegrationLogNames } from './integration-schema';
import { SYNC_STATUS_OPTIONS } from './integration-schema';

const ENTITY_SETS: Readonly<Record<SyncedTable, string>> = {
  account: 'accounts',
  contact: 'contacts',
  product: 'products',
  salesorder: 'salesorders',
};

const MAX_NAME = 200;
const MAX_LOG_MESSAGE = 4000;
const MAX_RECORD_MESSAGE = 2000;
const MAX_SHORT = 100;

/** The path of the Xero page that shows a document. */
function xeroPath(table: SyncedTable, xeroId: string): string {
  const id = encodeURIComponent(xeroId);
  switch (table) {
    case 'account':
    case 'contact':
      return `/Contacts/View/${id}`;
    case 'product':
      return `/Accounts/Inventory/${id}`;
    case 'salesorder':
      return `/AccountsReceivable/View.aspx?InvoiceID=${id}`;
  }
}

/**
 * Deep link to the Xero document a synced record became. With the organisation's ShortCode the link goes through
 * organisationlogin, so it opens in the right organisation for a user who has several
 * (developer.xero.com/documentation/guides/how-to-guides/deep-link-xero).
 */
export function xeroDeepLink(table: SyncedTable, xeroId: string, shortCode?: string): string {
  const path = xeroPath(table, xeroId);
  if (!shortCode) return `https://go.xero.com${path}`;
  return (
    `https://go.xero.com/organisationlogin/default.aspx?shortcode=${encodeURIComponent(shortCode)}` +
    `&redirecturl=${encodeURIComponent(path)}`
  );
}

export function entitySetOf(table: SyncedTable): string {
  return ENTITY_SETS[table];
}

export interface LogRowOptions {
  readonly names: IntegrationLogNames;
  /** Navigation property of each Regarding lookup (defaults: `names.regardingNavigation`). */
  readonly navigation?: Readonly<Partial<Record<SyncedTable, string>>>;
}

/** The body of one integration-log row. */
export function integrationLogRow(outcome: SyncOutcome, options: LogRowOptions): Record<string, unknown> {
  const { names } = options;
  const c = names.columns;
  const status = SYNC_STATUS_OPTIONS[outcome.status];
  const fate =
    outcome.status !== 'failed' || outcome.willRetry === undefined
      ? ''
      : outcome.willRetry
        ? ' (will be retried)'
        : ' (not retried: needs attention)';
  // With routing (several Xero organisations) the row says which organisation the record went to.
  const organisation = outcome.tenantId ? ` [Xero organisation ${outcome.tenantId}]` : '';
  const message = `${outcome.errorCode ? `${outcome.errorCode}: ` : ''}${outcome.message}${fate}${organisation}`;
  const row: Record<string, unknown> = {
    [c.name]: truncate(`${status.label}: ${outcome.event} of ${outcome.table} ${outcome.id}`, MAX_NAME),
    [c.event]: outcome.event,
    [c.status]: status.value,
    [c.message]: truncate(message, MAX_LOG_MESSAGE),
    [c.tableName]: outcome.table,
    [c.recordId]: truncate(outcome.id, MAX_SHORT),
  };
  if (outcome.xeroId) row[c.xeroId] = truncate(outcome.xeroId, MAX_SHORT);
  if (outcome.correlationId) row[c.correlationId] = truncate(outcome.correlationId, MAX_SHORT);
  // A deleted record cannot be bound to: the lookup would make Dataverse refuse the whole row.
  if (outcome.event !== 'Delete' && isGuid(outcome.id)) {
    const navigation = options.navigation?.[outcome.table] ?? names.regardingNavigation[outcome.table];
    row[`${navigation}@odata.bind`] = `/${ENTITY_SETS[outcome.table]}(${outcome.id.toLowerCase()})`;
  }
  return row;
}

/**
 * Fields written back onto the synced record, or null when there is nothing to write (a deleted record). The Xero
 * id and link are written only when known, so a failure never erases the link to an earlier successful sync.
 */
export function recordWriteBack(outcome: SyncOutcome, names: IntegrationLogNames): Record<string, unknown> | null {
  if (outcome.event === 'Delete' || !isGuid(outcome.id)) return null;
  const r = names.record;
  const fields: Record<string, unknown> = {
    [r.lastSyncStatus]: SYNC_STATUS_OPTIONS[outcome.status].value,
    [r.lastSyncMessage]: truncate(outcome.message, MAX_RECORD_MESSAGE),
  };
  if (outcome.xeroId) {
    fields[r.xeroId] = truncate(outcome.xeroId, MAX_SHORT);
    fields[r.xeroLink] = xeroDeepLink(outcome.table, outcome.xeroId, outcome.xeroShortCode);
  }
  return fields;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function isGuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
