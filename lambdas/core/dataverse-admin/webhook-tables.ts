/**
 * The one place that says which Dataverse tables fire webhooks and which of their columns matter. An Update step
 * only fires when one of its table's `filteringattributes` changed, so these lists are the columns the mappers read
 * (system columns such as modifiedon are left out: they change on every save, including the connector's own
 * write-back, which only touches the integration columns that are deliberately absent here).
 */
import type { ChangeMessage } from '../model/change-event';

export const WEBHOOK_TABLES = ['account', 'contact', 'product', 'salesorder', 'salesorderdetail'] as const;
export type WebhookTable = (typeof WEBHOOK_TABLES)[number];

export const WEBHOOK_MESSAGES: readonly ChangeMessage[] = ['Create', 'Update', 'Delete'];

const address = (prefix: string): string[] =>
  ['line1', 'line2', 'line3', 'city', 'stateorprovince', 'postalcode', 'country'].map((part) => `${prefix}_${part}`);

/** Columns whose change should trigger a sync, per table (lookups by their logical name, not `_x_value`). */
export const MAPPED_COLUMNS: Readonly<Record<WebhookTable, readonly string[]>> = {
  account: [
    'name',
    'accountnumber',
    'emailaddress1',
    'telephone1',
    'telephone2',
    'fax',
    'websiteurl',
    ...address('address1'),
    ...address('address2'),
    'statecode',
    'transactioncurrencyid',
    'primarycontactid',
    // Routing by business unit (core/routing): a record moved to another business unit may change organisation.
    'owningbusinessunit',
  ],
  contact: [
    'firstname',
    'lastname',
    'emailaddress1',
    'telephone1',
    'mobilephone',
    ...address('address1'),
    'statecode',
    'parentcustomerid',
    'transactioncurrencyid',
    'owningbusinessunit',
  ],
  product: ['productnumber', 'name', 'description', 'price', 'statecode', 'transactioncurrencyid'],
  salesorder: [
    'ordernumber',
    'name',
    'customerid',
    'transactioncurrencyid',
    'statecode',
    'statuscode',
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
    'owningbusinessunit',
  ],
  salesorderdetail: [
    'isproductoverridden',
    'productid',
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
    'salesorderid',
  ],
};

/**
 * The comma-separated, sorted form Dataverse stores; sorting makes the comparison with an existing step stable.
 * `extra`: columns a sync condition reads (e.g. `<prefix>_synctoxero`), so setting it fires an Update webhook.
 */
export function filteringAttributesOf(table: WebhookTable, extra: readonly string[] = []): string {
  return [...new Set([...MAPPED_COLUMNS[table], ...extra])].sort().join(',');
}

/** Order lines are reported as their order: the step carries an image with the line's salesorderid. */
export const ORDER_IMAGE = { table: 'salesorderdetail', alias: 'order', attributes: 'salesorderid' } as const;
