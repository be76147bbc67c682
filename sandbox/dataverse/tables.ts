/**
 * The slice of the Dataverse schema the sandbox serves: entity set names, primary keys and names, lookups (with the
 * navigation properties that expand them), collection relationships, money columns and choice labels.
 */

export const TABLE_NAMES = [
  'account',
  'contact',
  'product',
  'salesorder',
  'salesorderdetail',
  'transactioncurrency',
  'systemuser',
  'businessunit',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface LookupDef {
  /** Logical name of the lookup column (`_<name>_value` on the wire). */
  readonly name: string;
  /** Target tables; more than one = a Customer (polymorphic) lookup. */
  readonly targets: readonly TableName[];
}

export interface CollectionDef {
  readonly table: TableName;
  /** The lookup on the child table that points back at the parent. */
  readonly via: string;
}

export interface TableDef {
  readonly logicalName: TableName;
  readonly entitySet: string;
  readonly key: string;
  readonly primaryName: string;
  readonly lookups: readonly LookupDef[];
  readonly collections: Readonly<Record<string, CollectionDef>>;
  readonly money: readonly string[];
}

const STANDARD: readonly LookupDef[] = [
  { name: 'createdby', targets: ['systemuser'] },
  { name: 'modifiedby', targets: ['systemuser'] },
  { name: 'ownerid', targets: ['systemuser'] },
];
/**
 * User-owned tables carry their owner's business unit (`_owningbusinessunit_value`, labelled with the unit's name).
 * Dataverse derives it from the owner; the sandbox lets tests set it directly, as a reassignment would change it
 * (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder#BKMK_OwningBusinessUnit).
 */
const OWNED: readonly LookupDef[] = [...STANDARD, { name: 'owningbusinessunit', targets: ['businessunit'] }];

export const TABLES: Readonly<Record<TableName, TableDef>> = {
  account: {
    logicalName: 'account',
    entitySet: 'accounts',
    key: 'accountid',
    primaryName: 'name',
    lookups: [
      ...OWNED,
      { name: 'primarycontactid', targets: ['contact'] },
      { name: 'parentaccountid', targets: ['account'] },
      { name: 'transactioncurrencyid', targets: ['transactioncurrency'] },
    ],
    collections: { contact_customer_accounts: { table: 'contact', via: 'parentcustomerid' } },
    money: ['creditlimit', 'revenue'],
  },
  contact: {
    logicalName: 'contact',
    entitySet: 'contacts',
    key: 'contactid',
    primaryName: 'fullname',
    lookups: [
      ...OWNED,
      { name: 'parentcustomerid', targets: ['account', 'contact'] },
      { name: 'transactioncurrencyid', targets: ['transactioncurrency'] },
    ],
    collections: {},
    money: ['creditlimit'],
  },
  product: {
    logicalName: 'product',
    entitySet: 'products',
    key: 'productid',
    primaryName: 'name',
    lookups: [...STANDARD, { name: 'transactioncurrencyid', targets: ['transactioncurrency'] }],
    collections: {},
    money: ['price', 'standardcost', 'currentcost'],
  },
  salesorder: {
    logicalName: 'salesorder',
    entitySet: 'salesorders',
    key: 'salesorderid',
    primaryName: 'name',
    lookups: [
      ...OWNED,
      { name: 'customerid', targets: ['account', 'contact'] },
      { name: 'transactioncurrencyid', targets: ['transactioncurrency'] },
    ],
    collections: { order_details: { table: 'salesorderdetail', via: 'salesorderid' } },
    money: [
      'totalamount',
      'totallineitemamount',
      'totaltax',
      'totaldiscountamount',
      'totallineitemdiscountamount',
      'totalamountlessfreight',
      'discountamount',
      'freightamount',
    ],
  },
  salesorderdetail: {
    logicalName: 'salesorderdetail',
    entitySet: 'salesorderdetails',
    key: 'salesorderdetailid',
    primaryName: 'salesorderdetailname',
    lookups: [
      ...STANDARD,
      { name: 'salesorderid', targets: ['salesorder'] },
      { name: 'productid', targets: ['product'] },
      { name: 'transactioncurrencyid', targets: ['transactioncurrency'] },
    ],
    collections: {},
    money: ['priceperunit', 'baseamount', 'manualdiscountamount', 'volumediscountamount', 'tax', 'extendedamount'],
  },
  transactioncurrency: {
    logicalName: 'transactioncurrency',
    entitySet: 'transactioncurrencies',
    key: 'transactioncurrencyid',
    primaryName: 'currencyname',
    lookups: [...STANDARD],
    collections: {},
    money: [],
  },
  systemuser: {
    logicalName: 'systemuser',
    entitySet: 'systemusers',
    key: 'systemuserid',
    primaryName: 'fullname',
    lookups: [],
    collections: {},
    money: [],
  },
  businessunit: {
    logicalName: 'businessunit',
    entitySet: 'businessunits',
    key: 'businessunitid',
    primaryName: 'name',
    lookups: [],
    collections: {},
    money: [],
  },
};

export function tableBySet(entitySet: string): TableDef | undefined {
  return Object.values(TABLES).find((t) => t.entitySet === entitySet);
}

export function isTableName(value: string): value is TableName {
  return (TABLE_NAMES as readonly string[]).includes(value);
}

/**
 * Navigation property name of a lookup towards one target: the lookup name itself for single-target lookups,
 * `<lookup>_<target>` for Customer lookups (e.g. customerid_account).
 */
export function navigationProperty(lookup: LookupDef, target: TableName): string {
  return lookup.targets.length > 1 ? `${lookup.name}_${target}` : lookup.name;
}

/** Resolves a single-valued navigation property (e.g. `customerid_contact`) to its lookup and target. */
export function findNavigation(table: TableDef, navProp: string): { lookup: LookupDef; target: TableName } | undefined {
  for (const lookup of table.lookups) {
    for (const target of lookup.targets) {
      if (navigationProperty(lookup, target) === navProp) return { lookup, target };
    }
  }
  return undefined;
}

/** Labels for the choice columns the connector reads (FormattedValue annotations). */
export const CHOICE_LABELS: Readonly<Record<string, Readonly<Record<string, Readonly<Record<number, string>>>>>> = {
  account: { statecode: { 0: 'Active', 1: 'Inactive' }, statuscode: { 1: 'Active', 2: 'Inactive' } },
  contact: { statecode: { 0: 'Active', 1: 'Inactive' }, statuscode: { 1: 'Active', 2: 'Inactive' } },
  product: {
    statecode: { 0: 'Active', 1: 'Retired', 2: 'Draft', 3: 'Under Revision' },
    statuscode: { 0: 'Draft', 1: 'Active', 2: 'Retired', 3: 'Under Revision' },
    producttypecode: { 1: 'Sales Inventory', 2: 'Miscellaneous Charges', 3: 'Services', 4: 'Flat Fees' },
  },
  salesorder: {
    statecode: { 0: 'Active', 1: 'Submitted', 2: 'Canceled', 3: 'Fulfilled', 4: 'Invoiced' },
    statuscode: {
      1: 'New',
      2: 'Pending',
      3: 'In Progress',
      4: 'No Money',
      100001: 'Complete',
      100002: 'Partial',
      100003: 'Invoiced',
    },
  },
  salesorderdetail: {},
  transactioncurrency: { statecode: { 0: 'Active', 1: 'Inactive' } },
  systemuser: {},
  businessunit: {},
};
