import { formatDateTime, formatDay, relativeTime } from '../../../../lambdas/core/status/human-time';

const NOW = '2026-12-08T03:10:00.000Z';
const before = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

describe('human time', () => {
  it('should say how long ago in minutes, hours and days, and how long until a later time', () => {
    expect(relativeTime(before(10_000), NOW)).toBe('just now');
    expect(relativeTime(before(12 * 60_000), NOW)).toBe('12 min ago');
    expect(relativeTime(before(59 * 60_000), NOW)).toBe('59 min ago');
    expect(relativeTime(before(61 * 60_000), NOW)).toBe('1 h ago');
    expect(relativeTime(before(35 * 3_600_000), NOW)).toBe('35 h ago');
    expect(relativeTime(before(36 * 3_600_000), NOW)).toBe('2 days ago');
    expect(relativeTime('2027-02-06T03:10:00.000Z', NOW)).toBe('in 60 days');
    expect(relativeTime('not a date', NOW)).toBe('not a date');
  });

  it('should write dates in the given zone with fixed month names', () => {
    expect(formatDay('2027-02-06T02:58:00.000Z')).toBe('6 Feb 2027');
    // Still the 5th in Los Angeles, already the 6th in Auckland.
    expect(formatDay('2027-02-06T02:58:00.000Z', 'America/Los_Angeles')).toBe('5 Feb 2027');
    expect(formatDateTime('2027-02-06T02:58:00.000Z')).toBe('6 Feb 2027, 02:58 UTC');
    expect(formatDateTime('2027-02-06T02:58:00.000Z', 'Pacific/Auckland')).toBe('6 Feb 2027, 15:58 GMT+13');
    expect(formatDay('garbage')).toBe('garbage');
  });
});
