/**
 * The page's filters (by table and by outcome) and its auto-refresh pause, carried in query parameters so they
 * work without script, survive the refresh and come back after a Retry. Unknown values are ignored, not refused:
 * a stale bookmark still opens the page.
 */
import { isSyncedTable, type SyncedTable } from '../model/change-event';
import type { StatusOutcome, StatusSnapshot } from './status-snapshot';

export type StatusOutcomeFilter = StatusOutcome['status'];
export const OUTCOME_FILTERS: readonly StatusOutcomeFilter[] = ['synced', 'failed', 'skipped'];

export interface StatusFilter {
  readonly table?: SyncedTable;
  readonly outcome?: StatusOutcomeFilter;
  /** Auto-refresh paused (`refresh=off`). */
  readonly paused?: boolean;
}

export function parseStatusFilter(query: Readonly<Record<string, string | undefined>>): StatusFilter {
  const table = query.table;
  const outcome = query.outcome as StatusOutcomeFilter | undefined;
  return {
    ...(table && isSyncedTable(table) ? { table } : {}),
    ...(outcome && OUTCOME_FILTERS.includes(outcome) ? { outcome } : {}),
    ...(query.refresh === 'off' ? { paused: true } : {}),
  };
}

/** `table=account&outcome=failed&refresh=off`, in a fixed order, from parsed values only. */
export function statusFilterQuery(filter: StatusFilter): string {
  const params = new URLSearchParams();
  if (filter.table) params.set('table', filter.table);
  if (filter.outcome) params.set('outcome', filter.outcome);
  if (filter.paused) params.set('refresh', 'off');
  return params.toString();
}

/** The page URL with these filters. */
export function statusPageHref(pagePath: string, filter: StatusFilter): string {
  const query = statusFilterQuery(filter);
  return query ? `${pagePath}?${query}` : pagePath;
}

/**
 * Where a Retry form sends the browser back to: the page with the filters the form carried in `back`. Rebuilt
 * from parsed values, so `back` can never redirect anywhere else.
 */
export function statusPageLocation(pagePath: string, back: string | undefined): string {
  const params = Object.fromEntries(new URLSearchParams(back ?? ''));
  return statusPageHref(pagePath, parseStatusFilter(params));
}

/** The rows of a snapshot the filter keeps (each runtime may also ask its store for filtered rows). */
export function filterSnapshot(snapshot: StatusSnapshot, filter: StatusFilter): StatusSnapshot {
  const keep = (row: StatusOutcome) =>
    (!filter.table || row.table === filter.table) && (!filter.outcome || row.status === filter.outcome);
  return {
    ...snapshot,
    recent: snapshot.recent.filter(keep),
    failures: filter.outcome && filter.outcome !== 'failed' ? [] : snapshot.failures.filter(keep),
    deadLetters: filter.table
      ? snapshot.deadLetters.filter((d) => d.record?.table === filter.table)
      : snapshot.deadLetters,
  };
}
