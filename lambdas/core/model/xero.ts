/**
 * Xero Accounting API documents in their wire shape (PascalCase JSON, as in Xero's OpenAPI contract). Only the
 * fields the connector writes or reads back are declared. Contract tests validate these against the schema.
 */

export type XeroContactStatus = 'ACTIVE' | 'ARCHIVED' | 'GDPRREQUEST';

export interface XeroPhone {
  readonly PhoneType: 'DEFAULT' | 'DDI' | 'MOBILE' | 'FAX';
  readonly PhoneNumber?: string;
  readonly PhoneAreaCode?: string;
  readonly PhoneCountryCode?: string;
}

export interface XeroAddress {
  readonly AddressType: 'POBOX' | 'STREET';
  readonly AddressLine1?: string;
  readonly AddressLine2?: string;
  readonly AddressLine3?: string;
  readonly City?: string;
  readonly Region?: string;
  readonly PostalCode?: string;
  readonly Country?: string;
}

export interface XeroContactPerson {
  readonly FirstName?: string;
  readonly LastName?: string;
  readonly EmailAddress?: string;
  readonly IncludeInEmails?: boolean;
}

export interface XeroContact {
  readonly ContactID?: string;
  /** Our natural key: the Dataverse GUID (≤50 chars). */
  readonly ContactNumber: string;
  readonly AccountNumber?: string;
  readonly ContactStatus?: XeroContactStatus;
  readonly Name: string;
  readonly FirstName?: string;
  readonly LastName?: string;
  readonly EmailAddress?: string;
  readonly Website?: string;
  readonly DefaultCurrency?: string;
  readonly Phones?: readonly XeroPhone[];
  readonly Addresses?: readonly XeroAddress[];
  readonly ContactPersons?: readonly XeroContactPerson[];
}

export interface XeroItem {
  readonly ItemID?: string;
  /** Our natural key: productnumber, shortened deterministically when longer than 30. */
  readonly Code: string;
  /** Required when creating; omitted on a partial update (Xero keeps the stored value). */
  readonly Name?: string;
  readonly Description?: string;
  readonly IsSold?: boolean;
  readonly IsPurchased?: boolean;
  readonly SalesDetails?: { readonly UnitPrice?: number; readonly AccountCode?: string; readonly TaxType?: string };
}

export type LineAmountTypes = 'Exclusive' | 'Inclusive' | 'NoTax';
export type XeroInvoiceStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';

export interface XeroLineItem {
  readonly Description: string;
  readonly Quantity?: number;
  readonly UnitAmount?: number;
  readonly ItemCode?: string;
  readonly AccountCode?: string;
  readonly TaxType?: string;
  readonly TaxAmount?: number;
  readonly LineAmount?: number;
  readonly DiscountAmount?: number;
  readonly DiscountRate?: number;
  /** At most two tracking categories, by name (core/mapping/tracking.ts). */
  readonly Tracking?: readonly XeroLineTracking[];
}

/** A line's tracking: category and option by name (xero_accounting.yaml LineItemTracking). */
export interface XeroLineTracking {
  readonly Name: string;
  readonly Option: string;
}

export interface XeroInvoice {
  readonly InvoiceID?: string;
  readonly Type: 'ACCREC';
  readonly Contact: { readonly ContactID?: string; readonly ContactNumber?: string };
  readonly InvoiceNumber?: string;
  /** Our natural key: the Dataverse ordernumber. */
  readonly Reference: string;
  /** YYYY-MM-DD */
  readonly Date: string;
  /** YYYY-MM-DD */
  readonly DueDate: string;
  readonly CurrencyCode: string;
  readonly LineAmountTypes: LineAmountTypes;
  readonly Status: XeroInvoiceStatus;
  /** Set by the post stage from settings.brandingThemes (core/sync/apply-branding.ts). */
  readonly BrandingThemeID?: string;
  readonly LineItems: readonly XeroLineItem[];
}

/** The parts of GET /Organisation the connector uses (developer.xero.com/documentation/api/accounting/organisation). */
export interface XeroOrganisation {
  readonly Name?: string;
  /** Windows-style zone name, e.g. NEWZEALANDSTANDARDTIME. */
  readonly Timezone?: string;
  /** Identifies the organisation in deep links (organisationlogin/default.aspx?shortcode=…). */
  readonly ShortCode?: string;
  readonly BaseCurrency?: string;
}

/** A branding theme of GET /BrandingThemes (developer.xero.com/documentation/api/accounting/brandingthemes). */
export interface XeroBrandingTheme {
  readonly BrandingThemeID: string;
  readonly Name: string;
}

/** What the connector keeps of a Xero record it found or wrote. */
export interface XeroContactRef {
  readonly ContactID: string;
  readonly ContactNumber?: string;
  readonly Name: string;
  readonly ContactStatus?: XeroContactStatus;
}
export interface XeroItemRef {
  readonly ItemID: string;
  readonly Code: string;
  readonly Name?: string;
  readonly IsSold?: boolean;
}
export interface XeroInvoiceRef {
  readonly InvoiceID: string;
  readonly InvoiceNumber?: string;
  readonly Reference?: string;
  readonly Status: XeroInvoiceStatus;
  readonly Total?: number;
  readonly AmountPaid?: number;
  readonly AmountCredited?: number;
  readonly AmountDue?: number;
}
