import { MappingError } from '../../../../lambdas/core/errors';
import {
  FREIGHT_DESCRIPTION,
  ORDER_DISCOUNT_DESCRIPTION,
  ROUNDING_DESCRIPTION,
  invoiceTotals,
  mapSalesOrderToInvoice,
  orderIsCancelled,
} from '../../../../lambdas/core/mapping/invoice-mapping';
import { itemCodeFor } from '../../../../lambdas/core/mapping/item-mapping';
import type { DvSalesOrder } from '../../../../lambdas/core/model/dataverse';
import type { XeroInvoice, XeroLineItem } from '../../../../lambdas/core/model/xero';
import { Decimal } from '../../../../lambdas/core/money';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { buildOrderLine, buildSalesOrder, buildWriteInLine } from '../../../helpers/dataverse-factories';

export const TEST_SETTINGS: MappingSettings = {
  ...DEFAULT_MAPPING_SETTINGS,
  salesAccountCode: '200',
  salesTaxType: 'OUTPUT2',
  freightAccountCode: '425',
  discountAccountCode: '260',
  roundingAccountCode: '860',
  roundingTolerance: '0.05',
  invoiceStatus: 'DRAFT',
  invoiceNumbering: 'xero',
  dueDays: 30,
  lineAmountTypes: 'Exclusive',
};
const CTX = { customerContactNumber: '00000000-0000-4000-8000-000000000001' };

function map(order: DvSalesOrder, settings: MappingSettings = TEST_SETTINGS): XeroInvoice {
  return mapSalesOrderToInvoice(order, settings, CTX);
}

function linesDescribed(invoice: XeroInvoice, description: string): XeroLineItem[] {
  return invoice.LineItems.filter((line) => line.Description.startsWith(description));
}

/** The invoice total must equal the order's totalamount to the cent. */
function expectReconciled(invoice: XeroInvoice, order: DvSalesOrder): void {
  expect(invoiceTotals(invoice).total).toBe(Decimal.fromNumber(order.totalamount).toFixed(2));
}

describe('mapSalesOrderToInvoice', () => {
  it('should map a one-line catalogue order to a complete ACCREC invoice', () => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ productnumber: 'ESP-200', quantity: 2, priceperunit: 899.5, tax: 359.8 })],
    });

    expect(map(order)).toStrictEqual({
      Type: 'ACCREC',
      Contact: { ContactNumber: CTX.customerContactNumber },
      Reference: 'ORD-01001-X1Y2Z3',
      Date: '2026-03-12',
      DueDate: '2026-04-11',
      CurrencyCode: 'GBP',
      LineAmountTypes: 'Exclusive',
      Status: 'DRAFT',
      LineItems: [
        {
          Description: 'Espresso machine',
          ItemCode: 'ESP-200',
          Quantity: 2,
          UnitAmount: 899.5,
          AccountCode: '200',
          TaxType: 'OUTPUT2',
          TaxAmount: 359.8,
        },
      ],
    });
    expect(invoiceTotals(map(order))).toStrictEqual({ subTotal: '1799.00', totalTax: '359.80', total: '2158.80' });
  });

  it('should map write-in lines without an ItemCode, described by productdescription', () => {
    const order = buildSalesOrder({
      lines: [
        buildWriteInLine({
          productdescription: '  Réglage sur site — Ünïcode 北京 🚀 ',
          quantity: 3,
          priceperunit: 45,
        }),
      ],
    });

    const [line] = map(order).LineItems;

    expect(line).not.toHaveProperty('ItemCode');
    expect(line).toMatchObject({ Description: 'Réglage sur site — Ünïcode 北京 🚀', Quantity: 3, UnitAmount: 45 });
    expectReconciled(map(order), order);
  });

  it.each([
    ['product name and line note', { productname: 'Grinder', description: 'Matte black' }, 'Grinder\nMatte black'],
    ['product name only', { productname: 'Grinder', description: undefined }, 'Grinder'],
    ['no name at all', { productname: undefined, description: ' ', productnumber: 'GR-1' }, 'GR-1'],
  ])('should describe a catalogue line with %s', (_case, overrides, description) => {
    const order = buildSalesOrder({ lines: [buildOrderLine(overrides)] });
    expect(map(order).LineItems[0]?.Description).toBe(description);
  });

  it('should shorten a long product number to the same Item Code the item mapper uses', () => {
    const productnumber = 'ENTERPRISE-ESPRESSO-MACHINE-DUAL-BOILER-2026-EDITION';
    const order = buildSalesOrder({ lines: [buildOrderLine({ productnumber })] });
    const code = map(order).LineItems[0]?.ItemCode;
    expect(code).toBe(itemCodeFor(productnumber));
    expect(code?.length).toBeLessThanOrEqual(30);
  });

  it('should carry a manual discount as DiscountAmount so the line amount equals Dataverse base − discount', () => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ quantity: 3, priceperunit: 19.99, tax: 11.99, manualdiscountamount: 10 })],
    });
    const invoice = map(order);

    expect(invoice.LineItems[0]?.DiscountAmount).toBe(10);
    expect(invoiceTotals(invoice).subTotal).toBe(Decimal.fromNumber(order.totallineitemamount!).toFixed(2));
    expect(linesDescribed(invoice, ROUNDING_DESCRIPTION)).toHaveLength(0);
    expectReconciled(invoice, order);
  });

  // Microsoft's salesorderdetail reference: VolumeDiscountAmount is "the discount amount per unit", and BaseAmount
  // is based on the price per unit, volume discount and quantity, so it already contains the volume discount.
  it('should treat the volume discount as per unit and already inside baseamount (10 × 10.00 less 1.00 = 90.00)', () => {
    const line = {
      ...buildOrderLine({ quantity: 10, priceperunit: 10 }),
      volumediscountamount: 1,
      baseamount: 90,
      extendedamount: 90,
    };
    const order = buildSalesOrder({ lines: [line], totallineitemamount: 90, totaltax: 0, totalamount: 90 });
    const invoice = map(order);

    expect(invoice.LineItems[0]).toMatchObject({ Quantity: 10, UnitAmount: 9 });
    expect(invoice.LineItems[0]).not.toHaveProperty('DiscountAmount');
    expect(invoiceTotals(invoice).total).toBe('90.00');
    expect(linesDescribed(invoice, ROUNDING_DESCRIPTION)).toHaveLength(0);
  });

  it('should combine a per-unit volume discount with a manual discount', () => {
    const order = buildSalesOrder({
      lines: [
        buildOrderLine({ quantity: 3, priceperunit: 19.99, volumediscountamount: 0.2, manualdiscountamount: 10.1 }),
      ],
    });
    const invoice = map(order);

    expect(invoice.LineItems[0]).toMatchObject({ UnitAmount: 19.79, DiscountAmount: 10.1 });
    expect(order.lines[0]?.baseamount).toBe(59.37);
    expectReconciled(invoice, order);
  });

  it('should add freight as its own untaxed line on the freight account of a taxed order', () => {
    const order = buildSalesOrder({ freightamount: 25.5, lines: [buildOrderLine({ tax: 179.9 })] });
    const invoice = map(order);

    expect(linesDescribed(invoice, FREIGHT_DESCRIPTION)).toStrictEqual([
      { Description: 'Freight', Quantity: 1, UnitAmount: 25.5, AccountCode: '425', TaxAmount: 0 },
    ]);
    expectReconciled(invoice, order);
  });

  // developer.xero.com/documentation/api/accounting/invoices (LineItems TaxAmount): without a TaxAmount Xero computes
  // the tax of the line's TaxType; a 0 on a taxable type would book GST-coded lines with no GST.
  it('should let Xero compute the tax when no line of the order carries tax, matching amounts before tax', () => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ quantity: 2, priceperunit: 899.5 }), buildWriteInLine({ priceperunit: 120 })],
      freightamount: 12.5,
      discountamount: 10,
    });
    expect(order.totaltax).toBe(0);
    const invoice = map(order);

    for (const line of invoice.LineItems) expect(line).not.toHaveProperty('TaxAmount');
    // Freight has no freightTaxType here: the freight account's default tax type applies.
    expect(invoice.LineItems.map((line) => line.TaxType)).toEqual(['OUTPUT2', 'OUTPUT2', 'OUTPUT2', undefined]);
    expect(invoiceTotals(invoice).subTotal).toBe(Decimal.fromNumber(order.totalamount).toFixed(2));
  });

  it('should still send Dataverse’s own tax, 0 included, when the order carries tax', () => {
    const order = buildSalesOrder({
      lines: [
        buildOrderLine({ quantity: 2, priceperunit: 899.5, tax: 359.8 }),
        buildWriteInLine({ priceperunit: 120 }),
      ],
    });
    expect(map(order).LineItems.map((line) => line.TaxAmount)).toEqual([359.8, 0]);
  });

  it('should use the freight tax type when one is configured', () => {
    const invoice = map(buildSalesOrder({ freightamount: 5 }), { ...TEST_SETTINGS, freightTaxType: 'OUTPUT' });
    expect(linesDescribed(invoice, FREIGHT_DESCRIPTION)[0]?.TaxType).toBe('OUTPUT');
  });

  it.each([
    ['an amount', { discountamount: 50 }, -50, 'Order discount'],
    ['a percentage of the detail amount', { discountpercentage: 12.5 }, -224.88, 'Order discount (12.5%)'],
    ['an amount and a percentage', { discountamount: 10, discountpercentage: 10 }, -189.9, 'Order discount (10%)'],
  ])('should turn an order discount given as %s into a negative line', (_case, discount, amount, description) => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ quantity: 2, priceperunit: 899.5, tax: 359.8 })],
      ...discount,
    });
    const invoice = map(order);

    expect(linesDescribed(invoice, ORDER_DISCOUNT_DESCRIPTION)).toStrictEqual([
      {
        Description: description,
        Quantity: 1,
        UnitAmount: amount,
        AccountCode: '260',
        TaxType: 'OUTPUT2',
        TaxAmount: 0,
      },
    ]);
    expectReconciled(invoice, order);
  });

  it('should combine line discounts, tax, order discount and freight and still reconcile to the cent', () => {
    const order = buildSalesOrder({
      lines: [
        buildOrderLine({ quantity: 1.5, priceperunit: 12.3456, manualdiscountamount: 1.11, tax: 3.7 }),
        buildWriteInLine({ quantity: 7, priceperunit: 0.3333, volumediscountamount: 0.05, tax: 0.47 }),
        buildOrderLine({ productnumber: 'BEAN-1KG', quantity: 12, priceperunit: 21.5, tax: 51.6 }),
      ],
      discountamount: 5,
      discountpercentage: 3.33,
      freightamount: 9.99,
    });
    const invoice = map(order);

    expectReconciled(invoice, order);
    expect(invoiceTotals(invoice).totalTax).toBe('55.77');
    expect(linesDescribed(invoice, ROUNDING_DESCRIPTION)).toHaveLength(0);
  });

  it.each([
    ['GBP', 'GBP'],
    ['eur', 'EUR'],
    ['JPY', 'JPY'],
    [' nzd ', 'NZD'],
  ])('should invoice in the order currency %p as %s', (currencyCode, expected) => {
    const order = buildSalesOrder({ currencyCode });
    expect(map(order).CurrencyCode).toBe(expected);
  });

  it.each([[''], ['EURO'], ['€']])('should refuse the currency code %p', (currencyCode) => {
    expect(() => map(buildSalesOrder({ currencyCode }))).toThrow(MappingError);
  });

  it.each([
    ['Dataverse rounding half to even (0.125 → 0.12)', { baseamount: 0.12 }, '-0.01'],
    ['a cent lost in Dataverse', { baseamount: 0.14 }, '0.01'],
  ])('should absorb a sub-tolerance difference from %s in a Rounding line', (_case, base, difference) => {
    const order = buildSalesOrder({ lines: [buildWriteInLine({ quantity: 1, priceperunit: 0.125, ...base })] });
    const invoice = map(order);

    expect(linesDescribed(invoice, ROUNDING_DESCRIPTION)).toStrictEqual([
      { Description: 'Rounding', Quantity: 1, UnitAmount: Number(difference), AccountCode: '860', TaxAmount: 0 },
    ]);
    expectReconciled(invoice, order);
  });

  it.each([['0.05'], ['-0.05'], ['0.03']])('should absorb a totalamount that is off by %s', (offset) => {
    const reference = buildSalesOrder();
    const order = { ...reference, totalamount: Decimal.fromNumber(reference.totalamount).add(offset).toNumber() };
    const invoice = map(order);
    expect(linesDescribed(invoice, ROUNDING_DESCRIPTION)[0]?.UnitAmount).toBe(Number(offset));
    expectReconciled(invoice, order);
  });

  it.each([['0.06'], ['-1.00'], ['250']])(
    'should refuse a totalamount that is off by %s, naming both totals',
    (offset) => {
      const reference = buildSalesOrder({ ordernumber: 'ORD-77' });
      const expected = Decimal.fromNumber(reference.totalamount).add(offset);
      const order = { ...reference, totalamount: expected.toNumber() };

      expect(() => map(order)).toThrow(MappingError);
      expect(() => map(order)).toThrow(
        new RegExp(
          `ORD-77.*${Decimal.fromNumber(reference.totalamount).toFixed(2)}.*${expected.toFixed(2)}.*${Decimal.from(offset).toFixed(2)}`
        )
      );
    }
  );

  it('should honour a wider configured tolerance', () => {
    const reference = buildSalesOrder();
    const order = { ...reference, totalamount: reference.totalamount + 0.5 };
    expect(() => map(order, { ...TEST_SETTINGS, roundingTolerance: '1' })).not.toThrow();
  });

  it('should send a 5-decimal quantity as quantity 1 at the exact base amount', () => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ productname: 'Beans', quantity: 1.23456, priceperunit: 10.5, manualdiscountamount: 1 })],
    });
    const [line] = map(order).LineItems;

    expect(line).toMatchObject({
      Quantity: 1,
      UnitAmount: 12.96,
      DiscountAmount: 1,
      Description: 'Beans (1.23456 × 10.5)',
    });
    expectReconciled(map(order), order);
  });

  it.each([
    [
      'a discount larger than the line',
      { quantity: 2, priceperunit: 5, manualdiscountamount: 12 },
      -2,
      'Beans (2 × 5 less 12.00)',
    ],
    [
      'a discount on a negative line',
      { quantity: 1, priceperunit: -20, manualdiscountamount: 1 },
      -21,
      'Beans (1 × -20 less 1.00)',
    ],
  ])(
    'should fold %s into one unit at the net amount, which Xero accepts',
    (_case, figures, unitAmount, description) => {
      const order = buildSalesOrder({ lines: [buildWriteInLine({ productdescription: 'Beans', ...figures })] });
      const [line] = map(order).LineItems;

      expect(line).toMatchObject({ Quantity: 1, UnitAmount: unitAmount, Description: description });
      expect(line).not.toHaveProperty('DiscountAmount');
      expectReconciled(map(order), order);
    }
  );

  it('should keep a discount that fits a negative-free line as DiscountAmount', () => {
    const order = buildSalesOrder({
      lines: [buildWriteInLine({ quantity: 2, priceperunit: 5, manualdiscountamount: 10 })],
    });
    expect(map(order).LineItems[0]).toMatchObject({ Quantity: 2, UnitAmount: 5, DiscountAmount: 10 });
  });

  it('should let Xero split out inclusive tax where Dataverse gives none, without changing the total', () => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ quantity: 1, priceperunit: 115 }), buildWriteInLine({ priceperunit: 10, tax: 0 })],
      freightamount: 5,
    });
    const invoice = map(order, { ...TEST_SETTINGS, lineAmountTypes: 'Inclusive' });

    expect(invoice.LineItems.map((line) => line.TaxAmount)).toStrictEqual([undefined, 0, undefined]);
    expect(invoice.LineItems.map((line) => line.TaxType)).toStrictEqual(['OUTPUT2', 'OUTPUT2', undefined]);
    expect(invoiceTotals(invoice).total).toBe('130.00');
    expectReconciled(invoice, order);
  });

  it('should order lines by sequence number, then line item number', () => {
    const line = (productnumber: string, sequencenumber?: number, lineitemnumber?: number) =>
      buildOrderLine({ productnumber, sequencenumber, lineitemnumber });
    const order = buildSalesOrder({
      lines: [line('D'), line('C', 2, 1), line('B', 1, 2), line('A', 1, 1), line('E', undefined, 1)],
    });
    expect(map(order).LineItems.map((item) => item.ItemCode)).toStrictEqual(['A', 'B', 'C', 'E', 'D']);
  });

  it.each([
    ['xero', undefined],
    ['ordernumber', 'ORD-01001-X1Y2Z3'],
  ] as const)('should number the invoice with %s numbering', (invoiceNumbering, invoiceNumber) => {
    expect(map(buildSalesOrder(), { ...TEST_SETTINGS, invoiceNumbering }).InvoiceNumber).toBe(invoiceNumber);
  });

  it.each([
    [{ submitdate: '2026-12-15T10:00:00Z' }, 30, '2026-12-15', '2027-01-14'],
    [{ submitdate: undefined, createdon: '2026-02-20T22:00:00Z' }, 14, '2026-02-20', '2026-03-06'],
    [{ submitdate: '2026-03-31T23:30:00-02:00' }, 0, '2026-04-01', '2026-04-01'],
    [{ submitdate: '2028-02-28' }, 1, '2028-02-28', '2028-02-29'],
  ])('should date the invoice from %p with %i due days', (dates, dueDays, date, dueDate) => {
    const invoice = map(buildSalesOrder(dates), { ...TEST_SETTINGS, dueDays });
    expect([invoice.Date, invoice.DueDate]).toStrictEqual([date, dueDate]);
  });

  // Dataverse returns UserLocal dates as UTC instants: a Sydney order of 1 May arrives as 2024-04-30T14:00:00Z.
  it.each([
    ['Australia/Sydney', '2024-05-01', '2024-05-31'],
    ['America/Los_Angeles', '2024-04-30', '2024-05-30'],
  ])('should date the invoice on the calendar day of %s', (timeZone, date, dueDate) => {
    const order = buildSalesOrder({ submitdate: '2024-04-30T14:00:00Z' });
    const invoice = mapSalesOrderToInvoice(order, TEST_SETTINGS, { ...CTX, timeZone });
    expect([invoice.Date, invoice.DueDate]).toStrictEqual([date, dueDate]);
  });

  it('should fall back to ctx.today when the order has no date', () => {
    const order = buildSalesOrder({ submitdate: undefined, createdon: undefined as unknown as string });
    expect(mapSalesOrderToInvoice(order, TEST_SETTINGS, { ...CTX, today: '2026-05-01' }).Date).toBe('2026-05-01');
    expect(() => map(order)).toThrow(MappingError);
  });

  it('should leave tax out entirely for NoTax invoices and refuse orders that do carry tax', () => {
    const untaxed = map(buildSalesOrder({ freightamount: 3 }), { ...TEST_SETTINGS, lineAmountTypes: 'NoTax' });
    for (const line of untaxed.LineItems) {
      expect(line).not.toHaveProperty('TaxAmount');
      expect(line).not.toHaveProperty('TaxType');
    }
    const taxed = buildSalesOrder({ lines: [buildOrderLine({ tax: 20 })] });
    expect(() => map(taxed, { ...TEST_SETTINGS, lineAmountTypes: 'NoTax' })).toThrow(MappingError);
  });

  it('should send line tax as TaxAmount so Xero tax equals Dataverse tax', () => {
    const order = buildSalesOrder({
      lines: [buildOrderLine({ tax: 179.9 }), buildWriteInLine({ tax: 0.01 }), buildWriteInLine({ tax: undefined })],
    });
    const invoice = map(order);
    expect(invoice.LineItems.map((line) => line.TaxAmount)).toStrictEqual([179.9, 0.01, 0]);
    expect(invoiceTotals(invoice).totalTax).toBe(Decimal.fromNumber(order.totaltax!).toFixed(2));
  });

  it.each<[string, Partial<DvSalesOrder>]>([
    ['no order number', { ordernumber: '  ' }],
    ['a catalogue line without product number', { lines: [buildOrderLine({ productnumber: undefined })] }],
    ['a line without quantity', { lines: [buildOrderLine({ quantity: undefined as unknown as number })] }],
    ['a price that is text', { lines: [buildOrderLine({ priceperunit: '9.99' as unknown as number })] }],
    ['no lines at all', { lines: [], totalamount: 0 }],
    ['a lines value that is not a list', { lines: null as unknown as [] }],
  ])('should refuse an order with %s', (_case, overrides) => {
    expect(() => map({ ...buildSalesOrder(), ...overrides })).toThrow(MappingError);
  });
});

describe('mapping guard', () => {
  it('should turn an unexpected failure on malformed input into a MappingError naming the order', () => {
    const order = { ...buildSalesOrder({ ordernumber: 'ORD-9' }), submitdate: Object.create(null) as string };
    expect(() => map(order)).toThrow(MappingError);
    expect(() => map(order)).toThrow(/^Cannot map sales order ORD-9: malformed input \(TypeError/);
  });
});

describe('invoiceTotals', () => {
  const line = (overrides: Partial<XeroLineItem>): XeroLineItem => ({ Description: 'x', ...overrides });

  it.each<[string, XeroInvoice['LineAmountTypes'], XeroLineItem[], [string, string, string]]>([
    [
      'exclusive with tax',
      'Exclusive',
      [line({ Quantity: 2, UnitAmount: 10.005, TaxAmount: 3 })],
      ['20.01', '3.00', '23.01'],
    ],
    ['inclusive', 'Inclusive', [line({ Quantity: 1, UnitAmount: 115, TaxAmount: 15 })], ['100.00', '15.00', '115.00']],
    ['no tax', 'NoTax', [line({ Quantity: 1, UnitAmount: 9, TaxAmount: 1 })], ['9.00', '0.00', '9.00']],
    [
      'discount amount',
      'Exclusive',
      [line({ Quantity: 3, UnitAmount: 0.3333, DiscountAmount: 0.5 })],
      ['0.50', '0.00', '0.50'],
    ],
    [
      'discount rate',
      'Exclusive',
      [line({ Quantity: 1, UnitAmount: 99.99, DiscountRate: 15 })],
      ['84.99', '0.00', '84.99'],
    ],
    ['line amount only', 'Exclusive', [line({ LineAmount: 12.345 })], ['12.35', '0.00', '12.35']],
    [
      'many lines summed without float drift',
      'Exclusive',
      Array.from({ length: 10 }, () => line({ Quantity: 1, UnitAmount: 0.1, TaxAmount: 0.01 })),
      ['1.00', '0.10', '1.10'],
    ],
  ])('should total %s as Xero does', (_case, LineAmountTypes, LineItems, [subTotal, totalTax, total]) => {
    expect(invoiceTotals({ LineAmountTypes, LineItems })).toStrictEqual({ subTotal, totalTax, total });
  });
});

describe('orderIsCancelled', () => {
  it.each([
    [0, false],
    [1, false],
    [2, true],
    [3, false],
    [4, false],
  ] as const)('should treat statecode %i as cancelled: %p', (statecode, cancelled) => {
    expect(orderIsCancelled({ statecode })).toBe(cancelled);
  });
});
