import {
  brandingThemesFor,
  chooseBrandingTheme,
  type BrandingThemeSettings,
} from '../../../../lambdas/core/mapping/branding';
import { resolveMappingSettings } from '../../../../lambdas/core/settings-schema';

const TENANT = '4f7c9a2e-1b3d-4c5e-8f60-7a8b9c0d1e2f';
const OTHER = '0a1b2c3d-4e5f-4061-8273-8495a6b7c8d9';
const UNIT = '6d1f6c8e-2a3b-4c5d-9e0f-112233445566';

const SETTINGS: BrandingThemeSettings = {
  default: { theme: 'Standard', byCurrency: { USD: 'US Dollars' } },
  [TENANT]: {
    theme: 'Wholesale',
    byCurrency: { EUR: 'Euro Wholesale' },
    byBusinessUnit: { [UNIT]: 'Trade', Retail: 'Shopfront' },
  },
};

describe('chooseBrandingTheme', () => {
  it("should prefer the organisation's business unit, then its currency, then its theme", () => {
    const choose = (input: Partial<Parameters<typeof chooseBrandingTheme>[1]>) =>
      chooseBrandingTheme(SETTINGS, { tenantId: TENANT, currency: 'NZD', ...input });
    expect(choose({ currency: 'EUR', businessUnit: { id: UNIT.toUpperCase() } })).toEqual({
      name: 'Trade',
      setting: `brandingThemes.${TENANT}.byBusinessUnit.${UNIT}`,
    });
    expect(choose({ currency: 'EUR', businessUnit: { id: 'x', name: 'retail' } })?.name).toBe('Shopfront');
    expect(choose({ currency: 'EUR' })).toEqual({
      name: 'Euro Wholesale',
      setting: `brandingThemes.${TENANT}.byCurrency.EUR`,
    });
    expect(choose({ currency: 'NZD' })).toEqual({ name: 'Wholesale', setting: `brandingThemes.${TENANT}.theme` });
  });

  it('should use the default entry for the default organisation and for one without an entry', () => {
    expect(chooseBrandingTheme(SETTINGS, { currency: 'USD' })?.name).toBe('US Dollars');
    expect(chooseBrandingTheme(SETTINGS, { tenantId: OTHER, currency: 'NZD' })).toEqual({
      name: 'Standard',
      setting: 'brandingThemes.default.theme',
    });
  });

  it("should fall back to the default entry when the organisation's own entry has no match", () => {
    const partial: BrandingThemeSettings = {
      default: { theme: 'Standard' },
      [TENANT]: { byCurrency: { EUR: 'Euro' } },
    };
    expect(chooseBrandingTheme(partial, { tenantId: TENANT, currency: 'NZD' })?.name).toBe('Standard');
  });

  it("should choose nothing (the organisation's default theme) without settings or a match", () => {
    expect(chooseBrandingTheme(undefined, { currency: 'NZD' })).toBeUndefined();
    expect(chooseBrandingTheme({ [TENANT]: { theme: 'Wholesale' } }, { currency: 'NZD' })).toBeUndefined();
  });
});

describe('brandingThemesFor', () => {
  it("should list every name an organisation may use: its own entry's and the default's", () => {
    expect(brandingThemesFor(SETTINGS, TENANT).map((c) => c.name)).toEqual([
      'Wholesale',
      'Euro Wholesale',
      'Trade',
      'Shopfront',
      'Standard',
      'US Dollars',
    ]);
    expect(brandingThemesFor(SETTINGS, OTHER).map((c) => c.setting)).toEqual([
      'brandingThemes.default.theme',
      'brandingThemes.default.byCurrency.USD',
    ]);
  });
});

describe('branding theme settings', () => {
  it('should accept tenant ids and "default" and refuse other keys or currency codes, naming the setting', () => {
    expect(resolveMappingSettings({ brandingThemes: SETTINGS }).brandingThemes).toEqual(SETTINGS);
    expect(() => resolveMappingSettings({ brandingThemes: { acme: { theme: 'Standard' } } })).toThrow(
      /mapping\.brandingThemes\.acme: .*a Xero tenant id or "default"/
    );
    expect(() => resolveMappingSettings({ brandingThemes: { default: { byCurrency: { usd: 'X' } } } })).toThrow(
      /mapping\.brandingThemes\.default\.byCurrency\.usd/
    );
  });
});
