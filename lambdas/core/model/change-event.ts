/** The tables the connector syncs, in dependency order (customers and products before orders). */
export const SYNCED_TABLES = ['account', 'contact', 'product', 'salesorder'] as const;
export type SyncedTable = (typeof SYNCED_TABLES)[number];

export const CHANGE_MESSAGES = ['Create', 'Update', 'Delete'] as const;
export type ChangeMessage = (typeof CHANGE_MESSAGES)[number];

export type ChangeSource = 'dataverse-webhook' | 'retry' | 'backfill' | 'redrive' | 'manual' | 'sweep';

/**
 * The minimal, payload-free description of a Dataverse change that travels on the changes queue. The record itself
 * is always re-read at processing time (webhook Targets carry only changed columns and may arrive out of order).
 */
export interface ChangeEvent {
  readonly table: SyncedTable;
  /** Dataverse record GUID, lower case. */
  readonly id: string;
  readonly message: ChangeMessage;
  /** When Dataverse performed the operation (ISO 8601 UTC). */
  readonly occurredAt: string;
  /** Stable id for de-duplication of redelivered webhooks (operation id + message, or a derived hash). */
  readonly dedupeId: string;
  readonly correlationId?: string;
  readonly operationId?: string;
  readonly source: ChangeSource;
}

export function isSyncedTable(value: string): value is SyncedTable {
  return (SYNCED_TABLES as readonly string[]).includes(value);
}
