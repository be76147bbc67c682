/**
 * Dataverse products → Xero Items. The Item Code (≤30) is the key the sync looks items up by, derived from
 * productnumber (≤100 in Dataverse) by `itemCodeFor`.
 *
 * IsSold: Active (0) and Under Revision (3, a published product being revised stays on price lists and orders) are
 * sold; Retired (1) and Draft (2, never published) are not. Unknown states count as not sold. Xero nulls an item's
 * Description and SalesDetails when IsSold becomes false (developer.xero.com/documentation/api/accounting/items), so
 * a product that is not sold sends neither. IsPurchased is the sync layer's business (set on creation only).
 */
import { createHash } from 'crypto';

import { MappingError } from '../errors';
import type { DvProduct } from '../model/dataverse';
import type { XeroItem } from '../model/xero';
import type { MappingSettings } from '../settings';
import { Decimal } from '../money';
import { guardMapping } from './guard';
import { XERO_LIMITS, clean, cleanText, truncate, withoutUndefined } from './text';

const HASH_HEX_LENGTH = 8;
/** 21 characters of prefix + "-" + 8 hex digits = 30. */
const PREFIX_LENGTH = XERO_LIMITS.itemCode - HASH_HEX_LENGTH - 1;

/**
 * The Xero Item Code for a Dataverse productnumber: the trimmed productnumber when it fits in 30 characters,
 * otherwise its first 21 characters, "-" and the first 8 hex digits of the SHA-256 of the whole trimmed
 * productnumber. Deterministic, so the same product always finds its item again; two long numbers that share a
 * prefix still differ in the hash.
 */
export function itemCodeFor(productnumber: string): string {
  const trimmed = clean(productnumber);
  if (trimmed === undefined) throw new MappingError('Product has no product number; Xero needs it for the Item Code');
  if (trimmed.length <= XERO_LIMITS.itemCode) return trimmed;
  const hash = createHash('sha256').update(trimmed, 'utf8').digest('hex').slice(0, HASH_HEX_LENGTH);
  return `${truncate(trimmed, PREFIX_LENGTH).trimEnd()}-${hash}`;
}

const SOLD_STATES: ReadonlySet<unknown> = new Set([0, 3]);

export function productIsSold(product: Pick<DvProduct, 'statecode'>): boolean {
  return SOLD_STATES.has(product.statecode);
}

export const mapProductToItem: (product: DvProduct, settings: MappingSettings) => XeroItem = guardMapping(
  'product',
  (product: DvProduct, settings: MappingSettings): XeroItem => {
    const code = itemCodeFor(product?.productnumber);
    const name = cleanText(product.name, XERO_LIMITS.itemName) ?? truncate(code, XERO_LIMITS.itemName);
    const fullName = clean(product.name) ?? code;
    const description = cleanText(product.description, XERO_LIMITS.itemDescription);
    let unitPrice: number | undefined;
    if (product.price !== undefined && product.price !== null) {
      if (typeof product.price !== 'number' || !Number.isFinite(product.price)) {
        throw new MappingError(`Product ${code} has a price that is not a number`);
      }
      unitPrice = Decimal.fromNumber(product.price).toNumber(4);
    }
    if (!productIsSold(product)) return { Code: code, Name: name, IsSold: false };
    return withoutUndefined<XeroItem>({
      Code: code,
      Name: name,
      Description: description ?? cleanText(fullName, XERO_LIMITS.itemDescription),
      IsSold: true,
      SalesDetails: withoutUndefined({
        UnitPrice: unitPrice,
        AccountCode: settings.salesAccountCode,
        TaxType: clean(settings.salesTaxType),
      }),
    });
  },
  (product) => product?.productnumber
);
