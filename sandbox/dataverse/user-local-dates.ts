/**
 * Dataverse date-time columns with the UserLocal behaviour are stored in UTC and the Web API always returns them in
 * UTC, even when their format is DateOnly: a date picked in the user's time zone comes back as the UTC instant of
 * that local midnight (learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute).
 * The sandbox user lives in `zone`; a bare YYYY-MM-DD written to such a column is stored as that instant.
 */

/** The sandbox user's default time zone (the sandbox Xero organisation is in New Zealand too). */
export const SANDBOX_USER_TIME_ZONE = 'Pacific/Auckland';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** How far `zone`'s wall clock is ahead of UTC at the instant `ms`. */
function offsetMs(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** A bare date → the UTC instant of its midnight in `zone` ("2024-04-30T12:00:00Z"); anything else unchanged. */
export function userLocalToUtc(value: unknown, zone: string): unknown {
  const match = typeof value === 'string' ? DATE_ONLY.exec(value) : null;
  if (!match) return value;
  const midnightAsUtc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  let instant = midnightAsUtc - offsetMs(midnightAsUtc, zone);
  instant = midnightAsUtc - offsetMs(instant, zone);
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}
