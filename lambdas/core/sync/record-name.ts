import type { XeroWrite } from '../model/xero-write';

/**
 * How a person recognises the record a write comes from, for the status page and `connector status`: the contact's
 * name, the product's name (or its code), the order number. An archived contact carries only its GUID: no name.
 */
export function recordNameOf(write: XeroWrite): string | undefined {
  switch (write.kind) {
    case 'upsert-contact':
      return write.contact.Name || undefined;
    case 'upsert-item':
      return write.item.Name || write.item.Code;
    case 'stop-selling-item':
      return write.code;
    case 'upsert-invoice':
      return write.invoice.Reference || undefined;
    case 'cancel-invoice':
      return write.reference;
    case 'archive-contact':
      return undefined;
  }
}
