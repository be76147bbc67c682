/**
 * `<time>` elements: readable without script (relative to the snapshot, full UTC time in the tooltip); the page
 * script rewrites them in the viewer's zone and keeps relative times current.
 */
import { escapeHtml } from './html';
import { formatDateTime, formatDay, relativeTime } from './human-time';

/** "3 min ago", relative to `now` (the snapshot's generatedAt). */
export function timeAgo(iso: string | undefined, now: string, fallback = 'never'): string {
  if (!iso) return escapeHtml(fallback);
  return `<time datetime="${escapeHtml(iso)}" data-kind="ago" title="${escapeHtml(formatDateTime(iso))}">${escapeHtml(relativeTime(iso, now))}</time>`;
}

/** "6 Feb 2027". */
export function dateOnly(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}" data-kind="date" title="${escapeHtml(formatDateTime(iso))}">${escapeHtml(formatDay(iso))}</time>`;
}
