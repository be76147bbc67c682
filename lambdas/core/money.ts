/**
 * Exact decimal arithmetic for money, quantities and prices. Values are immutable BigInt integers scaled by 10^10:
 * ten fractional digits keep a Dataverse quantity (5 dp) × unit price (4 dp) product exact, and no float is ever
 * summed. JSON numbers enter through their shortest string form (`String(n)`), so 0.1 stays 0.1, not 0.1000000000000000055….
 */

/** Fractional digits held exactly. */
export const DECIMAL_SCALE = 10;
const FACTOR = 10n ** BigInt(DECIMAL_SCALE);
/** Decimal exponents beyond this are refused rather than building gigantic integers from hostile input. */
const MAX_EXPONENT = 400;
const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** Integer division rounding half away from zero (BigInt `/` truncates toward zero). */
function divideRounded(numerator: bigint, divisor: bigint): bigint {
  const quotient = numerator / divisor;
  const remainder = numerator % divisor;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice < divisor) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

function checkDp(dp: number): bigint {
  if (!Number.isInteger(dp) || dp < 0 || dp > DECIMAL_SCALE) {
    throw new RangeError(`decimal places must be an integer in 0..${DECIMAL_SCALE}, got ${dp}`);
  }
  return 10n ** BigInt(DECIMAL_SCALE - dp);
}

export type DecimalInput = Decimal | number | string;

export class Decimal {
  static readonly ZERO = new Decimal(0n);
  static readonly ONE = new Decimal(FACTOR);

  /** `units` = value × 10^DECIMAL_SCALE. */
  private constructor(private readonly units: bigint) {}

  /** A finite JSON number, via its shortest round-tripping string. Digits past the scale round half away from zero. */
  static fromNumber(value: number): Decimal {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`not a finite number: ${String(value)}`);
    }
    return Decimal.parse(String(value));
  }

  /** A decimal string such as "12.5", "-0.0001", "1e-7" or "3.5E+2". */
  static parse(text: string): Decimal {
    const match = typeof text === 'string' ? DECIMAL_PATTERN.exec(text.trim()) : null;
    const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match ?? [];
    if (!match || whole.length + fraction.length === 0) {
      throw new RangeError(`not a decimal number: ${JSON.stringify(String(text)).slice(0, 60)}`);
    }
    const exponent = Number(exponentText);
    if (Math.abs(exponent) > MAX_EXPONENT) throw new RangeError(`decimal exponent out of range: ${exponent}`);
    const digits = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
    const shift = DECIMAL_SCALE + exponent - fraction.length;
    const units = shift >= 0 ? digits * 10n ** BigInt(shift) : divideRounded(digits, 10n ** BigInt(-shift));
    return new Decimal(units);
  }

  static from(value: DecimalInput): Decimal {
    if (value instanceof Decimal) return value;
    return typeof value === 'number' ? Decimal.fromNumber(value) : Decimal.parse(value);
  }

  static sum(values: Iterable<DecimalInput>): Decimal {
    let total = 0n;
    for (const value of values) total += Decimal.from(value).units;
    return new Decimal(total);
  }

  add(other: DecimalInput): Decimal {
    return new Decimal(this.units + Decimal.from(other).units);
  }

  sub(other: DecimalInput): Decimal {
    return new Decimal(this.units - Decimal.from(other).units);
  }

  /** Exact while the factors' decimal places add up to ≤ 10 (e.g. 5 dp × 4 dp); otherwise rounds half away from zero. */
  mul(other: DecimalInput): Decimal {
    return new Decimal(divideRounded(this.units * Decimal.from(other).units, FACTOR));
  }

  /** Quotient rounded half away from zero to `dp` decimal places. */
  div(divisor: DecimalInput, dp: number = DECIMAL_SCALE): Decimal {
    const by = Decimal.from(divisor).units;
    if (by === 0n) throw new RangeError('division by zero');
    return new Decimal(divideRounded(this.units * FACTOR, by)).round(dp);
  }

  neg(): Decimal {
    return new Decimal(-this.units);
  }

  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1. */
  cmp(other: DecimalInput): -1 | 0 | 1 {
    const difference = this.units - Decimal.from(other).units;
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }

  eq(other: DecimalInput): boolean {
    return this.cmp(other) === 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  /** Rounded half away from zero (2.345 → 2.35, −2.345 → −2.35), the way Xero rounds amounts. */
  round(dp: number): Decimal {
    const step = checkDp(dp);
    return new Decimal(divideRounded(this.units, step) * step);
  }

  /** How many fractional digits the value really has (trailing zeros ignored). */
  decimalPlaces(): number {
    let units = this.units < 0n ? -this.units : this.units;
    let places = DECIMAL_SCALE;
    while (places > 0 && units % 10n === 0n) {
      units /= 10n;
      places -= 1;
    }
    return places;
  }

  /** Rounded to `dp` places and printed with exactly `dp` fractional digits ("1.50"). */
  toFixed(dp: number): string {
    const step = checkDp(dp);
    return Decimal.format(divideRounded(this.units, step), dp);
  }

  /** Shortest exact form ("1.5", "-0.0001", "12"). */
  toString(): string {
    return Decimal.format(this.units, DECIMAL_SCALE).replace(/0+$/, '').replace(/\.$/, '');
  }

  /** For the wire: the value rounded to `dp` places (default: all held digits) as a JSON number. */
  toNumber(dp: number = DECIMAL_SCALE): number {
    return Number(this.toFixed(dp));
  }

  toJSON(): string {
    return this.toString();
  }

  private static format(scaled: bigint, dp: number): string {
    const negative = scaled < 0n;
    const digits = (negative ? -scaled : scaled).toString().padStart(dp + 1, '0');
    const whole = digits.slice(0, digits.length - dp);
    const fraction = digits.slice(digits.length - dp);
    const body = dp === 0 ? whole : `${whole}.${fraction}`;
    return negative ? `-${body}` : body;
  }
}

/** Shorthand for `Decimal.from`. */
export function dec(value: DecimalInput): Decimal {
  return Decimal.from(value);
}
