import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  XERO_TIME_ZONES,
  calendarDay,
  ianaZoneOfXero,
  isIanaTimeZone,
} from '../../../../lambdas/core/mapping/time-zones';

/** Xero's TimeZone enum from its OpenAPI contract (developer.xero.com/documentation/api/accounting/organisation). */
function xeroTimeZoneEnum(): string[] {
  const path = join(__dirname, '..', '..', '..', '..', 'contracts', 'xero-accounting.schema.generated.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as { $defs: Record<string, { enum?: string[] }> };
  return schema.$defs.TimeZone?.enum ?? [];
}

describe('Xero organisation time zones', () => {
  it('should map every Timezone of Xero’s contract to an IANA zone Intl accepts', () => {
    const names = xeroTimeZoneEnum();
    expect(names.length).toBeGreaterThan(100);
    for (const name of names) {
      const zone = ianaZoneOfXero(name);
      expect([name, zone !== undefined && isIanaTimeZone(zone)]).toEqual([name, true]);
    }
    expect(Object.keys(XERO_TIME_ZONES).sort()).toEqual([...names].sort());
  });

  it.each([
    ['NEWZEALANDSTANDARDTIME', 'Pacific/Auckland'],
    ['auseasternstandardtime', 'Australia/Sydney'],
    ['GMTSTANDARDTIME', 'Europe/London'],
    ['CENTRALSTANDARDTIME(MEXICO)', 'America/Mexico_City'],
  ])('should read %s as %s', (name, zone) => {
    expect(ianaZoneOfXero(name)).toBe(zone);
  });

  it('should not guess a zone for an unknown or missing name', () => {
    expect(ianaZoneOfXero('MARSSTANDARDTIME')).toBeUndefined();
    expect(ianaZoneOfXero(undefined)).toBeUndefined();
  });
});

describe('calendarDay', () => {
  it.each([
    ['2024-04-30T14:00:00Z', 'Australia/Sydney', '2024-05-01'],
    ['2024-04-30T14:00:00Z', 'Pacific/Auckland', '2024-05-01'],
    ['2024-05-01T02:00:00Z', 'America/New_York', '2024-04-30'],
    ['2024-04-30T14:00:00Z', undefined, '2024-04-30'],
    ['2028-02-29', 'Pacific/Auckland', '2028-02-29'],
  ])('should read %s in %s as %s', (value, zone, day) => {
    expect(calendarDay(value, zone)).toBe(day);
  });

  it('should refuse values that are not dates', () => {
    expect(calendarDay('yesterday', 'UTC')).toBeUndefined();
    expect(calendarDay('2024-13-45', 'UTC')).toBeUndefined();
  });
});
