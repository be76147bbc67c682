/**
 * Invoice arithmetic the way Xero does it: each line amount is Quantity × UnitAmount less its discount, rounded to
 * 2 dp; line tax is the given TaxAmount, else the TaxType rate applied per line; totals are sums of the rounded
 * line figures (in integer cents, never float sums).
 */
import { fromCents, multiply, roundTo, toCents } from './decimal';
import { num, str, type XeroRecord } from './xero-json';

/** A small demo tax-rate table (percent). Unknown codes are refused like Xero refuses codes the org lacks. */
export const SANDBOX_TAX_RATES: Readonly<Record<string, number>> = {
  NONE: 0,
  EXEMPTOUTPUT: 0,
  ZERORATEDOUTPUT: 0,
  OUTPUT: 15,
  OUTPUT2: 20,
  OUTPUTY23: 20,
};

/**
 * Default tax type of the sandbox chart's accounts: a line with an AccountCode and no TaxType takes its account's
 * (developer.xero.com/documentation/api/accounting/invoices, LineItems TaxType; …/accounting/accounts TaxType).
 */
export const SANDBOX_ACCOUNT_TAX_TYPES: Readonly<Record<string, string>> = {
  '200': 'OUTPUT',
  '260': 'OUTPUT',
  '425': 'OUTPUT',
  '860': 'NONE',
};

export interface LineResult {
  readonly line: XeroRecord;
  readonly errors: readonly string[];
  readonly amountCents: bigint;
  readonly taxCents: bigint;
  readonly discountCents: bigint;
}

export function computeLine(input: XeroRecord, lineAmountTypes: string, unitdp: number): LineResult {
  const errors: string[] = [];
  const line: XeroRecord = { ...input };
  const quantity = num(input.Quantity) ?? (input.UnitAmount !== undefined ? 1 : undefined);
  const unit = num(input.UnitAmount);
  let amountCents: bigint;
  let grossCents = 0n;
  if (unit !== undefined && quantity !== undefined) {
    line.Quantity = quantity;
    line.UnitAmount = roundTo(unit, unitdp);
    const gross = multiply(quantity, line.UnitAmount as number, 2);
    grossCents = toCents(gross);
    const rate = num(input.DiscountRate);
    const discount = num(input.DiscountAmount);
    if (rate !== undefined && discount !== undefined)
      errors.push('DiscountRate and DiscountAmount cannot both be set.');
    if (rate !== undefined) amountCents = toCents(multiply(gross, (100 - rate) / 100, 2));
    else if (discount !== undefined) amountCents = grossCents - toCents(discount);
    else amountCents = grossCents;
  } else {
    amountCents = toCents(num(input.LineAmount) ?? 0);
    grossCents = amountCents;
  }
  line.LineAmount = fromCents(amountCents);

  let taxCents = 0n;
  const accountCode = str(input.AccountCode);
  const taxType = str(input.TaxType) ?? (accountCode ? SANDBOX_ACCOUNT_TAX_TYPES[accountCode] : undefined);
  if (taxType !== undefined) line.TaxType = taxType;
  if (taxType !== undefined && SANDBOX_TAX_RATES[taxType] === undefined) {
    errors.push(`The TaxType code ${taxType} does not exist or cannot be used for this type of transaction.`);
  }
  if (lineAmountTypes !== 'NoTax') {
    const given = num(input.TaxAmount);
    const percent = taxType ? (SANDBOX_TAX_RATES[taxType] ?? 0) : 0;
    if (given !== undefined) taxCents = toCents(given);
    else if (lineAmountTypes === 'Inclusive') {
      taxCents = toCents(multiply(fromCents(amountCents), percent / (100 + percent), 2));
    } else taxCents = toCents(multiply(fromCents(amountCents), percent / 100, 2));
  }
  line.TaxAmount = fromCents(taxCents);
  return { line, errors, amountCents, taxCents, discountCents: grossCents - amountCents };
}

export interface InvoiceTotals {
  readonly SubTotal: number;
  readonly TotalTax: number;
  readonly Total: number;
  readonly TotalDiscount: number;
}

export function sumInvoice(lines: readonly LineResult[], lineAmountTypes: string): InvoiceTotals {
  let amounts = 0n;
  let tax = 0n;
  let discount = 0n;
  for (const l of lines) {
    amounts += l.amountCents;
    tax += l.taxCents;
    discount += l.discountCents;
  }
  const total = lineAmountTypes === 'Inclusive' ? amounts : amounts + tax;
  const subTotal = lineAmountTypes === 'Inclusive' ? amounts - tax : amounts;
  return {
    SubTotal: fromCents(subTotal),
    TotalTax: fromCents(tax),
    Total: fromCents(total),
    TotalDiscount: fromCents(discount),
  };
}
