/**
 * "Retry" on a record (the status page's failures, `POST /admin/retry {table, id}`) on both runtimes: the request's
 * table and id are parsed once here, and the retry is an ordinary Update change of that record, so it runs the whole
 * pipeline again (read, map, post) with today's data rather than replaying a stale message.
 */
import { isSyncedTable, type ChangeEvent, type SyncedTable } from '../model/change-event';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RetryTarget {
  readonly table: SyncedTable;
  /** Lower-case GUID: the FIFO group `table:id` is the same whoever typed it. */
  readonly id: string;
}

export const RETRY_TARGET_EXPECTED =
  'expected {"retryKey": "<dead letter>"} or {"table": "account|contact|product|salesorder", "id": "<GUID>"}';

/** `undefined` when the table is not synced or the id is not a GUID. */
export function parseRetryTarget(table: string | undefined, id: string | undefined): RetryTarget | undefined {
  if (table === undefined || id === undefined || !isSyncedTable(table) || !GUID.test(id)) return undefined;
  return { table, id: id.toLowerCase() };
}

export function retryChangeEvent(target: RetryTarget, now: Date): ChangeEvent {
  const at = now.toISOString();
  return {
    table: target.table,
    id: target.id,
    message: 'Update',
    occurredAt: at,
    dedupeId: `retry:${target.table}:${target.id}:${at}`,
    source: 'retry',
  };
}
