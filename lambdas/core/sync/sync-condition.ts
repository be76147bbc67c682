/**
 * Which records of a table go to Xero at all (the seed connector sent an order only when its "Sync to Xero" field
 * was Yes). Per table, one of:
 *   - `all`: every record (the default, and what a table without a condition gets);
 *   - `column`: a Yes/No column must be Yes, e.g. `<prefix>_synctoxero`, which `connector setup-dataverse` creates on
 *     salesorder;
 *   - `states`: statecode and/or statuscode must be one of the listed values (e.g. salesorder statecode 1 Submitted,
 *     3 Fulfilled, 4 Invoiced).
 * A record that does not meet it is skipped (outcome "skipped", nothing written, no retry); a later change that makes
 * it meet the condition (an Update webhook, or the catch-up sweep) syncs it.
 */
import type { SyncedTable } from '../model/change-event';

export type SyncCondition =
  | { readonly kind: 'all' }
  | { readonly kind: 'column'; readonly column: string }
  | { readonly kind: 'states'; readonly statecodes?: readonly number[]; readonly statuscodes?: readonly number[] };

export type SyncConditions = Readonly<Partial<Record<SyncedTable, SyncCondition>>>;

/** The columns the reader must $select for a table's condition (none for `all`). */
export function conditionColumns(condition: SyncCondition | undefined): string[] {
  if (!condition || condition.kind === 'all') return [];
  if (condition.kind === 'column') return [condition.column];
  return [...(condition.statecodes ? ['statecode'] : []), ...(condition.statuscodes ? ['statuscode'] : [])];
}

/** Per table, the columns to $select so the condition can be evaluated on the record read. */
export function syncConditionColumns(
  conditions: SyncConditions | undefined
): Partial<Record<SyncedTable, readonly string[]>> {
  const columns: Partial<Record<SyncedTable, readonly string[]>> = {};
  for (const [table, condition] of Object.entries(conditions ?? {}) as [SyncedTable, SyncCondition][]) {
    const wanted = conditionColumns(condition);
    if (wanted.length > 0) columns[table] = wanted;
  }
  return columns;
}

/** `undefined` when the record meets the condition, else why it does not (shown as the skipped outcome's message). */
export function unmetSyncCondition(
  condition: SyncCondition | undefined,
  values: Readonly<Record<string, unknown>> | undefined
): string | undefined {
  if (!condition || condition.kind === 'all') return undefined;
  const value = (column: string) => values?.[column];
  if (condition.kind === 'column') {
    return value(condition.column) === true
      ? undefined
      : `not marked for Xero: ${condition.column} is ${describe(value(condition.column))}, not Yes`;
  }
  for (const [column, allowed] of [
    ['statecode', condition.statecodes],
    ['statuscode', condition.statuscodes],
  ] as const) {
    if (!allowed) continue;
    const current = value(column);
    if (typeof current !== 'number' || !allowed.includes(current))
      return `not in a synced state: ${column} is ${describe(current)}, not one of ${allowed.join(', ')}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return 'empty';
  if (value === false) return 'No';
  return String(value);
}
