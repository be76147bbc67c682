/**
 * Which Dataverse salesorder columns receive the Xero invoice state. The columns are created by
 * `connector setup-dataverse`; their names are configurable because a customer may already use the default
 * publisher prefix. They must stay OUT of the sync's webhook filtering attributes, so a write-back never
 * triggers another Dataverse → Xero sync.
 */
import { ValidationError } from '../errors';

export interface WritebackColumns {
  /** Text: Xero's invoice number (e.g. INV-0042). */
  readonly invoiceNumber: string;
  /** Text: Xero's status (DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED). */
  readonly status: string;
  /** Currency (Money): what the customer still owes, after payments and credit notes. */
  readonly amountDue: string;
  /** Currency (Money): the sum of payments applied. */
  readonly amountPaid: string;
  /** Date only: when the invoice became fully paid; empty while it is not PAID. */
  readonly fullyPaidOn: string;
  /** Text (URL): a link that opens the invoice in Xero. */
  readonly invoiceUrl: string;
}

export const DEFAULT_WRITEBACK_PREFIX = 'd365x_';

export const DEFAULT_WRITEBACK_COLUMNS: WritebackColumns = {
  invoiceNumber: 'd365x_xeroinvoicenumber',
  status: 'd365x_xeroinvoicestatus',
  amountDue: 'd365x_xeroamountdue',
  amountPaid: 'd365x_xeroamountpaid',
  fullyPaidOn: 'd365x_xerofullypaidon',
  invoiceUrl: 'd365x_xeroinvoiceurl',
};

/** A Dataverse logical name: lower case letters, digits and underscores. Anything else could bend an OData query. */
const LOGICAL_NAME = /^[a-z][a-z0-9_]{0,49}$/;

/**
 * The columns to use: the defaults, re-prefixed when `prefix` is given, then any single-column overrides.
 * Throws ValidationError naming each invalid or duplicated column.
 */
export function resolveWritebackColumns(
  overrides: Partial<WritebackColumns> = {},
  prefix: string = DEFAULT_WRITEBACK_PREFIX
): WritebackColumns {
  const base = Object.fromEntries(
    Object.entries(DEFAULT_WRITEBACK_COLUMNS).map(([field, name]) => [
      field,
      prefix + name.slice(DEFAULT_WRITEBACK_PREFIX.length),
    ])
  ) as unknown as WritebackColumns;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, name]) => name !== undefined));
  const columns: WritebackColumns = { ...base, ...defined };
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const [field, name] of Object.entries(columns) as [string, string][]) {
    if (!LOGICAL_NAME.test(name)) issues.push(`${field}: "${name.slice(0, 60)}" is not a Dataverse logical name`);
    else if (seen.has(name)) issues.push(`${field}: column "${name}" is used twice`);
    seen.add(name);
  }
  if (issues.length > 0) throw new ValidationError('invalid write-back column configuration', issues);
  return columns;
}

export function writebackColumnNames(columns: WritebackColumns): string[] {
  return Object.values(columns);
}
