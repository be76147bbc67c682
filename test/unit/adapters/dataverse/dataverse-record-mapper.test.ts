import { PermanentError } from '../../../../lambdas/core/errors';
import {
  lookup,
  mapOrderLine,
  mapProduct,
  mapSalesOrder,
} from '../../../../lambdas/adapters/dataverse/dataverse-record-mapper';

const product = {
  productid: 'C4B3A291-8F7E-4D6C-A5B4-93A2B1C0D9E8',
  productnumber: 'TCAM-X2',
  name: 'Trail Camera X2',
  statecode: 0,
  modifiedon: '2025-11-24T08:00:00.250Z',
  price: null,
  description: null,
};

const order = {
  salesorderid: '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d',
  ordernumber: 'ORD-1',
  _customerid_value: '3f6a9b2c-1d4e-4f50-8a7b-9c0d1e2f3a4b',
  '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'account',
  transactioncurrencyid: { isocurrencycode: 'AUD' },
  statecode: 0,
  createdon: '2025-11-20T09:30:00+10:00',
  modifiedon: new Date('2025-11-21T00:00:00Z'),
  requestdeliveryby: '2025-12-01',
  totalamount: null,
};

describe('dataverse record mapper', () => {
  it('should normalise ids, drop nulls and bring every timestamp to one ISO form', () => {
    expect(mapProduct(product)).toEqual({
      productid: 'c4b3a291-8f7e-4d6c-a5b4-93a2b1c0d9e8',
      productnumber: 'TCAM-X2',
      name: 'Trail Camera X2',
      statecode: 0,
      modifiedon: '2025-11-24T08:00:00.250Z',
    });
    const mapped = mapSalesOrder(order, []);
    expect(mapped.createdon).toBe('2025-11-19T23:30:00.000Z');
    expect(mapped.modifiedon).toBe('2025-11-21T00:00:00.000Z');
    expect(mapped.requestdeliveryby).toBe('2025-12-01');
    expect(mapped.totalamount).toBe(0);
    expect(mapped.lines).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no modifiedon', { ...product, modifiedon: null }],
    ['an unknown statecode', { ...product, statecode: 7 }],
    ['no productnumber', { ...product, productnumber: '' }],
  ])('should refuse a product with %s as a PermanentError', (_label, record) => {
    expect(() => mapProduct(record)).toThrow(PermanentError);
  });

  it("should read the owning business unit with its name from the lookup's label (routing by business unit)", () => {
    const owned = {
      ...order,
      _owningbusinessunit_value: 'AAAAAAAA-0000-4000-8000-000000000002',
      '_owningbusinessunit_value@OData.Community.Display.V1.FormattedValue': 'Contoso GmbH',
    };
    expect(mapSalesOrder(owned, []).owningBusinessUnit).toEqual({
      id: 'aaaaaaaa-0000-4000-8000-000000000002',
      name: 'Contoso GmbH',
    });
    expect(mapSalesOrder(order, []).owningBusinessUnit).toBeUndefined();
  });

  it('should refuse an order without a currency code', () => {
    expect(() => mapSalesOrder({ ...order, transactioncurrencyid: null }, [])).toThrow(/currency/);
  });

  it('should keep a write-in line free of product identity even if a product column is set', () => {
    const line = mapOrderLine({
      salesorderdetailid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      isproductoverridden: true,
      _productid_value: 'c4b3a291-8f7e-4d6c-a5b4-93a2b1c0d9e8',
      productdescription: 'Consulting',
      quantity: 2,
      priceperunit: 50,
    });
    expect(line).toEqual({
      salesorderdetailid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      isproductoverridden: true,
      productdescription: 'Consulting',
      quantity: 2,
      priceperunit: 50,
    });
  });

  it('should fall back to the navigation property to tell a customer lookup table', () => {
    expect(
      lookup(
        {
          _parentcustomerid_value: 'AAAAAAAA-0000-4000-8000-000000000001',
          '_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'parentcustomerid_contact',
        },
        'parentcustomerid'
      )
    ).toEqual({ table: 'contact', id: 'aaaaaaaa-0000-4000-8000-000000000001' });
    expect(lookup({ _parentcustomerid_value: null }, 'parentcustomerid')).toBeUndefined();
  });
});
