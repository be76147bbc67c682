/**
 * Tracking categories on invoice lines (settings.tracking).
 *
 * Xero lets an organisation keep at most two active tracking categories, and a line carries at most two tracking
 * entries, each naming a category and one of its options (developer.xero.com/documentation/api/accounting/
 * trackingcategories; …/invoices, LineItems Tracking; xero_accounting.yaml LineItemTracking: Name and Option, ≤100
 * characters). Each configured category takes its option from the order: a Dataverse column of the salesorder (read
 * with the order through the reader's extra columns, see `trackingColumns`) or the order's owning business unit.
 * A value map turns Dataverse values into option names; `otherwise` says what an order gets when its value is empty
 * or not in the map: no entry for that category (`none`, the default), a fixed option, or a mapping failure.
 * The same tracking goes on every line of the invoice (freight, discount and rounding lines too), so reports by
 * region or department add up to the invoice total.
 */
import * as z from 'zod';
import { MappingError } from '../errors';
import type { SyncedTable } from '../model/change-event';
import type { DvSalesOrder } from '../model/dataverse';
import type { XeroInvoice, XeroLineTracking } from '../model/xero';

/** Xero's cap on active tracking categories, and so on entries per line. */
export const MAX_TRACKING_CATEGORIES = 2;
const XERO_NAME_MAX = 100;

const xeroName = z.string().trim().min(1).max(XERO_NAME_MAX);

const trackingSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('column'),
    column: z.string().regex(/^_?[a-z][a-z0-9_]{1,99}$/, 'a salesorder column logical name such as new_region'),
  }),
  z.strictObject({ kind: z.literal('businessUnit') }),
]);

export const trackingCategorySettingSchema = z.strictObject({
  /** The Xero tracking category's name, e.g. "Region". */
  category: xeroName,
  source: trackingSourceSchema,
  /** Dataverse value (choice value, label, text, or business unit name or id) → Xero option name. */
  values: z.record(z.string().min(1), xeroName).optional(),
  otherwise: z.union([z.enum(['none', 'fail']), z.strictObject({ option: xeroName })]).optional(),
});

export const trackingSettingsSchema = z
  .strictObject({
    categories: z
      .array(trackingCategorySettingSchema)
      .min(1)
      .max(MAX_TRACKING_CATEGORIES, `Xero allows at most ${MAX_TRACKING_CATEGORIES} tracking categories`),
    /** Preflight creates options named in `values`/`otherwise` that the category lacks (never the sync itself). */
    createMissingOptions: z.boolean().optional(),
  })
  .refine(
    (t) => new Set(t.categories.map((c) => c.category.toLowerCase())).size === t.categories.length,
    'each tracking category may be configured once'
  );

export type TrackingCategorySetting = z.infer<typeof trackingCategorySettingSchema>;
export type TrackingSettings = z.infer<typeof trackingSettingsSchema>;

/** Per table, the columns the Dataverse reader must $select so tracking can be mapped (merge with the others). */
export function trackingColumns(
  tracking: TrackingSettings | undefined
): Partial<Record<SyncedTable, readonly string[]>> {
  const columns = (tracking?.categories ?? []).flatMap((c) => (c.source.kind === 'column' ? [c.source.column] : []));
  return columns.length > 0 ? { salesorder: [...new Set(columns)] } : {};
}

/** Two per-table column lists as one (sync-condition columns plus tracking columns, say), without repeats. */
export function mergeColumns(
  ...lists: readonly Partial<Record<SyncedTable, readonly string[]>>[]
): Partial<Record<SyncedTable, readonly string[]>> {
  const merged: Partial<Record<SyncedTable, string[]>> = {};
  for (const list of lists) {
    for (const [table, columns] of Object.entries(list) as [SyncedTable, readonly string[]][]) {
      merged[table] = [...new Set([...(merged[table] ?? []), ...columns])];
    }
  }
  return merged;
}

/** The reader's extra columns (the sync conditions', say) plus the tracking columns: what the wiring passes on. */
export function withTrackingColumns(
  columns: Partial<Record<SyncedTable, readonly string[]>>,
  tracking: TrackingSettings | undefined
): Partial<Record<SyncedTable, readonly string[]>> {
  return mergeColumns(columns, trackingColumns(tracking));
}

/** The order's value for a category: the raw value and, where Dataverse sent one, its label. */
function sourceValue(
  order: DvSalesOrder,
  setting: TrackingCategorySetting
): { keys: string[]; label?: string } | undefined {
  if (setting.source.kind === 'businessUnit') {
    const unit = order.owningBusinessUnit;
    if (!unit?.id) return undefined;
    return { keys: [unit.id.toLowerCase(), ...(unit.name ? [unit.name] : [])], label: unit.name ?? unit.id };
  }
  const raw = order.conditionValues?.[setting.source.column];
  const label = order.conditionLabels?.[setting.source.column];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const keys = [String(raw), ...(label !== undefined ? [label] : [])].map((k) => k.trim()).filter(Boolean);
  return keys.length > 0 ? { keys, ...(label !== undefined && { label }) } : undefined;
}

function mapped(values: Readonly<Record<string, string>>, keys: readonly string[]): string | undefined {
  for (const key of keys) if (values[key] !== undefined) return values[key];
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.trim().toLowerCase(), v]));
  for (const key of keys) if (lower.has(key.toLowerCase())) return lower.get(key.toLowerCase());
  return undefined;
}

function fallback(order: DvSalesOrder, setting: TrackingCategorySetting, index: number, why: string) {
  const rule = setting.otherwise ?? 'none';
  if (rule === 'none') return undefined;
  if (rule === 'fail') {
    throw new MappingError(
      `Sales order ${order.ordernumber}: ${why}, so no "${setting.category}" tracking option ` +
        `(mapping.tracking.categories.${index}.otherwise is "fail")`
    );
  }
  return rule.option;
}

/** The option of one category for an order, or undefined when the order gets none. */
function optionFor(order: DvSalesOrder, setting: TrackingCategorySetting, index: number): string | undefined {
  const value = sourceValue(order, setting);
  const what = setting.source.kind === 'businessUnit' ? 'owning business unit' : setting.source.column;
  if (!value) return fallback(order, setting, index, `${what} is empty`);
  if (!setting.values) {
    const option = (value.label ?? value.keys[0] ?? '').trim();
    if (option.length > XERO_NAME_MAX) return fallback(order, setting, index, `${what} is longer than a Xero option`);
    return option;
  }
  return (
    mapped(setting.values, value.keys) ??
    fallback(order, setting, index, `${what} "${value.keys.join('" / "')}" is not in the value map`)
  );
}

/** The tracking every line of the order's invoice carries (empty when none is configured or none applies). */
export function trackingForOrder(order: DvSalesOrder, tracking: TrackingSettings | undefined): XeroLineTracking[] {
  const entries: XeroLineTracking[] = [];
  (tracking?.categories ?? []).slice(0, MAX_TRACKING_CATEGORIES).forEach((setting, index) => {
    const option = optionFor(order, setting, index);
    if (option !== undefined) entries.push({ Name: setting.category, Option: option });
  });
  return entries;
}

/** The invoice with the tracking on each line; unchanged when there is none. */
export function withTracking(invoice: XeroInvoice, tracking: readonly XeroLineTracking[]): XeroInvoice {
  if (tracking.length === 0) return invoice;
  return { ...invoice, LineItems: invoice.LineItems.map((line) => ({ ...line, Tracking: tracking })) };
}
