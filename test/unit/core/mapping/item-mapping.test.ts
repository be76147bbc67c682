import { createHash } from 'crypto';
import fc from 'fast-check';

import { MappingError } from '../../../../lambdas/core/errors';
import { itemCodeFor, mapProductToItem } from '../../../../lambdas/core/mapping/item-mapping';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { buildProduct } from '../../../helpers/dataverse-factories';

describe('itemCodeFor', () => {
  it.each([
    ['ESP-200', 'ESP-200'],
    ['  ESP-200  ', 'ESP-200'],
    ['X'.repeat(30), 'X'.repeat(30)],
    ['北京-咖啡机-🚀', '北京-咖啡机-🚀'],
  ])('should keep a product number that fits: %p', (productnumber, code) => {
    expect(itemCodeFor(productnumber)).toBe(code);
  });

  it('should shorten a long product number to a 21-character prefix, a dash and 8 hex digits of its SHA-256', () => {
    const productnumber = 'ENTERPRISE-ESPRESSO-MACHINE-DUAL-BOILER-2026';
    const hash = createHash('sha256').update(productnumber).digest('hex').slice(0, 8);
    expect(itemCodeFor(productnumber)).toBe(`ENTERPRISE-ESPRESSO-M-${hash}`);
  });

  it('should never split an emoji when shortening', () => {
    const code = itemCodeFor(`${'a'.repeat(20)}🚀${'b'.repeat(20)}`);
    expect(code.length).toBeLessThanOrEqual(30);
    expect(code.startsWith(`${'a'.repeat(20)}-`)).toBe(true);
  });

  it('should be deterministic, ≤ 30 characters and distinct for distinct long product numbers', () => {
    const productNumber = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(productNumber, productNumber, (a, b) => {
        const codeA = itemCodeFor(a);
        expect(codeA).toBe(itemCodeFor(a));
        expect(codeA.length).toBeLessThanOrEqual(30);
        expect(codeA.length).toBeGreaterThan(0);
        if (a.trim() !== b.trim()) expect(codeA).not.toBe(itemCodeFor(b));
      })
    );
  });

  it('should give distinct codes to long numbers that share their first 29 characters', () => {
    const prefix = 'PRODUCT-CATALOGUE-ENTRY-0000';
    const codes = new Set(Array.from({ length: 1000 }, (_, n) => itemCodeFor(`${prefix}${n}-variant`)));
    expect(codes.size).toBe(1000);
  });

  it.each([[''], ['   '], [undefined as unknown as string]])('should refuse the empty product number %p', (value) => {
    expect(() => itemCodeFor(value)).toThrow(MappingError);
  });
});

describe('mapProductToItem', () => {
  const settings: MappingSettings = { ...DEFAULT_MAPPING_SETTINGS, salesAccountCode: '200', salesTaxType: 'OUTPUT2' };

  it('should map an active product to a sold item with its price, account and tax type', () => {
    expect(mapProductToItem(buildProduct({ price: 899.5 }), settings)).toStrictEqual({
      Code: 'ESP-200',
      Name: 'Espresso machine',
      Description: 'Dual boiler espresso machine',
      IsSold: true,
      SalesDetails: { UnitPrice: 899.5, AccountCode: '200', TaxType: 'OUTPUT2' },
    });
  });

  it.each([
    [0, true],
    [1, false],
    [2, false],
    [3, true],
  ] as const)('should map product statecode %i to IsSold %p', (statecode, sold) => {
    expect(mapProductToItem(buildProduct({ statecode }), settings).IsSold).toBe(sold);
  });

  // developer.xero.com/documentation/api/accounting/items: IsSold false nulls Description and SalesDetails.
  it.each([1, 2] as const)('should send only code, name and IsSold false for a product in state %i', (statecode) => {
    const item = mapProductToItem(buildProduct({ statecode, price: 19.5, description: 'Old model' }), settings);
    expect(item).toStrictEqual({ Code: item.Code, Name: item.Name, IsSold: false });
  });

  it.each([
    [12.34567, 12.3457],
    [0.1, 0.1],
    [1e-5, 0],
  ])('should round the list price %p to 4 dp as %p', (price, unitPrice) => {
    expect(mapProductToItem(buildProduct({ price }), settings).SalesDetails?.UnitPrice).toBe(unitPrice);
  });

  it('should omit the price and the tax type when absent', () => {
    const item = mapProductToItem(buildProduct({ price: undefined }), { ...settings, salesTaxType: undefined });
    expect(item.SalesDetails).toStrictEqual({ AccountCode: '200' });
  });

  it('should truncate the name to 50 and fall back to the full name for a missing description', () => {
    const name = `Machine à café Ünïcode 北京 ${'z'.repeat(60)}`;
    const item = mapProductToItem(buildProduct({ name, description: '  ' }), settings);
    expect(item.Name).toBe(name.slice(0, 50));
    expect(item.Description).toBe(name);
  });

  it('should cap the description at 4000 characters', () => {
    const item = mapProductToItem(buildProduct({ description: 'd'.repeat(5000) }), settings);
    expect(item.Description).toHaveLength(4000);
  });

  it('should use the shortened code as name when the product has none', () => {
    const item = mapProductToItem(buildProduct({ name: '', productnumber: 'P-1' }), settings);
    expect(item.Name).toBe('P-1');
  });

  it.each([
    ['no product number', { productnumber: ' ' }],
    ['a price that is not a number', { price: '12.00' as unknown as number }],
  ])('should refuse a product with %s', (_case, overrides) => {
    expect(() => mapProductToItem(buildProduct(overrides), settings)).toThrow(MappingError);
  });
});
