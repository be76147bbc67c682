import { multiply, roundTo, toCents } from '../../../sandbox/xero-accounting/decimal';

describe('sandbox decimal helpers', () => {
  it('should round half away from zero from the decimal text, not the binary float', () => {
    expect(roundTo(2.675, 2)).toBe(2.68); // Math.round(2.675 * 100) / 100 gives 2.67
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(0.00005, 4)).toBe(0.0001);
  });

  it('should multiply exactly before rounding', () => {
    expect(multiply(1.1, 1.1, 2)).toBe(1.21);
    expect(multiply(33.335, 3, 2)).toBe(100.01); // 100.005 rounds up
    expect(multiply(19.99, 0.15, 2)).toBe(3); // 2.9985
  });

  it('should convert to integer cents', () => {
    expect(toCents(0.1) + toCents(0.2)).toBe(30n);
    expect(toCents(-12.345)).toBe(-1235n);
  });
});
