/**
 * Times for people, shared by the status page (its text before any script runs) and `connector status`: "3 min
 * ago" relative to the snapshot's own time, and dates such as "6 Feb 2027" in a given time zone. Built from
 * formatToParts with our own month names, so the text does not change with the machine's ICU data.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "12 min ago", "3 h ago", "2 days ago", or "in 5 days" for a time after `now`. */
export function relativeTime(at: string, now: string): string {
  const ms = Date.parse(now) - Date.parse(at);
  if (!Number.isFinite(ms)) return at;
  const distance = Math.abs(ms);
  if (distance < 45_000) return 'just now';
  const minutes = Math.round(distance / MINUTE);
  const hours = Math.round(distance / HOUR);
  let span: string;
  if (minutes < 60) span = `${minutes} min`;
  else if (hours < 36) span = `${hours} h`;
  else {
    const days = Math.round(distance / DAY);
    span = `${days} ${days === 1 ? 'day' : 'days'}`;
  }
  return ms < 0 ? `in ${span}` : `${span} ago`;
}

interface Parts {
  readonly year: string;
  readonly month: number;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly zone: string;
}

function partsOf(iso: string, timeZone: string): Parts | undefined {
  const time = Date.parse(iso);
  if (!Number.isFinite(time)) return undefined;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(time);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: part('year'),
    month: Number(part('month')),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    zone: part('timeZoneName'),
  };
}

/** "6 Feb 2027" in `timeZone` (default UTC); the input unchanged when it is not a date. */
export function formatDay(iso: string, timeZone = 'UTC'): string {
  const p = partsOf(iso, timeZone);
  return p ? `${p.day} ${MONTHS[p.month - 1] ?? '?'} ${p.year}` : iso;
}

/** "6 Feb 2027, 14:05 UTC" in `timeZone` (default UTC), naming the zone so the reader knows which one. */
export function formatDateTime(iso: string, timeZone = 'UTC'): string {
  const p = partsOf(iso, timeZone);
  return p ? `${p.day} ${MONTHS[p.month - 1] ?? '?'} ${p.year}, ${p.hour}:${p.minute} ${p.zone}` : iso;
}

/** "14:00" in `timeZone` (default UTC): the chart's hour labels. */
export function formatHour(iso: string, timeZone = 'UTC'): string {
  const p = partsOf(iso, timeZone);
  return p ? `${p.hour}:${p.minute}` : iso;
}
