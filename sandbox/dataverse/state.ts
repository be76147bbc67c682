/**
 * The sandbox Dataverse's in-memory tables. Records are kept with their lookups resolved to {table, id} so the
 * server can render `_x_value` columns, annotations and `$expand`. Writes stamp `modifiedon` (strictly increasing,
 * whole seconds like Dataverse), recompute order lines and order totals, and notify subscribers.
 */
import { randomUUID } from 'node:crypto';
import { badRequestError, DataverseError, notFoundError } from './dataverse-error';
import { computeLineAmounts, computeOrderTotals } from './order-totals';
import { SANDBOX_USER_TIME_ZONE, userLocalToUtc } from './user-local-dates';
import { findNavigation, isTableName, TABLES, tableBySet, type LookupDef, type TableName } from './tables';

export interface LookupRef {
  readonly table: TableName;
  readonly id: string;
}

export interface StoredRecord {
  readonly table: TableName;
  readonly id: string;
  readonly values: Record<string, unknown>;
  readonly lookups: Record<string, LookupRef | null>;
  version: number;
}

export interface RecordChange {
  readonly table: TableName;
  readonly id: string;
  readonly message: 'Create' | 'Update' | 'Delete';
  /** Columns the write touched (logical names; lookups by their lookup name). */
  readonly changed: readonly string[];
  /** For order lines: the order they belong (or, on Delete, belonged) to. */
  readonly parentOrderId?: string;
}

export type RecordInput = Readonly<Record<string, unknown>>;

const ORDER_TOTAL_COLUMNS = [
  'totallineitemamount',
  'totallineitemdiscountamount',
  'totaldiscountamount',
  'totalamountlessfreight',
  'totaltax',
  'totalamount',
] as const;

/**
 * UserLocal date columns with the DateOnly format (learn.microsoft.com/power-apps/developer/data-platform/reference/
 * entities/salesorder: SubmitDate, DateFulfilled, RequestDeliveryBy).
 */
const USER_LOCAL_DATES: Partial<Record<TableName, readonly string[]>> = {
  salesorder: ['submitdate', 'datefulfilled', 'requestdeliveryby'],
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class DataverseState {
  private readonly tables = new Map<TableName, Map<string, StoredRecord>>();
  private readonly listeners = new Set<(change: RecordChange) => void>();
  private lastStamp = 0;
  private version = 1000;
  private orderSequence = 1000;

  constructor(
    private readonly clock: () => number = Date.now,
    /** IANA zone of the sandbox user, for UserLocal date columns (see user-local-dates.ts). */
    private readonly userTimeZone: string = SANDBOX_USER_TIME_ZONE
  ) {
    for (const name of Object.keys(TABLES) as TableName[]) this.tables.set(name, new Map());
  }

  /** Creates or updates a record (programmatic API for demo data and tests). Returns the record as the Web API shows it. */
  upsert(table: TableName, record: RecordInput): Record<string, unknown> {
    const key = TABLES[table].key;
    const id = typeof record[key] === 'string' ? (record[key] as string) : undefined;
    const saved = id && this.find(table, id) ? this.update(table, id, record) : this.create(table, record);
    return this.toWire(saved);
  }

  /** Deletes a record (and, for an order, its lines). Returns false when it did not exist. */
  remove(table: TableName, id: string): boolean {
    const record = this.find(table, id);
    if (!record) return false;
    this.rows(table).delete(record.id);
    if (table === 'salesorder') {
      for (const line of this.children('salesorderdetail', 'salesorderid', record.id)) {
        this.rows('salesorderdetail').delete(line.id);
      }
    }
    const parentOrder = table === 'salesorderdetail' ? record.lookups.salesorderid : null;
    if (parentOrder && this.find('salesorder', parentOrder.id)) this.recalculateOrder(parentOrder.id);
    this.emit({
      table,
      id: record.id,
      message: 'Delete',
      changed: [],
      ...(parentOrder ? { parentOrderId: parentOrder.id } : {}),
    });
    return true;
  }

  get(table: TableName, id: string): Record<string, unknown> | undefined {
    const record = this.find(table, id);
    return record ? this.toWire(record) : undefined;
  }

  list(table: TableName): Record<string, unknown>[] {
    return [...this.rows(table).values()].map((r) => this.toWire(r));
  }

  /** Recomputes an order's line amounts and totals from its current lines (as Dynamics does on save). */
  recalculateOrder(id: string): Record<string, unknown> {
    const order = this.find('salesorder', id);
    if (!order) throw notFoundError('salesorder', id);
    this.computeTotals(order);
    order.values.modifiedon = this.stamp();
    order.version = this.nextVersion();
    this.emit({ table: 'salesorder', id: order.id, message: 'Update', changed: [...ORDER_TOTAL_COLUMNS] });
    return this.toWire(order);
  }

  private computeTotals(order: StoredRecord): void {
    const lines = this.children('salesorderdetail', 'salesorderid', order.id);
    for (const line of lines) Object.assign(line.values, computeLineAmounts(num(line.values)));
    Object.assign(
      order.values,
      computeOrderTotals(
        num(order.values),
        lines.map((l) => num(l.values))
      )
    );
  }

  /** Called after every write (demo runtimes use it to fire webhooks). Returns an unsubscribe function. */
  subscribe(listener: (change: RecordChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  find(table: TableName, id: string): StoredRecord | undefined {
    return this.rows(table).get(id.toLowerCase());
  }

  all(table: TableName): StoredRecord[] {
    return [...this.rows(table).values()];
  }

  children(table: TableName, via: string, parentId: string): StoredRecord[] {
    return this.all(table).filter((r) => r.lookups[via]?.id === parentId.toLowerCase());
  }

  create(table: TableName, input: RecordInput): StoredRecord {
    const def = TABLES[table];
    const given = input[def.key];
    if (given !== undefined && (typeof given !== 'string' || !GUID.test(given))) {
      throw badRequestError(`Invalid value for ${def.key}: expected a GUID.`);
    }
    const id = (typeof given === 'string' ? given : randomUUID()).toLowerCase();
    if (this.find(table, id)) {
      throw new DataverseError(412, '0x80040237', 'A record with matching key values already exists.');
    }
    const now = this.stamp();
    const record: StoredRecord = {
      table,
      id,
      values: { createdon: now, statecode: 0, statuscode: defaultStatus(table) },
      lookups: Object.fromEntries(def.lookups.map((l) => [l.name, null])),
      version: 0,
    };
    const changed = this.apply(record, input, true);
    this.rows(table).set(id, record);
    this.afterWrite(record, now, undefined);
    this.emit({ table, id, message: 'Create', changed });
    return record;
  }

  update(table: TableName, id: string, input: RecordInput): StoredRecord {
    const record = this.find(table, id);
    if (!record) throw notFoundError(table, id);
    const previousOrder = record.lookups.salesorderid?.id;
    const changed = this.apply(record, input, false);
    const repriced = changed.includes('productid') && !changed.includes('priceperunit');
    // A catalogue line whose product changes takes the new product's price, as in Dynamics.
    if (table === 'salesorderdetail' && repriced && record.values.ispriceoverridden !== true) {
      delete record.values.priceperunit;
    }
    this.afterWrite(record, this.stamp(), previousOrder);
    this.emit({ table, id: record.id, message: 'Update', changed });
    return record;
  }

  /** Renders a record the way the Web API returns it without $select: columns plus `_x_value` lookups. */
  toWire(record: StoredRecord): Record<string, unknown> {
    const def = TABLES[record.table];
    const wire: Record<string, unknown> = { [def.key]: record.id, ...record.values };
    for (const [name, ref] of Object.entries(record.lookups)) wire[`_${name}_value`] = ref?.id ?? null;
    return wire;
  }

  primaryNameOf(ref: LookupRef): string | null {
    const target = this.find(ref.table, ref.id);
    const value = target?.values[TABLES[ref.table].primaryName];
    return typeof value === 'string' ? value : null;
  }

  private apply(record: StoredRecord, input: RecordInput, creating: boolean): string[] {
    const def = TABLES[record.table];
    const changed: string[] = [];
    for (const [field, value] of Object.entries(input)) {
      if (
        field === def.key ||
        field.startsWith('@odata.') ||
        field.includes('@OData.') ||
        field.includes('@Microsoft.')
      ) {
        continue;
      }
      const bind = /^(.+)@odata\.bind$/.exec(field);
      if (bind?.[1]) {
        const nav = findNavigation(def, bind[1]);
        if (!nav) throw badRequestError(`An undeclared property '${bind[1]}' was found in the payload.`);
        record.lookups[nav.lookup.name] = value === null ? null : this.resolveBind(String(value), nav.target);
        changed.push(nav.lookup.name);
        continue;
      }
      const valueColumn = /^_(.+)_value$/.exec(field);
      const lookup = def.lookups.find((l) => l.name === (valueColumn?.[1] ?? field));
      if (lookup && (valueColumn || value === null || isRef(value))) {
        const hint = input[`${field}@Microsoft.Dynamics.CRM.lookuplogicalname`];
        record.lookups[lookup.name] = this.resolveLookup(lookup, value, typeof hint === 'string' ? hint : undefined);
        changed.push(lookup.name);
        continue;
      }
      record.values[field] = USER_LOCAL_DATES[record.table]?.includes(field)
        ? userLocalToUtc(value, this.userTimeZone)
        : value;
      changed.push(field);
    }
    if (creating) this.applyCreateDefaults(record);
    return changed;
  }

  private applyCreateDefaults(record: StoredRecord): void {
    if (record.table === 'salesorder') {
      if (record.values.ordernumber === undefined) {
        this.orderSequence += 1;
        record.values.ordernumber = `ORD-0${this.orderSequence}-${record.id.slice(0, 6).toUpperCase()}`;
      }
      if (!record.lookups.transactioncurrencyid) {
        const base = this.all('transactioncurrency')[0];
        if (base) record.lookups.transactioncurrencyid = { table: 'transactioncurrency', id: base.id };
      }
    }
    if (record.table === 'salesorderdetail') {
      record.values.isproductoverridden ??= false;
      record.values.ispriceoverridden ??= false;
      const order = record.lookups.salesorderid;
      if (!order) throw badRequestError('salesorderid is required for an order line.');
      const siblings = this.children('salesorderdetail', 'salesorderid', order.id);
      const next = Math.max(0, ...siblings.map((s) => Number(s.values.sequencenumber) || 0)) + 1;
      record.values.sequencenumber ??= next;
      record.values.lineitemnumber ??= next;
      if (!record.lookups.transactioncurrencyid) {
        record.lookups.transactioncurrencyid = this.find('salesorder', order.id)?.lookups.transactioncurrencyid ?? null;
      }
    }
  }

  private afterWrite(record: StoredRecord, stamp: string, previousOrder: string | undefined): void {
    record.values.modifiedon = stamp;
    record.version = this.nextVersion();
    if (record.table === 'contact') {
      const full = [record.values.firstname, record.values.lastname]
        .filter((v) => typeof v === 'string' && v)
        .join(' ');
      if (full) record.values.fullname = full;
    }
    if (record.table === 'salesorderdetail') {
      const product = record.lookups.productid ? this.find('product', record.lookups.productid.id) : undefined;
      if (product && record.values.ispriceoverridden !== true && record.values.priceperunit === undefined) {
        record.values.priceperunit = product.values.price ?? 0;
      }
      Object.assign(record.values, computeLineAmounts(num(record.values)));
      const orderId = record.lookups.salesorderid?.id;
      for (const id of new Set([orderId, previousOrder])) {
        if (id && this.find('salesorder', id)) this.recalculateOrder(id);
      }
    }
    if (record.table === 'salesorder') this.computeTotals(record);
  }

  private resolveBind(path: string, expected: TableName): LookupRef {
    const match = /([A-Za-z_]+)\(([0-9a-fA-F-]{36})\)\/?$/.exec(path);
    const def = match?.[1] ? tableBySet(match[1]) : undefined;
    if (!match?.[2] || !def || def.logicalName !== expected) {
      throw badRequestError(`The @odata.bind value '${path}' does not reference a ${expected}.`);
    }
    const id = match[2].toLowerCase();
    if (!this.find(expected, id)) throw notFoundError(expected, id);
    return { table: expected, id };
  }

  private resolveLookup(lookup: LookupDef, value: unknown, hint: string | undefined): LookupRef | null {
    if (value === null || value === undefined) return null;
    const candidate = isRef(value) ? value : { table: hint, id: String(value) };
    const id = String(candidate.id).toLowerCase();
    const tables =
      candidate.table && isTableName(candidate.table)
        ? [candidate.table]
        : lookup.targets.filter((t) => this.find(t, id));
    const table = tables.find((t) => lookup.targets.includes(t));
    if (!table) throw badRequestError(`Cannot resolve ${lookup.name} to one of ${lookup.targets.join(', ')}.`);
    if (!this.find(table, id)) throw notFoundError(table, id);
    return { table, id };
  }

  private emit(change: RecordChange): void {
    const parent =
      change.table === 'salesorderdetail' ? this.find(change.table, change.id)?.lookups.salesorderid : null;
    const withParent = parent && !change.parentOrderId ? { ...change, parentOrderId: parent.id } : change;
    for (const listener of this.listeners) listener(withParent);
  }

  private rows(table: TableName): Map<string, StoredRecord> {
    const rows = this.tables.get(table);
    if (!rows) throw badRequestError(`Unknown table ${table}`);
    return rows;
  }

  /** ISO UTC to the second, strictly increasing across all writes so `modifiedon gt X` polling never misses one. */
  private stamp(): string {
    const now = Math.floor(this.clock() / 1000) * 1000;
    this.lastStamp = Math.max(now, this.lastStamp + 1000);
    return new Date(this.lastStamp).toISOString().replace('.000Z', 'Z');
  }

  private nextVersion(): number {
    this.version += 1;
    return this.version;
  }
}

function defaultStatus(table: TableName): number {
  return table === 'systemuser' || table === 'transactioncurrency' || table === 'businessunit' ? 0 : 1;
}

function isRef(value: unknown): value is { table?: string; id: string } {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}

/** Numeric view of money/quantity columns for the calculators (null and strings count as absent). */
function num(values: Record<string, unknown>): Record<string, number | undefined> {
  return new Proxy(values, {
    get: (target, prop: string) => (typeof target[prop] === 'number' ? target[prop] : undefined),
  }) as unknown as Record<string, number | undefined>;
}
