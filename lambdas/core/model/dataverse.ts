/**
 * Dataverse records as the reader adapter returns them: plain values from the Web API, lookups already resolved
 * (the polymorphic customer lookup carries its target table), money as JSON numbers exactly as Dataverse sent them.
 * Mappers convert money to decimals before any arithmetic.
 */

/** statecode of account and contact: 0 Active, 1 Inactive. */
export type ActiveState = 0 | 1;

export interface DvAddress {
  readonly line1?: string;
  readonly line2?: string;
  readonly line3?: string;
  readonly city?: string;
  readonly stateOrProvince?: string;
  readonly postalCode?: string;
  readonly country?: string;
}

export interface DvContactPerson {
  readonly contactid: string;
  readonly firstname?: string;
  readonly lastname?: string;
  readonly emailaddress1?: string;
}

export interface DvAccount {
  readonly accountid: string;
  readonly name: string;
  readonly accountnumber?: string;
  readonly emailaddress1?: string;
  readonly telephone1?: string;
  readonly telephone2?: string;
  readonly fax?: string;
  readonly websiteurl?: string;
  readonly address1?: DvAddress;
  readonly address2?: DvAddress;
  readonly statecode: ActiveState;
  /** ISO 4217 code of the account's transaction currency, when set. */
  readonly currencyCode?: string;
  readonly primaryContact?: DvContactPerson;
  /** Active contacts whose parent customer is this account; they become the Xero contact's persons. */
  readonly contacts?: readonly DvContactPerson[];
  readonly modifiedon: string;
  /** Columns read for the table's sync condition (settings.syncConditions), by logical name. */
  readonly conditionValues?: Readonly<Record<string, unknown>>;
  /** The record's owning business unit (`_owningbusinessunit_value` and its label): routing by business unit. */
  readonly owningBusinessUnit?: { readonly id: string; readonly name?: string };
}

export interface DvContact {
  readonly contactid: string;
  readonly firstname?: string;
  readonly lastname?: string;
  readonly fullname?: string;
  readonly emailaddress1?: string;
  readonly telephone1?: string;
  readonly mobilephone?: string;
  readonly address1?: DvAddress;
  readonly statecode: ActiveState;
  /** Set when parentcustomerid points at an account (a contact parent is ignored: Xero has no such hierarchy). */
  readonly parentAccountId?: string;
  readonly currencyCode?: string;
  readonly modifiedon: string;
  /** Columns read for the table's sync condition (settings.syncConditions), by logical name. */
  readonly conditionValues?: Readonly<Record<string, unknown>>;
  /** The record's owning business unit (`_owningbusinessunit_value` and its label): routing by business unit. */
  readonly owningBusinessUnit?: { readonly id: string; readonly name?: string };
}

/** statecode of product: 0 Active, 1 Retired, 2 Draft, 3 Under Revision. */
export type ProductState = 0 | 1 | 2 | 3;

export interface DvProduct {
  readonly productid: string;
  readonly productnumber: string;
  readonly name: string;
  readonly description?: string;
  /** List price (Money). */
  readonly price?: number;
  readonly statecode: ProductState;
  readonly currencyCode?: string;
  readonly modifiedon: string;
  /** Columns read for the table's sync condition (settings.syncConditions), by logical name. */
  readonly conditionValues?: Readonly<Record<string, unknown>>;
}

export interface DvOrderLine {
  readonly salesorderdetailid: string;
  /** true = write-in product: no product lookup, description in productdescription. */
  readonly isproductoverridden: boolean;
  readonly productid?: string;
  readonly productnumber?: string;
  readonly productname?: string;
  readonly productdescription?: string;
  readonly description?: string;
  readonly quantity: number;
  readonly priceperunit: number;
  /** price × quantity, before discounts (Money). */
  readonly baseamount?: number;
  readonly manualdiscountamount?: number;
  readonly volumediscountamount?: number;
  readonly tax?: number;
  /** baseamount − discounts + tax (Money), as Dataverse computed it. */
  readonly extendedamount?: number;
  readonly lineitemnumber?: number;
  readonly sequencenumber?: number;
}

/** salesorder statecode: 0 Active, 1 Submitted, 2 Canceled, 3 Fulfilled, 4 Invoiced. */
export type OrderState = 0 | 1 | 2 | 3 | 4;

export interface DvSalesOrder {
  readonly salesorderid: string;
  readonly ordernumber: string;
  readonly name?: string;
  readonly customer: { readonly table: 'account' | 'contact'; readonly id: string };
  readonly currencyCode: string;
  readonly statecode: OrderState;
  readonly statuscode?: number;
  readonly createdon: string;
  readonly modifiedon: string;
  /** Columns read for the table's sync condition (settings.syncConditions), by logical name. */
  readonly conditionValues?: Readonly<Record<string, unknown>>;
  /** FormattedValue labels of those columns where Dataverse sent one (choice labels, lookup names). */
  readonly conditionLabels?: Readonly<Record<string, string>>;
  /** The record's owning business unit (`_owningbusinessunit_value` and its label): routing by business unit. */
  readonly owningBusinessUnit?: { readonly id: string; readonly name?: string };
  readonly submitdate?: string;
  readonly datefulfilled?: string;
  readonly requestdeliveryby?: string;
  readonly totalamount: number;
  readonly totallineitemamount?: number;
  readonly totaltax?: number;
  /** Order-level discount amount (Money). */
  readonly discountamount?: number;
  /** Order-level discount percentage. */
  readonly discountpercentage?: number;
  readonly freightamount?: number;
  readonly totaldiscountamount?: number;
  readonly lines: readonly DvOrderLine[];
}
