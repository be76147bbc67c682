/**
 * What the preflight reads of the connected Xero organisation. Adapter: lambdas/adapters/xero/
 * xero-organisation-reader.ts (GET /Organisation, /Accounts, /TaxRates, /Currencies). Field meanings follow Xero's
 * Accounting API reference (developer.xero.com/documentation/api/accounting/organisation, …/accounts, …/taxrates,
 * …/currencies) and its OpenAPI contract (xero_accounting.yaml: Account.Class, Account.Status, TaxRate.Status,
 * TaxRate.CanApplyToRevenue).
 */
export interface XeroOrganisationProfile {
  readonly organisationId: string;
  readonly name: string;
  /** ISO 4217 code of the organisation's base currency. */
  readonly baseCurrency: string;
  /** Xero's own time-zone name, e.g. NEWZEALANDSTANDARDTIME. */
  readonly timezone?: string;
  /** Used in deep links (organisationlogin/default.aspx?shortcode=…). */
  readonly shortCode?: string;
  readonly countryCode?: string;
}

export interface XeroAccountInfo {
  readonly code?: string;
  readonly name: string;
  /** REVENUE, SALES, OTHERINCOME, EXPENSE, BANK, CURRLIAB, … */
  readonly type: string;
  /** ASSET, EQUITY, EXPENSE, LIABILITY or REVENUE. */
  readonly class?: string;
  /** ACTIVE, ARCHIVED or DELETED. */
  readonly status: string;
}

export interface XeroTaxRateInfo {
  readonly taxType: string;
  readonly name: string;
  /** ACTIVE, DELETED, ARCHIVED or PENDING. */
  readonly status: string;
  readonly canApplyToRevenue?: boolean;
  readonly effectiveRate?: number;
}

export interface XeroOrganisationReader extends XeroTrackingReader {
  getOrganisation(): Promise<XeroOrganisationProfile>;
  listAccounts(): Promise<readonly XeroAccountInfo[]>;
  listTaxRates(): Promise<readonly XeroTaxRateInfo[]>;
  /** Codes of the currencies enabled in the organisation. */
  listCurrencies(): Promise<readonly string[]>;
}

/**
 * A tracking category of GET /TrackingCategories?includeArchived=true (developer.xero.com/documentation/api/
 * accounting/trackingcategories): categories and options are ACTIVE, ARCHIVED or DELETED.
 */
export interface XeroTrackingCategoryInfo {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly options: readonly { readonly id: string; readonly name: string; readonly status: string }[];
}

/** The preflight's reads and writes for tracking categories and branding themes (optional: older fakes lack them). */
export interface XeroTrackingReader {
  /** Every category, archived ones included, with every option. */
  listTrackingCategories?(): Promise<readonly XeroTrackingCategoryInfo[]>;
  /** PUT /TrackingCategories/{id}/Options: adds one ACTIVE option. */
  createTrackingOption?(categoryId: string, name: string): Promise<void>;
  /** GET /BrandingThemes: name and id of each theme. */
  listBrandingThemes?(): Promise<readonly { readonly id: string; readonly name: string }[]>;
}
