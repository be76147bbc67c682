/**
 * Sales order arithmetic the way Dynamics 365 computes it, in integer cents: volumediscountamount is a discount per
 * unit, so a line's baseamount is (priceperunit − volumediscountamount) × quantity, and its extendedamount is
 * baseamount − manual discount + tax (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/
 * salesorderdetail: VolumeDiscountAmount "per unit", BaseAmount "based on the price per unit, volume discount, and
 * quantity"); the order sums lines net of their manual discounts, takes off the order discount (amount, or
 * percentage), then adds freight and tax.
 */
import { fromCents, fromScaled, multiply, toCents, toScaled } from '../xero-accounting/decimal';

export interface LineInput {
  readonly priceperunit?: number | null;
  readonly quantity?: number | null;
  readonly manualdiscountamount?: number | null;
  readonly volumediscountamount?: number | null;
  readonly tax?: number | null;
}

export interface LineAmounts {
  readonly baseamount: number;
  readonly extendedamount: number;
}

export function computeLineAmounts(line: LineInput): LineAmounts {
  const unitPrice = fromScaled(toScaled(line.priceperunit ?? 0, 4) - toScaled(line.volumediscountamount ?? 0, 4), 4);
  const base = toCents(multiply(unitPrice, line.quantity ?? 0, 2));
  const extended = base - toCents(line.manualdiscountamount ?? 0) + toCents(line.tax ?? 0);
  return { baseamount: fromCents(base), extendedamount: fromCents(extended) };
}

export interface OrderInput {
  readonly discountamount?: number | null;
  readonly discountpercentage?: number | null;
  readonly freightamount?: number | null;
}

export interface OrderTotals {
  readonly totallineitemamount: number;
  readonly totallineitemdiscountamount: number;
  readonly totaldiscountamount: number;
  readonly totalamountlessfreight: number;
  readonly totaltax: number;
  readonly totalamount: number;
}

export function computeOrderTotals(order: OrderInput, lines: readonly LineInput[]): OrderTotals {
  let lineNet = 0n;
  let lineDiscounts = 0n;
  let tax = 0n;
  for (const line of lines) {
    const base = toCents(computeLineAmounts(line).baseamount);
    lineNet += base - toCents(line.manualdiscountamount ?? 0);
    lineDiscounts += toCents(line.manualdiscountamount ?? 0);
    tax += toCents(line.tax ?? 0);
  }
  const orderDiscount = order.discountamount
    ? toCents(order.discountamount)
    : order.discountpercentage
      ? toCents(multiply(fromCents(lineNet), order.discountpercentage / 100, 2))
      : 0n;
  const lessFreight = lineNet - orderDiscount;
  const total = lessFreight + toCents(order.freightamount ?? 0) + tax;
  return {
    totallineitemamount: fromCents(lineNet),
    totallineitemdiscountamount: fromCents(lineDiscounts),
    totaldiscountamount: fromCents(orderDiscount + lineDiscounts),
    totalamountlessfreight: fromCents(lessFreight),
    totaltax: fromCents(tax),
    totalamount: fromCents(total),
  };
}
