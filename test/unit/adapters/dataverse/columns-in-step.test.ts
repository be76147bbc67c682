import {
  ACCOUNT_SELECT,
  CONTACT_SELECT,
  ORDER_LINE_SELECT,
  ORDER_SELECT,
  PRODUCT_SELECT,
} from '../../../../lambdas/adapters/dataverse/dataverse-record-mapper';
import { MAPPED_COLUMNS, type WebhookTable } from '../../../../lambdas/core/dataverse-admin/webhook-tables';

/**
 * The reader's $select lists and the webhook steps' filtering attributes must name the same columns: a column read
 * but not filtered means an edit to it never reaches Xero; a column filtered but not read fires syncs that change
 * nothing. Lookups are `_x_value` in a select and `x` in a filter.
 */
const normalise = (column: string) => column.replace(/^_(.+)_value$/, '$1');
/** Read but deliberately not a trigger: ids, system stamps, computed names, and the line's parent (it keys the order). */
const READ_ONLY = new Set([
  'accountid',
  'contactid',
  'productid',
  'salesorderid',
  'salesorderdetailid',
  'modifiedon',
  'createdon',
  'fullname',
  'productname',
]);

describe('Dataverse columns read vs columns that trigger a sync', () => {
  it.each([
    ['account', ACCOUNT_SELECT],
    ['contact', CONTACT_SELECT],
    ['product', PRODUCT_SELECT],
    ['salesorder', ORDER_SELECT],
  ] as [WebhookTable, readonly string[]][])('should keep %s in step', (table, select) => {
    const read = select.map(normalise).filter((c) => !READ_ONLY.has(c));
    expect([...read].sort()).toEqual([...MAPPED_COLUMNS[table]].sort());
  });

  it('should trigger on every order-line column the mapper reads, plus the line parent', () => {
    const read = ORDER_LINE_SELECT.map(normalise).filter((c) => !READ_ONLY.has(c) || c === 'productid');
    expect([...read, 'salesorderid'].sort()).toEqual([...MAPPED_COLUMNS.salesorderdetail].sort());
  });
});
