/**
 * The chart's data: the last 24 clock hours (UTC), oldest first, with hours that saw no outcome as zeros. Each
 * runtime counts outcomes per hour its own way (SQL locally, metrics on AWS) and hands the sparse counts here.
 */
import type { StatusHour } from './status-snapshot';

const HOUR_MS = 3_600_000;
export const STATUS_HOURS = 24;

/** The first instant of the oldest hour the chart shows: count outcomes recorded at or after it. */
export function firstChartHour(now: Date, hours = STATUS_HOURS): Date {
  const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return new Date(current - (hours - 1) * HOUR_MS);
}

/** Sparse counts keyed by any instant inside their hour → exactly `hours` rows ending with the current hour. */
export function lastDayHours(
  now: Date,
  counts: readonly { readonly hourStart: string; readonly synced: number; readonly failed: number }[],
  hours = STATUS_HOURS
): StatusHour[] {
  const first = firstChartHour(now, hours).getTime();
  const rows = Array.from({ length: hours }, (_, i) => ({
    hourStart: new Date(first + i * HOUR_MS).toISOString(),
    synced: 0,
    failed: 0,
  }));
  for (const count of counts) {
    const index = Math.floor((Date.parse(count.hourStart) - first) / HOUR_MS);
    const row = rows[index];
    if (!row) continue;
    row.synced += count.synced;
    row.failed += count.failed;
  }
  return rows;
}
