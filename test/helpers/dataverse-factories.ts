/**
 * Factories for Dataverse records (Dv*) as the reader adapter returns them. Every factory gives a valid, realistic
 * record and takes overrides. Sales orders get their totals computed by Dataverse's own rules (see
 * `dataverseOrderTotals`) unless a test overrides them, so a default order always reconciles.
 */
import type {
  DvAccount,
  DvContact,
  DvContactPerson,
  DvOrderLine,
  DvProduct,
  DvSalesOrder,
} from '../../lambdas/core/model/dataverse';
import { Decimal } from '../../lambdas/core/money';

let sequence = 0;

/** A deterministic GUID-shaped id: the same seed always gives the same id. */
export function guid(seed: number): string {
  return `00000000-0000-4000-8000-${seed.toString(16).padStart(12, '0')}`;
}

function nextGuid(): string {
  sequence += 1;
  return guid(0x100000 + sequence);
}

const MODIFIED_ON = '2026-03-14T09:26:53Z';

export function buildContactPerson(overrides: Partial<DvContactPerson> = {}): DvContactPerson {
  return {
    contactid: nextGuid(),
    firstname: 'Ada',
    lastname: 'Lovelace',
    emailaddress1: 'ada@example.org',
    ...overrides,
  };
}

export function buildAccount(overrides: Partial<DvAccount> = {}): DvAccount {
  return {
    accountid: nextGuid(),
    name: 'Fourth Coffee',
    accountnumber: 'ACC-1001',
    emailaddress1: 'accounts@fourthcoffee.example',
    telephone1: '+44 20 7946 0000',
    websiteurl: 'https://fourthcoffee.example',
    address1: { line1: '1 Roastery Lane', city: 'London', postalCode: 'EC1A 1AA', country: 'United Kingdom' },
    statecode: 0,
    currencyCode: 'GBP',
    modifiedon: MODIFIED_ON,
    ...overrides,
  };
}

export function buildContact(overrides: Partial<DvContact> = {}): DvContact {
  return {
    contactid: nextGuid(),
    firstname: 'Grace',
    lastname: 'Hopper',
    fullname: 'Grace Hopper',
    emailaddress1: 'grace@example.org',
    telephone1: '+1 555 0100',
    statecode: 0,
    modifiedon: MODIFIED_ON,
    ...overrides,
  };
}

export function buildProduct(overrides: Partial<DvProduct> = {}): DvProduct {
  return {
    productid: nextGuid(),
    productnumber: 'ESP-200',
    name: 'Espresso machine',
    description: 'Dual boiler espresso machine',
    price: 899.5,
    statecode: 0,
    currencyCode: 'GBP',
    modifiedon: MODIFIED_ON,
    ...overrides,
  };
}

const round2 = (value: Decimal): Decimal => value.round(2);
const money = (value: number | undefined): Decimal => Decimal.from(value ?? 0);

/**
 * An order line; baseamount ((price − per-unit volume discount) × quantity, rounded to the currency's 2 dp) and
 * extendedamount (base − manual discount + tax) are derived unless given, as Dataverse does. Catalogue line by default; pass isproductoverridden for write-ins.
 */
export function buildOrderLine(overrides: Partial<DvOrderLine> = {}): DvOrderLine {
  const draft: DvOrderLine = {
    salesorderdetailid: nextGuid(),
    isproductoverridden: false,
    productid: nextGuid(),
    productnumber: 'ESP-200',
    productname: 'Espresso machine',
    quantity: 1,
    priceperunit: 899.5,
    ...overrides,
  };
  const unitPrice = money(draft.priceperunit).sub(money(draft.volumediscountamount));
  const base = draft.baseamount ?? round2(money(draft.quantity).mul(unitPrice)).toNumber();
  const net = money(base).sub(money(draft.manualdiscountamount));
  return {
    ...draft,
    baseamount: base,
    extendedamount: draft.extendedamount ?? net.add(money(draft.tax)).toNumber(),
  };
}

/** A write-in (no product) line. */
export function buildWriteInLine(overrides: Partial<DvOrderLine> = {}): DvOrderLine {
  return buildOrderLine({
    isproductoverridden: true,
    productid: undefined,
    productnumber: undefined,
    productname: undefined,
    productdescription: 'On-site barista training (half day)',
    quantity: 1,
    priceperunit: 250,
    ...overrides,
  });
}

export interface DataverseTotals {
  readonly totallineitemamount: number;
  readonly totaldiscountamount: number;
  readonly totaltax: number;
  readonly totalamount: number;
}

/**
 * Order totals as Dataverse computes them: detail amount = Σ (base − manual discount), base already net of the
 * per-unit volume discount; order discount =
 * discountamount + discountpercentage % of the detail amount (2 dp); total = detail − order discount + freight + Σ tax.
 */
export function dataverseOrderTotals(
  order: Pick<DvSalesOrder, 'lines' | 'discountamount' | 'discountpercentage' | 'freightamount'>
): DataverseTotals {
  const detail = Decimal.sum(order.lines.map((line) => money(line.baseamount).sub(money(line.manualdiscountamount))));
  const tax = Decimal.sum(order.lines.map((line) => money(line.tax)));
  const discount = money(order.discountamount).add(round2(detail.mul(money(order.discountpercentage)).div(100)));
  const total = detail.sub(discount).add(money(order.freightamount)).add(tax);
  return {
    totallineitemamount: detail.toNumber(),
    totaldiscountamount: discount.toNumber(),
    totaltax: tax.toNumber(),
    totalamount: total.toNumber(),
  };
}

/** A sales order with consistent Dataverse totals (override totalamount to simulate a disagreement). */
export function buildSalesOrder(overrides: Partial<DvSalesOrder> = {}): DvSalesOrder {
  const draft: DvSalesOrder = {
    salesorderid: nextGuid(),
    ordernumber: 'ORD-01001-X1Y2Z3',
    name: 'Spring coffee order',
    customer: { table: 'account', id: guid(1) },
    currencyCode: 'GBP',
    statecode: 1,
    createdon: '2026-03-10T08:00:00Z',
    modifiedon: MODIFIED_ON,
    submitdate: '2026-03-12T00:00:00Z',
    lines: [buildOrderLine({ lineitemnumber: 1, sequencenumber: 1 })],
    totalamount: 0,
    ...overrides,
  };
  const totals = dataverseOrderTotals(draft);
  return { ...totals, ...draft, totalamount: overrides.totalamount ?? totals.totalamount };
}
