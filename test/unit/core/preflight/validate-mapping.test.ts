import type { XeroAccountInfo, XeroTaxRateInfo } from '../../../../lambdas/core/preflight/ports';
import { validateMapping, type OrganisationFacts } from '../../../../lambdas/core/preflight/validate-mapping';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';

const accounts: XeroAccountInfo[] = [
  { code: '200', name: 'Sales', type: 'REVENUE', class: 'REVENUE', status: 'ACTIVE' },
  { code: '260', name: 'Other Revenue', type: 'REVENUE', class: 'REVENUE', status: 'ACTIVE' },
  { code: '250', name: 'Old Sales', type: 'REVENUE', class: 'REVENUE', status: 'ARCHIVED' },
  { code: '400', name: 'Advertising', type: 'EXPENSE', class: 'EXPENSE', status: 'ACTIVE' },
  { code: '090', name: 'Bank', type: 'BANK', class: 'ASSET', status: 'ACTIVE' },
  { code: '860', name: 'Rounding', type: 'CURRLIAB', class: 'LIABILITY', status: 'ACTIVE' },
];
const taxRates: XeroTaxRateInfo[] = [
  { taxType: 'OUTPUT2', name: 'GST on Income', status: 'ACTIVE', canApplyToRevenue: true },
  { taxType: 'INPUT2', name: 'GST on Expenses', status: 'ACTIVE', canApplyToRevenue: false },
  { taxType: 'OUTPUT', name: 'Old GST', status: 'DELETED', canApplyToRevenue: true },
];
const facts: OrganisationFacts = { baseCurrency: 'NZD', accounts, taxRates, currencies: ['NZD', 'USD'] };
const settings = (overrides: Partial<MappingSettings>): MappingSettings => ({
  ...DEFAULT_MAPPING_SETTINGS,
  ...overrides,
});

describe('validateMapping', () => {
  it('should accept the default settings in an organisation with the usual chart of accounts', () => {
    expect(validateMapping(DEFAULT_MAPPING_SETTINGS, facts).problems).toEqual([]);
  });

  it('should name a sales account code that does not exist and list the active revenue accounts', () => {
    const { problems } = validateMapping(settings({ salesAccountCode: '999' }), facts);
    expect(problems).toEqual([
      {
        setting: 'salesAccountCode',
        value: '999',
        message: 'account code 999 does not exist in the Xero organisation',
        validChoices: ['200 Sales', '260 Other Revenue'],
      },
    ]);
  });

  it('should refuse an expense or bank account for sales and freight lines', () => {
    const { problems } = validateMapping(settings({ salesAccountCode: '400', freightAccountCode: '090' }), facts);
    expect(problems.map((p) => [p.setting, p.message])).toEqual([
      ['salesAccountCode', 'account 400 (Advertising) is an EXPENSE account; salesAccountCode needs a REVENUE account'],
      ['freightAccountCode', 'account 090 (Bank) is an ASSET account; freightAccountCode needs a REVENUE account'],
    ]);
  });

  it('should allow an expense account for the discount line', () => {
    expect(validateMapping(settings({ discountAccountCode: '400' }), facts).problems).toEqual([]);
  });

  it('should refuse an archived account', () => {
    const [problem] = validateMapping(settings({ salesAccountCode: '250' }), facts).problems;
    expect(problem?.message).toBe('account 250 (Old Sales) is ARCHIVED and takes no new transactions');
  });

  it('should refuse a tax type that is missing, deleted or not for revenue, listing the usable ones', () => {
    const { problems } = validateMapping(settings({ salesTaxType: 'INPUT2', freightTaxType: 'OUTPUT' }), facts);
    expect(problems).toEqual([
      expect.objectContaining({
        setting: 'salesTaxType',
        message: 'tax type INPUT2 (GST on Expenses) cannot be used on sales (revenue) lines',
        validChoices: ['OUTPUT2 GST on Income'],
      }),
      expect.objectContaining({ setting: 'freightTaxType', message: 'tax type OUTPUT (Old GST) is DELETED' }),
    ]);
    expect(validateMapping(settings({ salesTaxType: 'GST15' }), facts).problems[0]?.message).toBe(
      'tax type GST15 does not exist in the Xero organisation'
    );
  });

  it('should check any account or tax type setting added later by its name', () => {
    const extended = { ...DEFAULT_MAPPING_SETTINGS, zeroRatedTaxType: 'NOPE' } as MappingSettings;
    expect(validateMapping(extended, facts).problems.map((p) => p.setting)).toEqual(['zeroRatedTaxType']);
  });

  it('should warn about Dataverse currencies Xero has not enabled, and say when they were not checked', () => {
    expect(validateMapping(DEFAULT_MAPPING_SETTINGS, facts, ['nzd', 'USD', 'EUR']).warnings).toEqual([
      expect.stringMatching(
        /^Dataverse has the active currency EUR, which is not enabled in Xero \(enabled: NZD, USD\)/
      ),
    ]);
    expect(validateMapping(DEFAULT_MAPPING_SETTINGS, facts).warnings[0]).toContain('were not checked');
  });
});
