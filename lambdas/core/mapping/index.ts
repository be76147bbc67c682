/** Pure Dataverse → Xero mapping: one import for the sync layer. */
export {
  MAX_CONTACT_PERSONS,
  disambiguatedContactName,
  mapAccountToContact,
  mapContact,
  mergeContactPersons,
  removeContactPerson,
} from './contact-mapping';
export type { ContactMapping } from './contact-mapping';
export { itemCodeFor, mapProductToItem, productIsSold } from './item-mapping';
export {
  FREIGHT_DESCRIPTION,
  ORDER_DISCOUNT_DESCRIPTION,
  ROUNDING_DESCRIPTION,
  invoiceTotals,
  mapSalesOrderToInvoice,
  orderIsCancelled,
} from './invoice-mapping';
export type { InvoiceMappingContext, InvoiceTotals } from './invoice-mapping';
export { XERO_LIMITS, clean, cleanText, truncate } from './text';
