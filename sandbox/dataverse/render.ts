/**
 * Renders stored records as Dataverse Web API JSON: $select projection, `_x_value` lookups, the annotations asked
 * for with `Prefer: odata.include-annotations` (FormattedValue, lookuplogicalname, associatednavigationproperty),
 * `@odata.etag`, and nested $expand of lookups and one-to-many relationships.
 */
import { badRequestError } from './dataverse-error';
import type { ExpandOption, QueryOptions } from './odata-query';
import type { DataverseState, StoredRecord } from './state';
import { CHOICE_LABELS, findNavigation, navigationProperty, TABLES, type TableDef } from './tables';

export const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
export const ASSOCIATED_NAVIGATION = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

export interface RenderContext {
  readonly state: DataverseState;
  readonly wantsAnnotation: (name: string) => boolean;
}

export function renderRecord(record: StoredRecord, options: QueryOptions, ctx: RenderContext): Record<string, unknown> {
  const def = TABLES[record.table];
  const out: Record<string, unknown> = { '@odata.etag': `W/"${record.version}"` };
  const wire = ctx.state.toWire(record);
  const columns = options.select ? selectedColumns(def, options.select) : Object.keys(wire);
  for (const column of columns) {
    const lookupName = /^_(.+)_value$/.exec(column)?.[1];
    const lookup = lookupName !== undefined ? record.lookups[lookupName] : undefined;
    if (lookupName !== undefined && lookup !== undefined) {
      const ref = lookup;
      if (ref) {
        const lookupDef = def.lookups.find((l) => l.name === lookupName);
        annotate(out, column, FORMATTED, ctx.state.primaryNameOf(ref), ctx);
        if (lookupDef) annotate(out, column, ASSOCIATED_NAVIGATION, navigationProperty(lookupDef, ref.table), ctx);
        annotate(out, column, LOOKUP_LOGICAL_NAME, ref.table, ctx);
      }
      out[column] = ref?.id ?? null;
      continue;
    }
    const value = wire[column] ?? null;
    const formatted = formatValue(def, column, value, record, ctx.state);
    if (formatted !== undefined) annotate(out, column, FORMATTED, formatted, ctx);
    out[column] = value;
  }
  for (const expand of options.expand) out[expand.navigation] = renderExpand(record, def, expand, ctx);
  return out;
}

/** Applies $filter, $orderby and $top to a list of records (before paging). */
export function queryRecords(
  records: readonly StoredRecord[],
  options: QueryOptions,
  state: DataverseState
): StoredRecord[] {
  const rows = records.map((r) => ({ record: r, wire: state.toWire(r) }));
  let selected = options.filter ? rows.filter((r) => options.filter!(r.wire)) : rows;
  if (options.orderby.length > 0) {
    selected = [...selected].sort((a, b) => {
      for (const { column, descending } of options.orderby) {
        const order = compareValues(a.wire[column], b.wire[column]);
        if (order !== 0) return descending ? -order : order;
      }
      return 0;
    });
  }
  if (options.top !== undefined) selected = selected.slice(0, options.top);
  return selected.map((r) => r.record);
}

/** The `(…)` part of @odata.context, e.g. `(name,primarycontactid,primarycontactid(fullname))`. */
export function contextSelection(options: QueryOptions): string {
  const parts = [...(options.select ?? [])];
  for (const e of options.expand) {
    parts.push(e.navigation);
    parts.push(`${e.navigation}(${(e.options.select ?? []).join(',')})`);
  }
  return parts.length > 0 ? `(${parts.join(',')})` : '';
}

function renderExpand(record: StoredRecord, def: TableDef, expand: ExpandOption, ctx: RenderContext): unknown {
  const collection = def.collections[expand.navigation];
  if (collection) {
    const children = ctx.state.children(collection.table, collection.via, record.id);
    return queryRecords(children, expand.options, ctx.state).map((child) => renderRecord(child, expand.options, ctx));
  }
  const nav = findNavigation(def, expand.navigation);
  if (!nav) {
    throw badRequestError(
      `Could not find a property named '${expand.navigation}' on type 'Microsoft.Dynamics.CRM.${def.logicalName}'.`,
      '0x80060888'
    );
  }
  const ref = record.lookups[nav.lookup.name];
  if (!ref || ref.table !== nav.target) return null;
  const target = ctx.state.find(ref.table, ref.id);
  return target ? renderRecord(target, expand.options, ctx) : null;
}

function selectedColumns(def: TableDef, select: readonly string[]): string[] {
  const columns = new Set<string>([def.key]);
  for (const raw of select) {
    const column = def.lookups.some((l) => l.name === raw) ? `_${raw}_value` : raw;
    columns.add(column);
    // Dataverse adds the currency lookup whenever a money column is selected.
    if (def.money.includes(column)) columns.add('_transactioncurrencyid_value');
  }
  return [...columns];
}

function annotate(
  out: Record<string, unknown>,
  column: string,
  annotation: string,
  value: unknown,
  ctx: RenderContext
): void {
  if (value !== null && value !== undefined && ctx.wantsAnnotation(annotation)) out[`${column}@${annotation}`] = value;
}

function formatValue(
  def: TableDef,
  column: string,
  value: unknown,
  record: StoredRecord,
  state: DataverseState
): string | undefined {
  if (value === null || value === undefined) return undefined;
  const label = CHOICE_LABELS[def.logicalName]?.[column]?.[Number(value)];
  if (label) return label;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number' && def.money.includes(column)) {
    const currency = record.lookups.transactioncurrencyid;
    const symbol = currency ? state.find('transactioncurrency', currency.id)?.values.currencysymbol : undefined;
    const text = Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return `${value < 0 ? '-' : ''}${typeof symbol === 'string' ? symbol : ''}${text}`;
  }
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 5 });
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) {
    const d = new Date(value);
    const hours = d.getUTCHours() % 12 || 12;
    const minutes = String(d.getUTCMinutes()).padStart(2, '0');
    return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${hours}:${minutes} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
  }
  return undefined;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
