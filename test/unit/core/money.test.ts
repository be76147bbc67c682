import fc from 'fast-check';

import { Decimal, dec } from '../../../lambdas/core/money';

describe('Decimal', () => {
  it.each([
    [[0.1, 0.2], '0.3'],
    [[0.7, 0.1], '0.8'],
    [[1.1, 2.2], '3.3'],
    [[0.1, 0.1, 0.1, -0.3], '0'],
    [[1e21, 1], '1000000000000000000001'],
    [[123.4567, 0.0001], '123.4568'],
  ])('should add %p exactly to %s', (values, expected) => {
    expect(Decimal.sum(values).toString()).toBe(expected);
  });

  it.each([
    [1.00001, 99.9999, '100.000899999'],
    [12.34567, 0.1234, '1.523455678'],
    [99999.99999, 9999.9999, '999999989.900000001'],
    [-2.5, 0.4, '-1'],
  ])('should multiply %p × %p exactly (5 dp quantity × 4 dp price)', (quantity, price, expected) => {
    expect(dec(quantity).mul(price).toString()).toBe(expected);
  });

  it.each([
    ['2.345', 2, '2.35'],
    ['-2.345', 2, '-2.35'],
    ['2.344', 2, '2.34'],
    ['-2.344', 2, '-2.34'],
    ['0.005', 2, '0.01'],
    ['-0.005', 2, '-0.01'],
    ['0.0049999', 2, '0.00'],
    ['1.5', 0, '2'],
    ['-1.5', 0, '-2'],
    ['2.5', 0, '3'],
    ['1.00005', 4, '1.0001'],
  ])('should round %s to %i dp half away from zero as %s', (value, dp, expected) => {
    expect(dec(value).toFixed(dp)).toBe(expected);
    expect(dec(value).round(dp).toFixed(dp)).toBe(expected);
  });

  it.each([
    [1e-7, '0.0000001'],
    [1.5e3, '1500'],
    [-0, '0'],
    [0.30000000000000004, '0.3'],
    [123456789.12, '123456789.12'],
  ])('should read the JSON number %p through its shortest string as %s', (value, expected) => {
    expect(Decimal.fromNumber(value).toString()).toBe(expected);
  });

  it.each([['abc'], [''], ['1.2.3'], ['1e9999'], ['.']])('should refuse the string %p', (text) => {
    expect(() => Decimal.parse(text)).toThrow(RangeError);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY]])('should refuse the number %p', (value) => {
    expect(() => Decimal.fromNumber(value)).toThrow(RangeError);
  });

  it('should compare, negate, take absolute values and detect zero', () => {
    expect(dec('1.10').cmp('1.1')).toBe(0);
    expect(dec('-3').cmp(2)).toBe(-1);
    expect(dec(2).cmp('-3')).toBe(1);
    expect(dec('-3.25').abs().toString()).toBe('3.25');
    expect(dec('3.25').neg().toString()).toBe('-3.25');
    expect(dec('0.00').isZero()).toBe(true);
    expect(dec('-0.01').isNegative()).toBe(true);
    expect(dec(5).sub('5.01').toString()).toBe('-0.01');
  });

  it('should divide with rounding to the requested places', () => {
    expect(dec(10).div(3, 2).toString()).toBe('3.33');
    expect(dec(-2).div(3, 2).toString()).toBe('-0.67');
    expect(() => dec(1).div(0)).toThrow(RangeError);
  });

  it('should count the real decimal places', () => {
    expect(dec('1.23450').decimalPlaces()).toBe(4);
    expect(dec('100').decimalPlaces()).toBe(0);
    expect(dec('-0.00001').decimalPlaces()).toBe(5);
  });

  it('should give wire numbers rounded to the requested places', () => {
    expect(dec('19.995').toNumber(2)).toBe(20);
    expect(dec('0.1').add('0.2').toNumber(2)).toBe(0.3);
    expect(dec('1.23456789').toNumber()).toBe(1.23456789);
  });

  it('should add like integer cents for any amounts with two decimals', () => {
    const cents = fc.integer({ min: -10_000_000_000, max: 10_000_000_000 });
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 30 }), (values) => {
        const total = Decimal.sum(values.map((value) => (value / 100).toFixed(2)));
        const expected = values.reduce((sum, value) => sum + BigInt(value), 0n);
        expect(total.mul(100).toFixed(0)).toBe(expected.toString());
      })
    );
  });

  it('should multiply any 5 dp quantity by any 4 dp price exactly', () => {
    const scaled = (dp: number) => fc.bigInt({ min: 0n, max: 10n ** BigInt(dp + 6) });
    fc.assert(
      fc.property(scaled(5), scaled(4), (q, p) => {
        const quantity = dec(`${q / 100_000n}.${(q % 100_000n).toString().padStart(5, '0')}`);
        const price = dec(`${p / 10_000n}.${(p % 10_000n).toString().padStart(4, '0')}`);
        const product = q * p;
        const expected = `${product / 10n ** 9n}.${(product % 10n ** 9n).toString().padStart(9, '0')}`;
        expect(quantity.mul(price).toFixed(9)).toBe(expected);
      })
    );
  });
});
