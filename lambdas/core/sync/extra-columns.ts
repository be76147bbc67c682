import type { SyncedTable } from '../model/change-event';
import { withTrackingColumns } from '../mapping/tracking';
import { routingColumns } from '../routing/routing-settings';
import type { MappingSettings } from '../settings';
import { syncConditionColumns } from './sync-condition';

/**
 * The columns the reader $selects beyond what the mappers need, per table: those of the sync conditions
 * (core/sync/sync-condition.ts), the order's routing column (core/routing) and tracking columns
 * (core/mapping/tracking.ts). Their values come back on the record as `conditionValues`, a choice's or lookup's label
 * as `conditionLabels`.
 */
export function extraColumns(
  settings: Pick<MappingSettings, 'syncConditions' | 'routing' | 'tracking'>
): Partial<Record<SyncedTable, readonly string[]>> {
  const columns: Partial<Record<SyncedTable, readonly string[]>> = { ...syncConditionColumns(settings.syncConditions) };
  const routing = routingColumns(settings.routing);
  if (routing.length > 0) columns.salesorder = [...new Set([...(columns.salesorder ?? []), ...routing])];
  return withTrackingColumns(columns, settings.tracking);
}
