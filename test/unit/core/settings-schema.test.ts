import { ValidationError } from '../../../lambdas/core/errors';
import { DEFAULT_MAPPING_SETTINGS } from '../../../lambdas/core/settings';
import { mappingSettingsFromJson, resolveMappingSettings } from '../../../lambdas/core/settings-schema';

describe('mapping settings', () => {
  it('should use safe defaults when nothing is configured', () => {
    expect(mappingSettingsFromJson(undefined)).toEqual(DEFAULT_MAPPING_SETTINGS);
    expect(DEFAULT_MAPPING_SETTINGS.invoiceStatus).toBe('DRAFT');
  });

  it('should overlay configured fields on the defaults', () => {
    const settings = mappingSettingsFromJson(
      '{"salesAccountCode":"400","invoiceNumbering":"ordernumber","dueDays":14}'
    );
    expect(settings).toMatchObject({
      salesAccountCode: '400',
      invoiceNumbering: 'ordernumber',
      dueDays: 14,
      roundingTolerance: '0.05',
    });
  });

  it.each([
    [{ dueDays: -1 }, 'mapping.dueDays'],
    [{ invoiceStatus: 'PAID' }, 'mapping.invoiceStatus'],
    [{ roundingTolerance: '-0.1' }, 'mapping.roundingTolerance'],
    [{ syncedTables: ['invoice'] }, 'mapping.syncedTables.0'],
    [{ unknownField: true }, 'mapping.(root)'],
    [{ timeZone: 'Sydney' }, 'mapping.timeZone'],
  ])('should reject %p naming the field', (input, field) => {
    expect(() => resolveMappingSettings(input)).toThrow(ValidationError);
    expect(() => resolveMappingSettings(input)).toThrow(field);
  });

  it('should accept an IANA timeZone that dates invoices instead of the Xero organisation', () => {
    expect(resolveMappingSettings({ timeZone: 'Australia/Sydney' }).timeZone).toBe('Australia/Sydney');
    expect(DEFAULT_MAPPING_SETTINGS.timeZone).toBeUndefined();
  });

  it('should reject settings that are not JSON', () => {
    expect(() => mappingSettingsFromJson('{oops')).toThrow('MAPPING_SETTINGS is not valid JSON');
  });
});
