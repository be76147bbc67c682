/**
 * The sandbox organisation's settings the connector's preflight reads: GET /Accounts, /TaxRates and /Currencies,
 * plus the Timezone and ShortCode of GET /Organisation. Shapes follow xero_accounting.yaml (Accounts, TaxRates,
 * Currencies envelopes; Account.Class/Status/SystemAccount, TaxRate.Status/CanApplyTo*, Organisation.Timezone and
 * ShortCode). The chart is a small New Zealand one, like Xero's demo company: 200 Sales is the revenue account the
 * default mapping uses, 860 Rounding the rounding account, OUTPUT2 (GST on Income 15%) the sales tax type.
 * Tests may change a tenant's settings through `SandboxXero.organisationSettings(tenantId)`.
 */
export interface SandboxAccount {
  Code: string;
  Name: string;
  Type: string;
  Class: 'ASSET' | 'EQUITY' | 'EXPENSE' | 'LIABILITY' | 'REVENUE';
  Status: 'ACTIVE' | 'ARCHIVED' | 'DELETED';
  SystemAccount?: string;
}

export interface SandboxTaxRate {
  Name: string;
  TaxType: string;
  Status: 'ACTIVE' | 'DELETED' | 'ARCHIVED' | 'PENDING';
  CanApplyToRevenue: boolean;
  CanApplyToExpenses: boolean;
  EffectiveRate: number;
  DisplayTaxRate: number;
}

export class OrganisationSettings {
  timezone = 'NEWZEALANDSTANDARDTIME';
  readonly accounts: SandboxAccount[] = [
    { Code: '090', Name: 'Business Bank Account', Type: 'BANK', Class: 'ASSET', Status: 'ACTIVE' },
    { Code: '200', Name: 'Sales', Type: 'REVENUE', Class: 'REVENUE', Status: 'ACTIVE' },
    { Code: '260', Name: 'Other Revenue', Type: 'REVENUE', Class: 'REVENUE', Status: 'ACTIVE' },
    { Code: '270', Name: 'Interest Income', Type: 'REVENUE', Class: 'REVENUE', Status: 'ACTIVE' },
    { Code: '310', Name: 'Cost of Goods Sold', Type: 'DIRECTCOSTS', Class: 'EXPENSE', Status: 'ACTIVE' },
    { Code: '400', Name: 'Advertising', Type: 'EXPENSE', Class: 'EXPENSE', Status: 'ACTIVE' },
    {
      Code: '610',
      Name: 'Accounts Receivable',
      Type: 'CURRENT',
      Class: 'ASSET',
      Status: 'ACTIVE',
      SystemAccount: 'DEBTORS',
    },
    { Code: '820', Name: 'GST', Type: 'CURRLIAB', Class: 'LIABILITY', Status: 'ACTIVE', SystemAccount: 'GST' },
    {
      Code: '860',
      Name: 'Rounding',
      Type: 'CURRLIAB',
      Class: 'LIABILITY',
      Status: 'ACTIVE',
      SystemAccount: 'ROUNDING',
    },
  ];
  readonly taxRates: SandboxTaxRate[] = [
    rate('GST on Income', 'OUTPUT2', 15, { revenue: true }),
    rate('GST on Expenses', 'INPUT2', 15, { expenses: true }),
    rate('No GST', 'NONE', 0, { revenue: true, expenses: true }),
    rate('Zero Rated', 'ZERORATED', 0, { revenue: true }),
    rate('GST on Imports', 'GSTONIMPORTS', 0, { expenses: true }),
  ];
  /** Enabled currencies besides the base currency (which Xero lists too). */
  readonly foreignCurrencies: string[] = ['USD', 'EUR', 'AUD'];

  constructor(
    readonly baseCurrency: string,
    readonly shortCode: string
  ) {}

  currencies(): { Code: string; Description: string }[] {
    return [this.baseCurrency, ...this.foreignCurrencies.filter((c) => c !== this.baseCurrency)].map((Code) => ({
      Code,
      Description: CURRENCY_NAMES[Code] ?? Code,
    }));
  }
}

function rate(
  Name: string,
  TaxType: string,
  percent: number,
  use: { revenue?: boolean; expenses?: boolean }
): SandboxTaxRate {
  return {
    Name,
    TaxType,
    Status: 'ACTIVE',
    CanApplyToRevenue: use.revenue === true,
    CanApplyToExpenses: use.expenses === true,
    EffectiveRate: percent,
    DisplayTaxRate: percent,
  };
}

const CURRENCY_NAMES: Record<string, string> = {
  NZD: 'New Zealand Dollar',
  USD: 'United States Dollar',
  EUR: 'Euro',
  AUD: 'Australian Dollar',
  GBP: 'British Pound',
};

/** A ShortCode-like value derived from the tenant id (Xero's are short opaque codes such as "!23eYt"). */
export function sandboxShortCode(tenantId: string): string {
  return `!${tenantId.replace(/-/g, '').slice(0, 5)}`;
}

/** GET /Accounts, /TaxRates, /Currencies bodies (without the envelope), or undefined for another path. */
export function organisationSettingsBody(apiPath: string, settings: OrganisationSettings): object | undefined {
  if (apiPath === '/Accounts') return { Accounts: settings.accounts };
  if (apiPath === '/TaxRates') return { TaxRates: settings.taxRates };
  if (apiPath === '/Currencies') return { Currencies: settings.currencies() };
  return undefined;
}
