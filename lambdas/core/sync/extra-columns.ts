import type { SyncedTable } from '../model/change-event';
import { routingColumns } from '../routing/routing-settings';
import type { MappingSettings } from '../settings';
import { syncConditionColumns } from './sync-condition';

/**
 * The columns the reader $selects beyond what the mappers need, per table: those of the sync conditions
 * (core/sync/sync-condition.ts) and the order's routing column (core/routing). Their values come back on the record
 * as `conditionValues` (with a choice's or lookup's label under `<column>@OData.Community.Display.V1.FormattedValue`).
 */
export function extraColumns(
  settings: Pick<MappingSettings, 'syncConditions' | 'routing'>
): Partial<Record<SyncedTable, readonly string[]>> {
  const columns: Partial<Record<SyncedTable, readonly string[]>> = { ...syncConditionColumns(settings.syncConditions) };
  const routing = routingColumns(settings.routing);
  if (routing.length > 0) columns.salesorder = [...new Set([...(columns.salesorder ?? []), ...routing])];
  return columns;
}
