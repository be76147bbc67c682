import fc from 'fast-check';

import { MappingError } from '../../../../lambdas/core/errors';
import { mapAccountToContact, mapContact } from '../../../../lambdas/core/mapping/contact-mapping';
import {
  ROUNDING_DESCRIPTION,
  invoiceTotals,
  mapSalesOrderToInvoice,
} from '../../../../lambdas/core/mapping/invoice-mapping';
import { mapProductToItem } from '../../../../lambdas/core/mapping/item-mapping';
import type { DvOrderLine, DvSalesOrder } from '../../../../lambdas/core/model/dataverse';
import { Decimal } from '../../../../lambdas/core/money';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import {
  buildAccount,
  buildContact,
  buildOrderLine,
  buildProduct,
  buildSalesOrder,
} from '../../../helpers/dataverse-factories';

const SETTINGS: MappingSettings = { ...DEFAULT_MAPPING_SETTINGS, salesTaxType: 'OUTPUT' };
const CTX = { customerContactNumber: 'customer-1' };

/** A JSON number with exactly `dp` decimals at most, as Dataverse sends Money and Decimal columns. */
const scaled = (max: number, dp: number) => fc.integer({ min: 0, max: max * 10 ** dp }).map((n) => n / 10 ** dp);

const lineArbitrary: fc.Arbitrary<DvOrderLine> = fc
  .record({
    quantity: scaled(1000, 5).filter((q) => q > 0),
    priceperunit: scaled(10_000, 4),
    manualShare: fc.double({ min: 0, max: 1, noNaN: true }),
    volumeShare: fc.double({ min: 0, max: 1, noNaN: true }),
    tax: scaled(500, 2),
    writeIn: fc.boolean(),
    credit: fc.boolean(),
    sequencenumber: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    productnumber: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ''),
  })
  .map(({ quantity, priceperunit, manualShare, volumeShare, tax, writeIn, credit, sequencenumber, productnumber }) => {
    // The volume discount is per unit (whole cents, at most the price); the manual discount is whole cents, at most
    // the line's base amount; write-in lines may be credits (negative price, no volume discount).
    const price = writeIn && credit ? -priceperunit : priceperunit;
    const volumeCents = price > 0 ? Math.floor(Math.floor(price * 100) * volumeShare) : 0;
    const unitPrice = Decimal.from(price).sub(volumeCents / 100);
    const baseCents = Math.abs(Number(Decimal.from(quantity).mul(unitPrice).toFixed(2).replace('.', '')));
    const manualCents = Math.floor(baseCents * manualShare);
    return buildOrderLine({
      isproductoverridden: writeIn,
      productnumber: writeIn ? undefined : productnumber,
      productdescription: writeIn ? `Write-in ${productnumber}` : undefined,
      quantity,
      priceperunit: price,
      manualdiscountamount: manualCents / 100,
      volumediscountamount: volumeCents / 100,
      tax,
      sequencenumber,
    });
  });

const orderArbitrary: fc.Arbitrary<DvSalesOrder> = fc
  .record({
    lines: fc.array(lineArbitrary, { minLength: 1, maxLength: 8 }),
    discountamount: fc.option(scaled(100, 2), { nil: undefined }),
    discountpercentage: fc.option(scaled(100, 2), { nil: undefined }),
    freightamount: fc.option(scaled(200, 2), { nil: undefined }),
    currencyCode: fc.constantFrom('GBP', 'EUR', 'USD', 'NZD', 'AUD', 'JPY'),
  })
  .map((fields) => buildSalesOrder(fields));

describe('invoice mapping properties', () => {
  it('should reproduce Dataverse totalamount exactly for any valid order without throwing', () => {
    fc.assert(
      fc.property(orderArbitrary, (order) => {
        const invoice = mapSalesOrderToInvoice(order, SETTINGS, CTX);

        expect(invoiceTotals(invoice).total).toBe(Decimal.fromNumber(order.totalamount).toFixed(2));
        expect(invoiceTotals(invoice).totalTax).toBe(Decimal.fromNumber(order.totaltax ?? 0).toFixed(2));
        const rounding = invoice.LineItems.filter((line) => line.Description === ROUNDING_DESCRIPTION);
        for (const line of rounding) expect(Math.abs(line.UnitAmount ?? 0)).toBeLessThanOrEqual(0.05);
        for (const line of invoice.LineItems) {
          expect(line.Description.length).toBeGreaterThan(0);
          expect(line.ItemCode === undefined || line.ItemCode.length <= 30).toBe(true);
        }
      }),
      { numRuns: 300 }
    );
  });

  it('should only ever throw MappingError for arbitrary partial orders', () => {
    const partialOrder = fc.oneof(
      fc.anything(),
      fc.record(
        {
          ordernumber: fc.oneof(fc.string(), fc.anything()),
          currencyCode: fc.oneof(fc.constantFrom('GBP', 'eur', ''), fc.anything()),
          createdon: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string(), fc.anything()),
          submitdate: fc.anything(),
          totalamount: fc.oneof(fc.double(), fc.anything()),
          discountpercentage: fc.oneof(fc.double(), fc.anything()),
          freightamount: fc.anything(),
          lines: fc.oneof(
            fc.array(
              fc.record(
                {
                  isproductoverridden: fc.anything(),
                  productnumber: fc.anything(),
                  quantity: fc.oneof(fc.double(), fc.anything()),
                  priceperunit: fc.oneof(fc.double(), fc.anything()),
                  manualdiscountamount: fc.anything(),
                  tax: fc.oneof(fc.double(), fc.anything()),
                  sequencenumber: fc.anything(),
                },
                { requiredKeys: [] }
              )
            ),
            fc.anything()
          ),
        },
        { requiredKeys: [] }
      )
    );
    fc.assert(
      fc.property(partialOrder, fc.anything(), (order, ctx) => {
        for (const context of [CTX, ctx]) {
          try {
            mapSalesOrderToInvoice(order as DvSalesOrder, SETTINGS, context as typeof CTX);
          } catch (error) {
            expect(error).toBeInstanceOf(MappingError);
          }
        }
      }),
      { numRuns: 300 }
    );
  });

  it.each([
    ['mapAccountToContact', (input: unknown) => mapAccountToContact(input as never), buildAccount()],
    ['mapContact', (input: unknown) => mapContact(input as never), buildContact()],
    ['mapProductToItem', (input: unknown) => mapProductToItem(input as never, SETTINGS), buildProduct()],
  ])('should make %s throw nothing but MappingError for arbitrary partial records', (_name, mapper, valid) => {
    const mutated = fc
      .dictionary(fc.constantFrom(...Object.keys(valid)), fc.anything())
      .map((changes) => ({ ...valid, ...changes }));
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated), (input) => {
        try {
          mapper(input);
        } catch (error) {
          expect(error).toBeInstanceOf(MappingError);
        }
      }),
      { numRuns: 300 }
    );
  });
});
