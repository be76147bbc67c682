/**
 * Sync state per Xero organisation. A record synced to two organisations (a customer who buys from two entities)
 * has one sync record in each, keyed by table, id and tenant.
 *
 * Records of the single organisation, and of routing's `defaultTenantId`, are stored WITHOUT a tenant: they keep the
 * keys every deployment has always used. An existing deployment that turns routing on (with its current
 * organisation as the default) therefore needs no migration, and its records' history — what is already in that
 * organisation — still counts when a record's route changes.
 */
import type { SyncedTable } from '../model/change-event';
import type { SyncRecord, SyncRecordRef, SyncStateStore } from '../ports';
import { routedTenants, type RoutingSettings } from './routing-settings';

/** The tenant part of a sync-state key: undefined for the default (or only) organisation. */
export function stateTenantOf(routing: RoutingSettings | undefined, tenantId: string | undefined): string | undefined {
  if (tenantId === undefined || routing === undefined) return undefined;
  const tenant = tenantId.toLowerCase();
  return tenant === routing.defaultTenantId.toLowerCase() ? undefined : tenant;
}

/** The sync state of one organisation, for code that knows nothing of tenants (the post stage's phases). */
export function stateOfTenant(state: SyncStateStore, tenant: string | undefined): SyncStateStore {
  if (tenant === undefined) return state;
  const scoped = <T extends SyncRecordRef>(ref: T): T => ({ ...ref, tenantId: tenant });
  return {
    get: (table: SyncedTable, id: string) => state.get(table, id, tenant),
    put: (record: SyncRecord) => state.put(scoped(record)),
    getMany: (refs: readonly SyncRecordRef[]) => state.getMany(refs.map(scoped)),
    putMany: (records: readonly SyncRecord[]) => state.putMany(records.map(scoped)),
  };
}

function stateRef(routing: RoutingSettings, table: SyncedTable, id: string, tenantId: string): SyncRecordRef {
  const tenant = stateTenantOf(routing, tenantId);
  return { table, id, ...(tenant !== undefined && { tenantId: tenant }) };
}

/** One organisation a record is in, with its sync record there. */
export interface Placement {
  readonly tenantId: string;
  readonly record: SyncRecord;
}

/**
 * A record "is in" an organisation when its sync state there says it was written (synced), may have been
 * (creating: the outcome of a create is unknown), or knows its Xero id. A record moved away is marked `skipped`
 * without an id, so it no longer counts.
 */
export function isPlaced(record: SyncRecord | null): record is SyncRecord {
  if (!record) return false;
  return record.status === 'synced' || record.status === 'creating' || record.xeroId !== undefined;
}

/** Every routed organisation the record is in, read in one call (default organisation first). */
export async function placementsOf(
  routing: RoutingSettings,
  state: SyncStateStore,
  table: SyncedTable,
  id: string
): Promise<Placement[]> {
  const tenants = routedTenants(routing);
  const records = await state.getMany(tenants.map((tenantId) => stateRef(routing, table, id, tenantId)));
  const placements: Placement[] = [];
  tenants.forEach((tenantId, position) => {
    const record = records[position] ?? null;
    if (isPlaced(record)) placements.push({ tenantId, record });
  });
  return placements;
}

/**
 * The record's sync state as one view for code that asks "which version did we write?" (the catch-up sweep): the
 * only record without routing; with routing, the newest version written to any organisation.
 */
export async function syncedVersionOf(
  routing: RoutingSettings | undefined,
  state: SyncStateStore,
  table: SyncedTable,
  id: string
): Promise<string | undefined> {
  if (!routing) return (await state.get(table, id))?.version;
  const records = await state.getMany(routedTenants(routing).map((tenantId) => stateRef(routing, table, id, tenantId)));
  const versions = records.flatMap((record) => record?.version ?? []);
  return versions.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
}
