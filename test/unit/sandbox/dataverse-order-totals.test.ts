import { computeLineAmounts, computeOrderTotals } from '../../../sandbox/dataverse/order-totals';
import { DataverseState } from '../../../sandbox/dataverse/state';
import { DEMO_IDS, seedDemoData } from '../../../sandbox/demo-data';

describe('sandbox Dataverse order arithmetic and state', () => {
  it('should compute line base and extended amounts like Dynamics', () => {
    expect(computeLineAmounts({ priceperunit: 24.5, quantity: 12, manualdiscountamount: 14.7, tax: 41.9 })).toEqual({
      baseamount: 294,
      extendedamount: 321.2,
    });
    expect(computeLineAmounts({ priceperunit: 0.1, quantity: 3, tax: 0.2 })).toEqual({
      baseamount: 0.3,
      extendedamount: 0.5,
    });
  });

  // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorderdetail: VolumeDiscountAmount
  // is per unit and BaseAmount already includes it.
  it('should take the volume discount per unit, inside baseamount, not once more from the line', () => {
    expect(computeLineAmounts({ priceperunit: 10, quantity: 10, volumediscountamount: 1 })).toEqual({
      baseamount: 90,
      extendedamount: 90,
    });
    const totals = computeOrderTotals({}, [
      { priceperunit: 10, quantity: 10, volumediscountamount: 1, manualdiscountamount: 5, tax: 8.5 },
    ]);
    expect(totals).toMatchObject({ totallineitemamount: 85, totallineitemdiscountamount: 5, totalamount: 93.5 });
  });

  // learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute: UserLocal DateOnly
  // columns are stored and returned in UTC.
  it("should return a salesorder submitdate as the UTC instant of the user's local midnight", () => {
    const state = new DataverseState(() => Date.UTC(2026, 0, 1), 'Australia/Sydney');
    const order = state.upsert('salesorder', { submitdate: '2024-05-01', requestdeliveryby: '2024-07-01' });
    expect(order.submitdate).toBe('2024-04-30T14:00:00Z');
    expect(order.requestdeliveryby).toBe('2024-06-30T14:00:00Z');
    const instant = state.upsert('salesorder', { submitdate: '2024-05-01T03:00:00Z' });
    expect(instant.submitdate).toBe('2024-05-01T03:00:00Z');
  });

  it('should total orders in cents without float drift', () => {
    const lines = Array.from({ length: 10 }, () => ({ priceperunit: 0.1, quantity: 1, tax: 0.01 }));
    // float summing of 0.1 ten times gives 0.9999999999999999
    expect(computeOrderTotals({ freightamount: 0.2 }, lines)).toEqual({
      totallineitemamount: 1,
      totallineitemdiscountamount: 0,
      totaldiscountamount: 0,
      totalamountlessfreight: 1,
      totaltax: 0.1,
      totalamount: 1.3,
    });
  });

  it('should apply an order discount percentage to the net line total', () => {
    const totals = computeOrderTotals({ discountpercentage: 12.5, freightamount: 5 }, [
      { priceperunit: 33.33, quantity: 3, manualdiscountamount: 0.99, tax: 2 },
    ]);
    // 99.99 − 0.99 = 99.00; 12.5 % = 12.38 (12.375 rounded half up); 86.62 + 5 + 2
    expect(totals).toMatchObject({ totallineitemamount: 99, totalamountlessfreight: 86.62, totalamount: 93.62 });
    expect(totals.totaldiscountamount).toBe(13.37);
  });

  it('should keep seeded demo order totals exact and recalculate when lines change', () => {
    const state = new DataverseState(() => Date.UTC(2026, 0, 1));
    const ids = seedDemoData(state);
    expect(state.get('salesorder', ids.orders.harbourview)).toMatchObject({
      totallineitemamount: 1289.29,
      totallineitemdiscountamount: 14.7,
      totaldiscountamount: 39.7,
      totalamountlessfreight: 1264.29,
      totaltax: 193.4,
      totalamount: 1500.19,
    });
    expect(state.get('salesorder', ids.orders.mayaOkafor)).toMatchObject({
      totalamountlessfreight: 180.5,
      totalamount: 209.01,
    });
    expect(state.get('salesorder', ids.orders.cafeNanduEur)).toMatchObject({
      totalamount: 1470.49,
      _transactioncurrencyid_value: ids.currencies.eur,
    });

    const line = state.upsert('salesorderdetail', {
      salesorderid: { table: 'salesorder', id: ids.orders.cafeNanduEur },
      isproductoverridden: true,
      productdescription: 'Entkalkungsservice',
      priceperunit: 40,
      quantity: 1,
      tax: 7.6,
    });
    expect(line).toMatchObject({
      baseamount: 40,
      extendedamount: 47.6,
      lineitemnumber: 2,
      _transactioncurrencyid_value: ids.currencies.eur,
    });
    expect(state.get('salesorder', ids.orders.cafeNanduEur)!.totalamount).toBe(1518.09);
    state.remove('salesorderdetail', String(line.salesorderdetailid));
    expect(state.get('salesorder', ids.orders.cafeNanduEur)!.totalamount).toBe(1470.49);
  });

  it('should take the product price for catalogue lines unless the price is overridden', () => {
    const state = new DataverseState();
    seedDemoData(state);
    const line = state.upsert('salesorderdetail', {
      salesorderid: { table: 'salesorder', id: DEMO_IDS.orders.mayaOkafor },
      productid: { table: 'product', id: DEMO_IDS.products.grinder },
      quantity: 2,
    });
    expect(line).toMatchObject({ priceperunit: 689.99, baseamount: 1379.98 });
    const switched = state.upsert('salesorderdetail', {
      salesorderdetailid: line.salesorderdetailid,
      productid: { table: 'product', id: DEMO_IDS.products.espressoBeans },
    });
    expect(switched).toMatchObject({ priceperunit: 24.5, baseamount: 49 });
  });

  it('should bump modifiedon strictly even within one second and report changes to subscribers', () => {
    const state = new DataverseState(() => Date.UTC(2026, 0, 1, 12, 0, 0, 250));
    const changes: string[] = [];
    state.subscribe((c) => changes.push(`${c.message} ${c.table} ${c.changed.join(',')}`));
    const a = state.upsert('account', { name: 'First' });
    const b = state.upsert('account', { name: 'Second' });
    expect(a.modifiedon).toBe('2026-01-01T12:00:00Z');
    expect(b.modifiedon).toBe('2026-01-01T12:00:01Z');
    state.upsert('account', { accountid: a.accountid, telephone1: '1' });
    expect(String(state.get('account', String(a.accountid))!.modifiedon) > String(b.modifiedon)).toBe(true);
    expect(state.remove('account', String(b.accountid))).toBe(true);
    expect(changes).toEqual([
      'Create account name',
      'Create account name',
      'Update account telephone1',
      'Delete account ',
    ]);
  });

  it('should seed the cases the connector must handle', () => {
    const state = new DataverseState();
    const ids = seedDemoData(state);
    expect(String(state.get('account', ids.accounts.cafeNandu)!.name)).toMatch(/[^ -~]/);
    expect(state.get('contact', ids.contacts.mayaOkafor)!._parentcustomerid_value).toBeNull();
    expect(String(state.get('product', ids.products.longNumberPlanter)!.productnumber).length).toBeGreaterThan(30);
    expect(state.get('product', ids.products.retiredKettle)!.statecode).toBe(1);
    expect(state.list('salesorderdetail').filter((l) => l.isproductoverridden === true)).toHaveLength(1);
  });
});
