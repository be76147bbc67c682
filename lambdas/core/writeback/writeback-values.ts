/**
 * Turns a Xero invoice into the values the sales order should show, and works out which of them differ from
 * what the order shows now. Amounts are compared as decimals at 2 places, so 100 and 100.00 are equal and a
 * currency column that stores 2 decimals never causes a PATCH on every run.
 */
import { xeroDeepLink } from '../dataverse-admin/integration-log-row';
import { Decimal } from '../money';
import type { WritebackValues, XeroInvoiceSnapshot } from './ports';

/** Statuses after which nothing is owed any more, whatever AmountDue Xero keeps. */
const CANCELLED = new Set(['VOIDED', 'DELETED']);
const COMPARE_DP = 2;

export function xeroInvoiceUrl(invoiceId: string, shortCode?: string): string {
  return xeroDeepLink('salesorder', invoiceId, shortCode);
}

function amount(value: number | undefined): string | null {
  return value === undefined ? null : Decimal.fromNumber(value).toString();
}

/** What the order's write-back columns should hold for this invoice. */
export function writebackValuesFor(invoice: XeroInvoiceSnapshot): WritebackValues {
  const cancelled = CANCELLED.has(invoice.status);
  return {
    invoiceNumber: invoice.invoiceNumber || null,
    status: invoice.status,
    // AmountDue already nets off payments and allocated credit notes (AmountCredited); a void owes nothing.
    amountDue: cancelled ? '0' : amount(invoice.amountDue),
    amountPaid: amount(invoice.amountPaid),
    // Only a PAID invoice has a paid date: a removed payment must clear it again.
    fullyPaidOn: invoice.status === 'PAID' ? (invoice.fullyPaidOn ?? null) : null,
    invoiceUrl: xeroInvoiceUrl(invoice.invoiceId, invoice.shortCode),
  };
}

function sameAmount(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  try {
    return Decimal.parse(a).round(COMPARE_DP).eq(Decimal.parse(b).round(COMPARE_DP));
  } catch {
    return false;
  }
}

const FIELDS: ReadonlyArray<keyof WritebackValues> = [
  'invoiceNumber',
  'status',
  'amountDue',
  'amountPaid',
  'fullyPaidOn',
  'invoiceUrl',
];
const AMOUNTS = new Set<keyof WritebackValues>(['amountDue', 'amountPaid']);

/** Only the fields whose value changes; empty when the order already shows the invoice as it is. */
export function writebackChanges(current: WritebackValues, desired: WritebackValues): Partial<WritebackValues> {
  const changes: { -readonly [K in keyof WritebackValues]?: WritebackValues[K] } = {};
  for (const field of FIELDS) {
    const same = AMOUNTS.has(field)
      ? sameAmount(current[field], desired[field])
      : (current[field] ?? null) === (desired[field] ?? null);
    if (!same) changes[field] = desired[field];
  }
  return changes;
}
