import type { DvAccount, DvContact, DvProduct, DvSalesOrder } from '../../lambdas/core/model/dataverse';
import type { DataverseReader } from '../../lambdas/core/ports';

/** A DataverseReader over maps; a missing id reads as deleted (null), like a 404 from the Web API. */
export class InMemoryDataverse implements DataverseReader {
  readonly accounts = new Map<string, DvAccount>();
  readonly contacts = new Map<string, DvContact>();
  readonly products = new Map<string, DvProduct>();
  readonly orders = new Map<string, DvSalesOrder>();
  reads = 0;

  add(record: DvAccount | DvContact | DvProduct | DvSalesOrder) {
    if ('accountid' in record) this.accounts.set(record.accountid, record);
    else if ('contactid' in record) this.contacts.set(record.contactid, record);
    else if ('productid' in record) this.products.set(record.productid, record);
    else this.orders.set(record.salesorderid, record);
    return record;
  }

  async getAccount(id: string) {
    this.reads++;
    return this.accounts.get(id) ?? null;
  }
  async getContact(id: string) {
    this.reads++;
    return this.contacts.get(id) ?? null;
  }
  async getProduct(id: string) {
    this.reads++;
    return this.products.get(id) ?? null;
  }
  async getSalesOrder(id: string) {
    this.reads++;
    return this.orders.get(id) ?? null;
  }
}
