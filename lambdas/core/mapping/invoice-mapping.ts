/**
 * Dataverse sales orders → Xero sales invoices (ACCREC).
 *
 * How the amounts line up (all arithmetic in Decimal, amounts rounded half away from zero to 2 dp like Xero):
 * - Dataverse: volumediscountamount is a discount *per unit*, and baseamount = (price − volume discount) × qty
 *   already includes it; line net = baseamount − manual discount; extendedamount = net + tax;
 *   totallineitemamount = Σ net (learn.microsoft.com/power-apps/developer/data-platform/reference/entities/
 *   salesorderdetail: VolumeDiscountAmount, BaseAmount, ExtendedAmount); order discount = discountamount + discountpercentage % of totallineitemamount;
 *   totalamount = totallineitemamount − order discount + freightamount + totaltax, where totaltax = Σ line tax.
 * - Xero (Exclusive): LineAmount = round2(Quantity × UnitAmount − DiscountAmount); total = Σ LineAmount + Σ TaxAmount.
 * So each order line becomes a line at UnitAmount = price − volume discount, DiscountAmount = the manual discount and
 * TaxAmount = the line's tax;
 * the order discount and the freight become lines of their own with TaxAmount 0 (Dataverse taxes neither). The
 * resulting total is compared with totalamount: a difference within settings.roundingTolerance becomes a "Rounding"
 * line, a larger one is a MappingError, so an invoice never silently disagrees with its order.
 *
 * Dataverse's line tax is typed by hand and usually 0. When no line of the order carries tax, Exclusive lines are
 * sent without TaxAmount so Xero computes the tax of each line's TaxType (a TaxAmount of 0 on a taxable type would
 * book GST-coded lines with no GST; developer.xero.com/documentation/api/accounting/invoices, LineItems TaxAmount),
 * and the amounts before tax are what must match Dataverse's totalamount (which then holds no tax).
 *
 * With Inclusive amounts, tax lives inside the line amount, so it cannot move the total: TaxAmount is sent only
 * where Dataverse has a line tax, and Xero derives the rest from the tax type.
 *
 * Quantities with more than 4 decimals (Dataverse allows 5, Xero 4), and discounts Xero would refuse (larger than
 * the line, or on a negative line), are sent as quantity 1 at Dataverse's own amount, with the real quantity, price
 * (and discount) written into the description, so the amount stays exact.
 * The invoice must be written with `unitdp=4` so Xero keeps 4-dp unit prices.
 */
import { MappingError } from '../errors';
import type { DvOrderLine, DvSalesOrder } from '../model/dataverse';
import type { LineAmountTypes, XeroInvoice, XeroLineItem } from '../model/xero';
import type { MappingSettings } from '../settings';
import { Decimal } from '../money';
import { currencyCode, guardMapping } from './guard';
import { calendarDay } from './time-zones';
import { itemCodeFor } from './item-mapping';
import { XERO_LIMITS, clean, cleanText, truncate, withoutUndefined } from './text';

export interface InvoiceMappingContext {
  /** ContactNumber of the customer's Xero contact; the sync layer adds the ContactID once it knows it. */
  readonly customerContactNumber: string;
  /** YYYY-MM-DD used when the order carries neither submitdate nor createdon. */
  readonly today?: string;
  /**
   * IANA zone whose calendar day the invoice is dated in (settings.timeZone, else the Xero organisation's).
   * Without one the UTC day is used, and the post stage re-dates the invoice in the organisation's zone.
   */
  readonly timeZone?: string;
}

export interface InvoiceTotals {
  readonly subTotal: string;
  readonly totalTax: string;
  readonly total: string;
}

const QUANTITY_DP = 4;
const UNIT_AMOUNT_DP = 4;
const AMOUNT_DP = 2;

export const ORDER_DISCOUNT_DESCRIPTION = 'Order discount';
export const FREIGHT_DESCRIPTION = 'Freight';
export const ROUNDING_DESCRIPTION = 'Rounding';
const WRITE_IN_FALLBACK_DESCRIPTION = 'Write-in product';

/** Canceled (statecode 2). What to do with its invoice is the sync layer's decision. */
export function orderIsCancelled(order: Pick<DvSalesOrder, 'statecode'>): boolean {
  return order.statecode === 2;
}

/** Line amount as Xero computes it: Quantity × UnitAmount less the discount, rounded to 2 dp. */
function lineAmountOf(line: XeroLineItem): Decimal {
  if (line.UnitAmount === undefined) return Decimal.from(line.LineAmount ?? 0).round(AMOUNT_DP);
  const gross = Decimal.from(line.Quantity ?? 1).mul(line.UnitAmount);
  if (line.DiscountAmount !== undefined) return gross.sub(line.DiscountAmount).round(AMOUNT_DP);
  if (line.DiscountRate !== undefined) {
    return gross.mul(Decimal.from(100).sub(line.DiscountRate)).div(100, AMOUNT_DP);
  }
  return gross.round(AMOUNT_DP);
}

function computeTotals(lineAmountTypes: LineAmountTypes, lines: readonly XeroLineItem[]) {
  const lineTotal = Decimal.sum(lines.map(lineAmountOf));
  const totalTax =
    lineAmountTypes === 'NoTax'
      ? Decimal.ZERO
      : Decimal.sum(lines.map((line) => Decimal.from(line.TaxAmount ?? 0).round(AMOUNT_DP)));
  // Inclusive line amounts already contain their tax.
  return lineAmountTypes === 'Inclusive'
    ? { subTotal: lineTotal.sub(totalTax), totalTax, total: lineTotal }
    : { subTotal: lineTotal, totalTax, total: lineTotal.add(totalTax) };
}

/**
 * SubTotal, TotalTax and Total of an invoice the way Xero computes them from its lines (TaxAmount as given; a line
 * without one counts as untaxed), as 2-dp strings.
 */
export function invoiceTotals(invoice: Pick<XeroInvoice, 'LineAmountTypes' | 'LineItems'>): InvoiceTotals {
  const totals = computeTotals(invoice.LineAmountTypes, invoice.LineItems);
  return {
    subTotal: totals.subTotal.toFixed(AMOUNT_DP),
    totalTax: totals.totalTax.toFixed(AMOUNT_DP),
    total: totals.total.toFixed(AMOUNT_DP),
  };
}

/** Reads Dataverse Money/Decimal values, naming the order and field when one is not a number. */
class OrderReader {
  constructor(readonly orderNumber: string) {}

  fail(message: string): never {
    throw new MappingError(`Sales order ${this.orderNumber}: ${message}`);
  }

  optional(value: unknown, field: string): Decimal | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${field} is not a number`);
    return Decimal.fromNumber(value);
  }

  required(value: unknown, field: string): Decimal {
    return this.optional(value, field) ?? this.fail(`${field} is missing`);
  }
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The Dataverse value an invoice is dated from: submitdate, else createdon. */
export function invoiceDateSource(order: Pick<DvSalesOrder, 'submitdate' | 'createdon'>): string | undefined {
  return order.submitdate ?? order.createdon;
}

/** Date and DueDate of an invoice dated from `source` (a date or a UTC instant) in `timeZone`. */
export function invoiceDates(
  source: string,
  timeZone: string | undefined,
  dueDays: number
): { Date: string; DueDate: string } | undefined {
  const date = calendarDay(source, timeZone);
  return date === undefined ? undefined : { Date: date, DueDate: addDays(date, dueDays) };
}

function lineOrderKey(line: DvOrderLine): [number, number, string] {
  const sequence = typeof line.sequencenumber === 'number' ? line.sequencenumber : Number.POSITIVE_INFINITY;
  const number = typeof line.lineitemnumber === 'number' ? line.lineitemnumber : Number.POSITIVE_INFINITY;
  return [sequence, number, typeof line.salesorderdetailid === 'string' ? line.salesorderdetailid : ''];
}

/** By sequencenumber, then lineitemnumber, then id; lines without numbers keep their relative order at the end. */
function sortLines(lines: readonly DvOrderLine[]): DvOrderLine[] {
  return lines
    .map((line, index) => ({ line, index, key: lineOrderKey(line) }))
    .sort((a, b) => {
      for (let i = 0; i < 2; i += 1) {
        const left = a.key[i] as number;
        const right = b.key[i] as number;
        if (left !== right) return left < right ? -1 : 1;
      }
      if (a.key[2] !== b.key[2]) return a.key[2] < b.key[2] ? -1 : 1;
      return a.index - b.index;
    })
    .map(({ line }) => line);
}

interface MappedLine {
  readonly item: XeroLineItem;
  /** What Dataverse counts towards totallineitemamount for this line. */
  readonly net: Decimal;
}

function lineDescription(line: DvOrderLine, productnumber: string | undefined): string {
  if (line.isproductoverridden === true) {
    return (
      clean(line.productdescription) ??
      clean(line.description) ??
      clean(line.productname) ??
      WRITE_IN_FALLBACK_DESCRIPTION
    );
  }
  const parts = [clean(line.productname), clean(line.description)].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join('\n') : (productnumber ?? WRITE_IN_FALLBACK_DESCRIPTION);
}

function mapLine(
  line: DvOrderLine,
  position: number,
  settings: MappingSettings,
  reader: OrderReader,
  xeroComputesTax: boolean
): MappedLine {
  const label = `line ${position}`;
  const quantity = reader.required(line.quantity, `${label} quantity`);
  const price = reader.required(line.priceperunit, `${label} priceperunit`);
  // Volume discount is per unit and already inside baseamount: it lowers the unit price, never the line total again.
  const volume = reader.optional(line.volumediscountamount, `${label} volumediscountamount`) ?? Decimal.ZERO;
  const unitPrice = price.sub(volume);
  const base = (reader.optional(line.baseamount, `${label} baseamount`) ?? quantity.mul(unitPrice)).round(AMOUNT_DP);
  const discount = (reader.optional(line.manualdiscountamount, `${label} manualdiscountamount`) ?? Decimal.ZERO).round(
    AMOUNT_DP
  );
  const tax = reader.optional(line.tax, `${label} tax`)?.round(AMOUNT_DP);

  let itemCode: string | undefined;
  let productnumber: string | undefined;
  if (line.isproductoverridden !== true) {
    productnumber = clean(line.productnumber);
    if (productnumber === undefined) reader.fail(`${label} refers to a product without a product number`);
    itemCode = itemCodeFor(productnumber);
  }
  const description = lineDescription(line, productnumber);
  const net = base.sub(discount);
  // Xero refuses a DiscountAmount larger than the line (or on a negative line).
  const discountFits = (gross: Decimal) => discount.isZero() || (!discount.isNegative() && discount.cmp(gross) <= 0);
  const exact =
    quantity.decimalPlaces() <= QUANTITY_DP &&
    unitPrice.decimalPlaces() <= UNIT_AMOUNT_DP &&
    discountFits(quantity.mul(unitPrice));
  let sent: { description: string; quantity: Decimal; unitAmount: Decimal; discount: Decimal };
  if (exact) {
    sent = { description, quantity, unitAmount: unitPrice, discount };
  } else {
    // Xero would round the quantity or price, or refuse the discount: send one unit at Dataverse's own amount and
    // keep the real figures readable in the description.
    const keepDiscount = discountFits(base);
    const perUnit = volume.isZero() ? '' : ` less ${volume.toString()} per unit`;
    const figures = `${quantity.toString()} × ${price.toString()}${perUnit}${keepDiscount ? '' : ` less ${discount.toFixed(AMOUNT_DP)}`}`;
    sent = {
      description: `${truncate(description, XERO_LIMITS.lineDescription - figures.length - 3)} (${figures})`,
      quantity: Decimal.ONE,
      unitAmount: keepDiscount ? base : net,
      discount: keepDiscount ? discount : Decimal.ZERO,
    };
  }
  return {
    net,
    item: withoutUndefined<XeroLineItem>({
      Description: cleanText(sent.description, XERO_LIMITS.lineDescription) ?? WRITE_IN_FALLBACK_DESCRIPTION,
      ItemCode: itemCode,
      Quantity: sent.quantity.toNumber(QUANTITY_DP),
      UnitAmount: sent.unitAmount.toNumber(UNIT_AMOUNT_DP),
      DiscountAmount: sent.discount.isZero() ? undefined : sent.discount.toNumber(AMOUNT_DP),
      AccountCode: settings.salesAccountCode,
      ...taxFields(settings.lineAmountTypes, settings.salesTaxType, xeroComputesTax ? undefined : tax, xeroComputesTax),
    }),
  };
}

/**
 * TaxType and TaxAmount for a line. Exclusive: when the order carries tax, TaxAmount is always sent (0 where a line
 * has none) so Xero adds exactly Dataverse's tax; when it carries none (`xeroComputes`), Xero computes it from the
 * tax type. Inclusive: the tax sits inside the amount and cannot change the total, so a missing Dataverse tax is left
 * for Xero to work out from the tax type. NoTax: neither is sent.
 */
function taxFields(
  types: LineAmountTypes,
  taxType: string | undefined,
  tax: Decimal | undefined,
  xeroComputes = false
): Pick<XeroLineItem, 'TaxType' | 'TaxAmount'> {
  if (types === 'NoTax') return {};
  const amount = tax ?? (types === 'Exclusive' && !xeroComputes ? Decimal.ZERO : undefined);
  return withoutUndefined({ TaxType: clean(taxType), TaxAmount: amount?.toNumber(AMOUNT_DP) });
}

/** A one-off line (order discount, freight, rounding): Dataverse charges no tax on it. */
function chargeLine(
  description: string,
  amount: Decimal,
  accountCode: string,
  taxType: string | undefined,
  lineAmountTypes: LineAmountTypes,
  xeroComputesTax = false
): XeroLineItem {
  return withoutUndefined<XeroLineItem>({
    Description: description,
    Quantity: 1,
    UnitAmount: amount.toNumber(AMOUNT_DP),
    AccountCode: accountCode,
    ...taxFields(lineAmountTypes, taxType, undefined, xeroComputesTax),
  });
}

/** True when any line (or the order's total tax) carries a non-zero tax. */
function orderCarriesTax(order: DvSalesOrder, reader: OrderReader): boolean {
  const lineTaxes = order.lines.map((line, index) => reader.optional(line.tax, `line ${index + 1} tax`));
  const total = reader.optional(order.totaltax, 'totaltax');
  return [...lineTaxes, total].some((tax) => tax !== undefined && !tax.isZero());
}

function tolerance(settings: MappingSettings): Decimal {
  try {
    return Decimal.parse(settings.roundingTolerance).abs();
  } catch {
    throw new MappingError(`roundingTolerance "${String(settings.roundingTolerance)}" is not a decimal number`);
  }
}

function mapOrder(order: DvSalesOrder, settings: MappingSettings, ctx: InvoiceMappingContext): XeroInvoice {
  const orderNumber = clean(order?.ordernumber);
  if (orderNumber === undefined) throw new MappingError('Sales order has no order number; it is the invoice Reference');
  const reader: OrderReader = new OrderReader(orderNumber);
  if (orderNumber.length > XERO_LIMITS.reference) reader.fail(`order number is longer than ${XERO_LIMITS.reference}`);
  const contactNumber = clean(ctx?.customerContactNumber);
  if (contactNumber === undefined) reader.fail('no customer contact number');
  const currency = currencyCode(order.currencyCode) ?? reader.fail('no ISO 4217 currency code');

  if (!Number.isInteger(settings.dueDays) || settings.dueDays < 0) reader.fail('dueDays must be a whole number ≥ 0');
  const dateSource: unknown = invoiceDateSource(order) ?? ctx?.today;
  const dates =
    (typeof dateSource === 'string' ? invoiceDates(dateSource, ctx?.timeZone, settings.dueDays) : undefined) ??
    reader.fail(`invalid invoice date ${JSON.stringify(String(dateSource))}`);

  if (!Array.isArray(order.lines)) reader.fail('has no lines');
  order.lines.forEach((line, index) => {
    if (line === null || typeof line !== 'object') reader.fail(`line ${index + 1} is not a record`);
  });
  const types = settings.lineAmountTypes;
  const xeroComputesTax = types === 'Exclusive' && !orderCarriesTax(order, reader);
  const mapped = sortLines(order.lines).map((line, index) =>
    mapLine(line, index + 1, settings, reader, xeroComputesTax)
  );
  const lineItems: XeroLineItem[] = mapped.map(({ item }) => item);

  const lineTotal =
    reader.optional(order.totallineitemamount, 'totallineitemamount') ?? Decimal.sum(mapped.map(({ net }) => net));
  const percentage = reader.optional(order.discountpercentage, 'discountpercentage') ?? Decimal.ZERO;
  const orderDiscount = (reader.optional(order.discountamount, 'discountamount') ?? Decimal.ZERO)
    .add(lineTotal.mul(percentage).div(100, AMOUNT_DP))
    .round(AMOUNT_DP);
  if (!orderDiscount.isZero()) {
    const description = percentage.isZero()
      ? ORDER_DISCOUNT_DESCRIPTION
      : `${ORDER_DISCOUNT_DESCRIPTION} (${percentage.toString()}%)`;
    lineItems.push(
      chargeLine(
        description,
        orderDiscount.neg(),
        settings.discountAccountCode,
        settings.salesTaxType,
        types,
        xeroComputesTax
      )
    );
  }
  const freight = (reader.optional(order.freightamount, 'freightamount') ?? Decimal.ZERO).round(AMOUNT_DP);
  if (!freight.isZero()) {
    lineItems.push(
      chargeLine(
        FREIGHT_DESCRIPTION,
        freight,
        settings.freightAccountCode,
        settings.freightTaxType,
        types,
        xeroComputesTax
      )
    );
  }

  const expected = reader.required(order.totalamount, 'totalamount').round(AMOUNT_DP);
  // When Xero computes the tax, Dataverse's total holds none: compare the amounts before tax.
  const totals = computeTotals(types, lineItems);
  const computed = xeroComputesTax ? totals.subTotal : totals.total;
  const difference = expected.sub(computed);
  if (!difference.isZero()) {
    if (difference.abs().cmp(tolerance(settings)) > 0) {
      reader.fail(
        `Xero ${xeroComputesTax ? 'amount before tax' : 'total'} ${computed.toFixed(AMOUNT_DP)} differs from ` +
          `Dataverse totalamount ${expected.toFixed(AMOUNT_DP)} ` +
          `by ${difference.toFixed(AMOUNT_DP)}, more than the rounding tolerance ${tolerance(settings).toString()}`
      );
    }
    lineItems.push(chargeLine(ROUNDING_DESCRIPTION, difference, settings.roundingAccountCode, undefined, types));
  }
  if (lineItems.length === 0) reader.fail('has no lines, freight or discount to invoice');

  return withoutUndefined<XeroInvoice>({
    Type: 'ACCREC',
    Contact: { ContactNumber: contactNumber },
    InvoiceNumber: settings.invoiceNumbering === 'ordernumber' ? orderNumber : undefined,
    Reference: orderNumber,
    ...dates,
    CurrencyCode: currency,
    LineAmountTypes: types,
    Status: settings.invoiceStatus,
    LineItems: lineItems,
  });
}

export const mapSalesOrderToInvoice: (
  order: DvSalesOrder,
  settings: MappingSettings,
  ctx: InvoiceMappingContext
) => XeroInvoice = guardMapping('sales order', mapOrder, (order) => order?.ordernumber);
