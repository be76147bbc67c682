import { firstChartHour, lastDayHours } from '../../../../lambdas/core/status/hourly';

describe('lastDayHours', () => {
  const now = new Date('2026-12-08T03:10:00.000Z');

  it('should give the last 24 clock hours oldest first, zeros where nothing happened', () => {
    const hours = lastDayHours(now, []);
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({ hourStart: '2026-12-07T04:00:00.000Z', synced: 0, failed: 0 });
    expect(hours[23]).toEqual({ hourStart: '2026-12-08T03:00:00.000Z', synced: 0, failed: 0 });
    expect(firstChartHour(now).toISOString()).toBe('2026-12-07T04:00:00.000Z');
  });

  it('should put each count in its hour and ignore counts outside the window', () => {
    const hours = lastDayHours(now, [
      { hourStart: '2026-12-08T03:00:00.000Z', synced: 4, failed: 1 },
      { hourStart: '2026-12-07T04:00:00.000Z', synced: 2, failed: 0 },
      { hourStart: '2026-12-07T03:00:00.000Z', synced: 99, failed: 99 },
      { hourStart: '2026-12-08T04:00:00.000Z', synced: 99, failed: 99 },
    ]);
    expect(hours[23]).toMatchObject({ synced: 4, failed: 1 });
    expect(hours[0]).toMatchObject({ synced: 2, failed: 0 });
    expect(hours.reduce((n, h) => n + h.synced + h.failed, 0)).toBe(7);
  });
});
