/**
 * Web API JSON (as dynamics-web-api hands it over) → the Dv* records of the core model. Nulls become undefined,
 * lookups are resolved through their annotations, dates become ISO strings (the library revives some of them
 * into Date objects). A record missing something the model requires is a PermanentError: re-reading it will not
 * fix it, a person must.
 */
import { PermanentError } from '../../core/errors';
import type {
  ActiveState,
  DvAccount,
  DvAddress,
  DvContact,
  DvContactPerson,
  DvOrderLine,
  DvProduct,
  DvSalesOrder,
  OrderState,
  ProductState,
} from '../../core/model/dataverse';

export type WebApiRecord = Readonly<Record<string, unknown>>;

const LOOKUP_TABLE = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const NAVIGATION_PROPERTY = '@Microsoft.Dynamics.CRM.associatednavigationproperty';
const FORMATTED_VALUE = '@OData.Community.Display.V1.FormattedValue';
/** Every user-owned table has it (account, contact, salesorder; products are organisation-owned). */
const OWNING_BUSINESS_UNIT = '_owningbusinessunit_value';

/** Columns and expansions the mappers below read; the reader asks for exactly these. */
export const CURRENCY_EXPAND = { property: 'transactioncurrencyid', select: ['isocurrencycode'] };
const ADDRESS_PARTS = ['line1', 'line2', 'line3', 'city', 'stateorprovince', 'postalcode', 'country'] as const;
const addressColumns = (prefix: string): string[] => ADDRESS_PARTS.map((part) => `${prefix}_${part}`);

export const ACCOUNT_SELECT = [
  'accountid',
  'name',
  'accountnumber',
  'emailaddress1',
  'telephone1',
  'telephone2',
  'fax',
  'websiteurl',
  ...addressColumns('address1'),
  ...addressColumns('address2'),
  'statecode',
  'modifiedon',
  '_transactioncurrencyid_value',
  OWNING_BUSINESS_UNIT,
  '_primarycontactid_value',
];
export const PRIMARY_CONTACT_EXPAND = {
  property: 'primarycontactid',
  select: ['contactid', 'firstname', 'lastname', 'emailaddress1'],
};
/** The account's active contacts: they become the contact persons of its Xero contact (Xero keeps five). */
export const ACCOUNT_CONTACTS_EXPAND = {
  property: 'contact_customer_accounts',
  select: ['contactid', 'firstname', 'lastname', 'emailaddress1'],
  filter: 'statecode eq 0',
  orderBy: ['createdon asc'],
  top: 10,
};
export const CONTACT_SELECT = [
  'contactid',
  'firstname',
  'lastname',
  'fullname',
  'emailaddress1',
  'telephone1',
  'mobilephone',
  ...addressColumns('address1'),
  'statecode',
  'modifiedon',
  '_parentcustomerid_value',
  '_transactioncurrencyid_value',
  OWNING_BUSINESS_UNIT,
];
export const PRODUCT_SELECT = [
  'productid',
  'productnumber',
  'name',
  'description',
  'price',
  'statecode',
  'modifiedon',
  '_transactioncurrencyid_value',
];
export const ORDER_SELECT = [
  'salesorderid',
  'ordernumber',
  'name',
  '_customerid_value',
  '_transactioncurrencyid_value',
  OWNING_BUSINESS_UNIT,
  'statecode',
  'statuscode',
  'createdon',
  'modifiedon',
  'submitdate',
  'datefulfilled',
  'requestdeliveryby',
  'totalamount',
  'totallineitemamount',
  'totaltax',
  'discountamount',
  'discountpercentage',
  'freightamount',
  'totaldiscountamount',
];
export const ORDER_LINE_SELECT = [
  'salesorderdetailid',
  'isproductoverridden',
  '_productid_value',
  'productname',
  'productdescription',
  'description',
  'quantity',
  'priceperunit',
  'baseamount',
  'manualdiscountamount',
  'volumediscountamount',
  'tax',
  'extendedamount',
  'lineitemnumber',
  'sequencenumber',
];
export const LINE_PRODUCT_EXPAND = { property: 'productid', select: ['productnumber', 'name'] };

export function mapAccount(record: WebApiRecord): DvAccount {
  const id = requiredString(record, 'accountid', 'account');
  return compact({
    accountid: id,
    name: requiredString(record, 'name', `account ${id}`),
    accountnumber: text(record['accountnumber']),
    emailaddress1: text(record['emailaddress1']),
    telephone1: text(record['telephone1']),
    telephone2: text(record['telephone2']),
    fax: text(record['fax']),
    websiteurl: text(record['websiteurl']),
    address1: address(record, 'address1'),
    address2: address(record, 'address2'),
    statecode: state<ActiveState>(record, [0, 1], `account ${id}`),
    currencyCode: currencyCode(record),
    owningBusinessUnit: owningBusinessUnit(record),
    primaryContact: contactPerson(record['primarycontactid']),
    contacts: Array.isArray(record['contact_customer_accounts'])
      ? record['contact_customer_accounts'].map(contactPerson).filter((p): p is DvContactPerson => p !== undefined)
      : undefined,
    modifiedon: requiredDate(record, 'modifiedon', `account ${id}`),
  });
}

export function mapContact(record: WebApiRecord): DvContact {
  const id = requiredString(record, 'contactid', 'contact');
  const parent = lookup(record, 'parentcustomerid');
  return compact({
    contactid: id,
    firstname: text(record['firstname']),
    lastname: text(record['lastname']),
    fullname: text(record['fullname']),
    emailaddress1: text(record['emailaddress1']),
    telephone1: text(record['telephone1']),
    mobilephone: text(record['mobilephone']),
    address1: address(record, 'address1'),
    statecode: state<ActiveState>(record, [0, 1], `contact ${id}`),
    // A contact parent is ignored: Xero has no contact hierarchy.
    parentAccountId: parent?.table === 'account' ? parent.id : undefined,
    currencyCode: currencyCode(record),
    owningBusinessUnit: owningBusinessUnit(record),
    modifiedon: requiredDate(record, 'modifiedon', `contact ${id}`),
  });
}

export function mapProduct(record: WebApiRecord): DvProduct {
  const id = requiredString(record, 'productid', 'product');
  return compact({
    productid: id,
    productnumber: requiredString(record, 'productnumber', `product ${id}`),
    name: requiredString(record, 'name', `product ${id}`),
    description: text(record['description']),
    price: numberOrUndefined(record['price']),
    statecode: state<ProductState>(record, [0, 1, 2, 3], `product ${id}`),
    currencyCode: currencyCode(record),
    modifiedon: requiredDate(record, 'modifiedon', `product ${id}`),
  });
}

/** `lines` are the order's own `order_details`, already completed across nextLink pages by the reader. */
export function mapSalesOrder(record: WebApiRecord, lines: readonly WebApiRecord[]): DvSalesOrder {
  const id = requiredString(record, 'salesorderid', 'salesorder');
  const what = `salesorder ${id}`;
  const customer = lookup(record, 'customerid');
  if (!customer || (customer.table !== 'account' && customer.table !== 'contact')) {
    throw shapeError(`${what} has no account or contact customer (or its lookup annotation is missing)`);
  }
  const currency = currencyCode(record);
  if (!currency) throw shapeError(`${what} has no transaction currency ISO code`);
  return compact({
    salesorderid: id,
    ordernumber: requiredString(record, 'ordernumber', what),
    name: text(record['name']),
    customer: { table: customer.table, id: customer.id },
    currencyCode: currency,
    owningBusinessUnit: owningBusinessUnit(record),
    statecode: state<OrderState>(record, [0, 1, 2, 3, 4], what),
    statuscode: numberOrUndefined(record['statuscode']),
    createdon: requiredDate(record, 'createdon', what),
    modifiedon: requiredDate(record, 'modifiedon', what),
    submitdate: dateText(record['submitdate']),
    datefulfilled: dateText(record['datefulfilled']),
    requestdeliveryby: dateText(record['requestdeliveryby']),
    // Dataverse leaves the total empty until the order has lines: an empty order totals zero.
    totalamount: numberOrUndefined(record['totalamount']) ?? 0,
    totallineitemamount: numberOrUndefined(record['totallineitemamount']),
    totaltax: numberOrUndefined(record['totaltax']),
    discountamount: numberOrUndefined(record['discountamount']),
    discountpercentage: numberOrUndefined(record['discountpercentage']),
    freightamount: numberOrUndefined(record['freightamount']),
    totaldiscountamount: numberOrUndefined(record['totaldiscountamount']),
    lines: sortLines(lines.map((line) => mapOrderLine(line, what))),
  });
}

export function mapOrderLine(record: WebApiRecord, order = 'salesorder'): DvOrderLine {
  const id = requiredString(record, 'salesorderdetailid', `line of ${order}`);
  const writeIn = record['isproductoverridden'] === true;
  const product = asRecord(record['productid']);
  const productId = writeIn ? undefined : lookup(record, 'productid')?.id;
  return compact({
    salesorderdetailid: id,
    isproductoverridden: writeIn,
    productid: productId,
    productnumber: writeIn ? undefined : text(product?.['productnumber']),
    productname: text(product?.['name']) ?? text(record['productname']),
    productdescription: text(record['productdescription']),
    description: text(record['description']),
    // Required columns in Dataverse; a missing price on a write-in line means no price was entered.
    quantity: numberOrUndefined(record['quantity']) ?? 0,
    priceperunit: numberOrUndefined(record['priceperunit']) ?? 0,
    baseamount: numberOrUndefined(record['baseamount']),
    manualdiscountamount: numberOrUndefined(record['manualdiscountamount']),
    volumediscountamount: numberOrUndefined(record['volumediscountamount']),
    tax: numberOrUndefined(record['tax']),
    extendedamount: numberOrUndefined(record['extendedamount']),
    lineitemnumber: numberOrUndefined(record['lineitemnumber']),
    sequencenumber: numberOrUndefined(record['sequencenumber']),
  });
}

/** The order users see in Dataverse: sequence number, then line number; lines without either keep their place. */
function sortLines(lines: DvOrderLine[]): DvOrderLine[] {
  const key = (line: DvOrderLine): number => line.sequencenumber ?? line.lineitemnumber ?? Number.MAX_SAFE_INTEGER;
  return lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => key(a.line) - key(b.line) || a.index - b.index)
    .map(({ line }) => line);
}

/** A lookup column: `_<name>_value` plus the annotation naming its table (essential for Customer lookups). */
export function lookup(record: WebApiRecord, name: string): { table: string | undefined; id: string } | undefined {
  const column = `_${name}_value`;
  const id = text(record[column]);
  if (!id) return undefined;
  const table = text(record[`${column}${LOOKUP_TABLE}`]);
  if (table) return { table, id: id.toLowerCase() };
  // Fallback: the navigation property of a Customer lookup ends with the target table (parentcustomerid_account).
  const navigation = text(record[`${column}${NAVIGATION_PROPERTY}`]);
  const suffix = navigation?.match(/_(account|contact)$/)?.[1];
  return { table: suffix, id: id.toLowerCase() };
}

function address(record: WebApiRecord, prefix: string): DvAddress | undefined {
  const value = compact({
    line1: text(record[`${prefix}_line1`]),
    line2: text(record[`${prefix}_line2`]),
    line3: text(record[`${prefix}_line3`]),
    city: text(record[`${prefix}_city`]),
    stateOrProvince: text(record[`${prefix}_stateorprovince`]),
    postalCode: text(record[`${prefix}_postalcode`]),
    country: text(record[`${prefix}_country`]),
  });
  return Object.keys(value).length > 0 ? value : undefined;
}

function contactPerson(value: unknown): DvContactPerson | undefined {
  const person = asRecord(value);
  const contactid = text(person?.['contactid']);
  if (!person || !contactid) return undefined;
  return compact({
    contactid: contactid.toLowerCase(),
    firstname: text(person['firstname']),
    lastname: text(person['lastname']),
    emailaddress1: text(person['emailaddress1']),
  });
}

function owningBusinessUnit(record: WebApiRecord): { id: string; name?: string } | undefined {
  const id = text(record[OWNING_BUSINESS_UNIT]);
  if (!id) return undefined;
  return compact({ id: id.toLowerCase(), name: text(record[`${OWNING_BUSINESS_UNIT}${FORMATTED_VALUE}`]) });
}

function currencyCode(record: WebApiRecord): string | undefined {
  return text(asRecord(record['transactioncurrencyid'])?.['isocurrencycode'])?.toUpperCase();
}

function state<T extends number>(record: WebApiRecord, allowed: readonly T[], what: string): T {
  const value = record['statecode'];
  if (typeof value === 'number' && (allowed as readonly number[]).includes(value)) return value as T;
  throw shapeError(`${what} has an unexpected statecode`);
}

function requiredString(record: WebApiRecord, column: string, what: string): string {
  const value = text(record[column]);
  if (!value) throw shapeError(`${what} has no ${column}`);
  return column.endsWith('id') && /^[0-9a-f-]{36}$/i.test(value) ? value.toLowerCase() : value;
}

function requiredDate(record: WebApiRecord, column: string, what: string): string {
  const value = dateText(record[column]);
  if (!value) throw shapeError(`${what} has no ${column}`);
  return value;
}

/**
 * dynamics-web-api revives only second-precision timestamps into Date objects; others stay strings. Both become
 * the same ISO form so that modifiedon versions compare consistently. Date-only values are kept as sent.
 */
function dateText(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  const raw = text(value);
  if (raw && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) {
    const parsed = new Date(raw);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  return raw;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function asRecord(value: unknown): WebApiRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as WebApiRecord) : undefined;
}

function shapeError(message: string): PermanentError {
  return new PermanentError(message, 'DATAVERSE_SHAPE');
}

/** Drops undefined properties so optional fields are absent, as the readonly model types describe them. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
