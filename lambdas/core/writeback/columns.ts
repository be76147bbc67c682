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

/**
 * The WRITEBACK_COLUMNS environment value (JSON of column overrides; the CDK stack sets the stage's resolved
 * columns) → validated columns. Shared by synth (lib/config/validate.ts) and the write-back function's cold start.
 */
export function writebackColumnsFromJson(json: string | undefined): WritebackColumns {
  if (!json) return resolveWritebackColumns();
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ValidationError('WRITEBACK_COLUMNS is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError('WRITEBACK_COLUMNS must be a JSON object of column names');
  const known = new Set(Object.keys(DEFAULT_WRITEBACK_COLUMNS));
  const unknown = Object.keys(value).filter((field) => !known.has(field));
  if (unknown.length > 0) throw new ValidationError('unknown write-back column fields', unknown);
  const entries = Object.entries(value);
  const notText = entries.filter(([, name]) => typeof name !== 'string').map(([field]) => field);
  if (notText.length > 0) throw new ValidationError('write-back column names must be strings', notText);
  return resolveWritebackColumns(Object.fromEntries(entries) as Partial<WritebackColumns>);
}

export function writebackColumnNames(columns: WritebackColumns): string[] {
  return Object.values(columns);
}
