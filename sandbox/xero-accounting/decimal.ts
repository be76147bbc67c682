/**
 * Exact decimal arithmetic for money in the sandboxes: values become BigInt in a fixed number of decimal places, so
 * sums never drift the way float sums do. Half-away-from-zero rounding, like both Xero and Dynamics.
 */

const WORK_DP = 10;

/** A number as an integer count of 10^-dp units, read from its decimal text (not from float multiplication). */
export function toScaled(value: number, dp: number = WORK_DP): bigint {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const text = value.toFixed(Math.min(dp + 2, 20));
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  const units = BigInt(whole + frac.padEnd(dp + 2, '0').slice(0, dp + 2));
  const rounded = roundDiv(units, 100n);
  return negative ? -rounded : rounded;
}

/** Integer division rounding half away from zero. */
export function roundDiv(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

/** Changes the scale of a scaled integer, rounding when precision is dropped. */
export function rescale(value: bigint, fromDp: number, toDp: number): bigint {
  if (toDp >= fromDp) return value * 10n ** BigInt(toDp - fromDp);
  return roundDiv(value, 10n ** BigInt(fromDp - toDp));
}

/** Back to a JSON number (exact for money-sized values). */
export function fromScaled(value: bigint, dp: number): number {
  return Number(value) / 10 ** dp;
}

/** Rounds a number to `dp` places exactly (2.675 → 2.68, not 2.67). */
export function roundTo(value: number, dp: number): number {
  return fromScaled(rescale(toScaled(value), WORK_DP, dp), dp);
}

/** a × b rounded to `dp` places, computed on scaled integers. */
export function multiply(a: number, b: number, dp: number): number {
  const product = toScaled(a) * toScaled(b);
  return fromScaled(rescale(product, WORK_DP * 2, dp), dp);
}

/** Converts to integer cents (2 dp) for summing. */
export function toCents(value: number): bigint {
  return rescale(toScaled(value), WORK_DP, 2);
}

export function fromCents(cents: bigint): number {
  return fromScaled(cents, 2);
}
