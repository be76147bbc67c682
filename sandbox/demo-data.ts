/**
 * Invented demo records for the sandbox Dataverse (`npm start` in sandbox mode, `npm run demo`, e2e tests). They
 * cover the cases the connector must handle: a non-ASCII account name, contacts with and without a parent account,
 * a product number longer than Xero's 30-character item code, a retired product, an order with a write-in line,
 * line and order discounts and freight, an order for a contact customer, and an order in another currency (EUR).
 * The records belong to two business units, Pacific and Europe (Café Ñandú and its order), which sandbox mode
 * routes to two Xero organisations (demoRouting). Ids are fixed so demo runs and tests are reproducible.
 */
import type { BrandingThemeSettings } from '../lambdas/core/mapping/branding';
import type { TrackingSettings } from '../lambdas/core/mapping/tracking';
import type { RoutingSettings } from '../lambdas/core/routing/routing-settings';
import type { DataverseState } from './dataverse/state';

export interface DemoDataIds {
  readonly systemUserId: string;
  readonly businessUnits: { readonly pacific: string; readonly europe: string };
  readonly currencies: { readonly usd: string; readonly eur: string };
  readonly accounts: { readonly harbourview: string; readonly cafeNandu: string; readonly northwind: string };
  readonly contacts: { readonly ariaTeWhare: string; readonly bjornLindqvist: string; readonly mayaOkafor: string };
  readonly products: {
    readonly espressoBeans: string;
    readonly grinder: string;
    readonly longNumberPlanter: string;
    readonly retiredKettle: string;
  };
  readonly orders: { readonly harbourview: string; readonly mayaOkafor: string; readonly cafeNanduEur: string };
}

export const DEMO_IDS: DemoDataIds = {
  systemUserId: '5e0c7a11-3b2d-4c8e-9f14-6a2b8d0e4c71',
  businessUnits: { pacific: 'b0a5e1d2-7c3f-4e8a-9b61-2d4f6a8c0e01', europe: 'b0a5e1d2-7c3f-4e8a-9b61-2d4f6a8c0e02' },
  currencies: { usd: 'c1a7e3f0-1111-4a2b-8c3d-000000000840', eur: 'c1a7e3f0-2222-4a2b-8c3d-000000000978' },
  accounts: {
    harbourview: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301',
    cafeNandu: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b302',
    northwind: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b303',
  },
  contacts: {
    ariaTeWhare: '6f2d1c84-93a5-4b0e-b7c6-2e8f0a1d5c01',
    bjornLindqvist: '6f2d1c84-93a5-4b0e-b7c6-2e8f0a1d5c02',
    mayaOkafor: '6f2d1c84-93a5-4b0e-b7c6-2e8f0a1d5c03',
  },
  products: {
    espressoBeans: '9b7e4a20-5d3c-4e1f-a6b8-7c0d2e9f1a01',
    grinder: '9b7e4a20-5d3c-4e1f-a6b8-7c0d2e9f1a02',
    longNumberPlanter: '9b7e4a20-5d3c-4e1f-a6b8-7c0d2e9f1a03',
    retiredKettle: '9b7e4a20-5d3c-4e1f-a6b8-7c0d2e9f1a04',
  },
  orders: {
    harbourview: 'd4c8b1e6-2a7f-4d39-95e0-3b6a1c8f7e01',
    mayaOkafor: 'd4c8b1e6-2a7f-4d39-95e0-3b6a1c8f7e02',
    cafeNanduEur: 'd4c8b1e6-2a7f-4d39-95e0-3b6a1c8f7e03',
  },
};

/** The business units' names, as routing settings name them. */
export const DEMO_BUSINESS_UNIT_NAMES = { pacific: 'Pacific', europe: 'Europe' } as const;

/** Sandbox mode's routing: Pacific records to the first organisation (the default), Europe's to the second. */
export function demoRouting(pacificTenantId: string, europeTenantId: string): RoutingSettings {
  return {
    by: 'businessUnit',
    routes: { [DEMO_BUSINESS_UNIT_NAMES.pacific]: pacificTenantId, [DEMO_BUSINESS_UNIT_NAMES.europe]: europeTenantId },
    defaultTenantId: pacificTenantId,
  };
}

/**
 * Sandbox mode's tracking and branding: each invoice line carries the Region of its order's business unit (options
 * the sandbox Xero seeds in every organisation), and each organisation sends its invoices with its own theme.
 */
export function demoTrackingAndBranding(
  pacificTenantId: string,
  europeTenantId: string
): { tracking: TrackingSettings; brandingThemes: BrandingThemeSettings } {
  const { pacific, europe } = DEMO_BUSINESS_UNIT_NAMES;
  return {
    tracking: {
      categories: [
        { category: 'Region', source: { kind: 'businessUnit' }, values: { [pacific]: pacific, [europe]: europe } },
      ],
    },
    brandingThemes: {
      [pacificTenantId]: { theme: 'Standard' },
      [europeTenantId]: { theme: 'Special Projects' },
    },
  };
}

export function seedDemoData(state: DataverseState): DemoDataIds {
  const ids = DEMO_IDS;
  const usd = { table: 'transactioncurrency', id: ids.currencies.usd };
  const eur = { table: 'transactioncurrency', id: ids.currencies.eur };
  const pacific = { table: 'businessunit', id: ids.businessUnits.pacific };
  const europe = { table: 'businessunit', id: ids.businessUnits.europe };

  state.upsert('businessunit', { businessunitid: ids.businessUnits.pacific, name: DEMO_BUSINESS_UNIT_NAMES.pacific });
  state.upsert('businessunit', { businessunitid: ids.businessUnits.europe, name: DEMO_BUSINESS_UNIT_NAMES.europe });

  state.upsert('systemuser', {
    systemuserid: ids.systemUserId,
    fullname: 'Demo Integration User',
    firstname: 'Demo',
    lastname: 'Integration User',
  });
  state.upsert('transactioncurrency', {
    transactioncurrencyid: ids.currencies.usd,
    isocurrencycode: 'USD',
    currencyname: 'US Dollar',
    currencysymbol: '$',
    exchangerate: 1,
  });
  state.upsert('transactioncurrency', {
    transactioncurrencyid: ids.currencies.eur,
    isocurrencycode: 'EUR',
    currencyname: 'Euro',
    currencysymbol: '€',
    exchangerate: 0.92,
  });

  state.upsert('account', {
    accountid: ids.accounts.harbourview,
    name: 'Harbourview Provisions Ltd',
    accountnumber: 'HVP-2041',
    emailaddress1: 'accounts@harbourview-provisions.example',
    telephone1: '+64 9 555 0142',
    websiteurl: 'https://harbourview-provisions.example',
    address1_line1: '18 Wharf Street',
    address1_city: 'Auckland',
    address1_postalcode: '1010',
    address1_country: 'New Zealand',
    transactioncurrencyid: usd,
    owningbusinessunit: pacific,
  });
  state.upsert('account', {
    accountid: ids.accounts.cafeNandu,
    name: 'Café Ñandú Größhandel GmbH',
    accountnumber: 'CNG-0077',
    emailaddress1: 'buchhaltung@cafe-nandu.example',
    address1_line1: 'Kaffeestraße 9',
    address1_city: 'München',
    address1_postalcode: '80331',
    address1_country: 'Deutschland',
    transactioncurrencyid: eur,
    owningbusinessunit: europe,
  });
  state.upsert('account', {
    accountid: ids.accounts.northwind,
    name: 'Northwind Roasters Co-op',
    telephone1: '+1 206 555 0199',
    address1_city: 'Seattle',
    address1_country: 'United States',
    transactioncurrencyid: usd,
    owningbusinessunit: pacific,
  });

  state.upsert('contact', {
    contactid: ids.contacts.ariaTeWhare,
    firstname: 'Aria',
    lastname: 'Te Whare',
    emailaddress1: 'aria.tewhare@harbourview-provisions.example',
    parentcustomerid: { table: 'account', id: ids.accounts.harbourview },
    owningbusinessunit: pacific,
  });
  state.upsert('contact', {
    contactid: ids.contacts.bjornLindqvist,
    firstname: 'Björn',
    lastname: 'Lindqvist',
    emailaddress1: 'bjorn@cafe-nandu.example',
    parentcustomerid: { table: 'account', id: ids.accounts.cafeNandu },
    owningbusinessunit: europe,
  });
  state.upsert('contact', {
    contactid: ids.contacts.mayaOkafor,
    firstname: 'Maya',
    lastname: 'Okafor',
    emailaddress1: 'maya.okafor@mail.example',
    telephone1: '+44 20 7946 0321',
    transactioncurrencyid: usd,
    owningbusinessunit: pacific,
  });
  state.upsert('account', {
    accountid: ids.accounts.harbourview,
    primarycontactid: { table: 'contact', id: ids.contacts.ariaTeWhare },
  });

  state.upsert('product', {
    productid: ids.products.espressoBeans,
    productnumber: 'BEAN-ESP-1KG',
    name: 'Espresso blend beans 1 kg',
    description: 'Medium-dark roast, whole bean',
    price: 24.5,
    producttypecode: 1,
    statuscode: 1,
    transactioncurrencyid: usd,
  });
  state.upsert('product', {
    productid: ids.products.grinder,
    productnumber: 'GRD-CONICAL-64',
    name: 'Conical burr grinder 64 mm',
    price: 689.99,
    producttypecode: 1,
    statuscode: 1,
    transactioncurrencyid: usd,
  });
  state.upsert('product', {
    productid: ids.products.longNumberPlanter,
    productnumber: 'PLANTER-TERRACOTTA-GLAZED-SEAGREEN-LARGE-2026',
    name: 'Glazed terracotta planter, large',
    price: 58.25,
    producttypecode: 1,
    statuscode: 1,
    transactioncurrencyid: usd,
  });
  state.upsert('product', {
    productid: ids.products.retiredKettle,
    productnumber: 'KTL-GOOSENECK-V1',
    name: 'Gooseneck kettle (first edition)',
    price: 79,
    producttypecode: 1,
    statecode: 1,
    statuscode: 2,
    transactioncurrencyid: usd,
  });

  state.upsert('salesorder', {
    salesorderid: ids.orders.harbourview,
    name: 'Harbourview café refit',
    ordernumber: 'ORD-01001-HVP',
    customerid: { table: 'account', id: ids.accounts.harbourview },
    transactioncurrencyid: usd,
    discountamount: 25,
    freightamount: 42.5,
    submitdate: '2026-02-03T00:00:00Z',
    owningbusinessunit: pacific,
  });
  const line = (orderId: string, values: Record<string, unknown>): void => {
    state.upsert('salesorderdetail', { salesorderid: { table: 'salesorder', id: orderId }, ...values });
  };
  line(ids.orders.harbourview, {
    productid: { table: 'product', id: ids.products.espressoBeans },
    quantity: 12,
    manualdiscountamount: 14.7,
    tax: 41.9,
  });
  line(ids.orders.harbourview, {
    productid: { table: 'product', id: ids.products.grinder },
    quantity: 1,
    tax: 103.5,
  });
  line(ids.orders.harbourview, {
    isproductoverridden: true,
    productdescription: 'On-site installation and barista training (half day)',
    priceperunit: 320,
    ispriceoverridden: true,
    quantity: 1,
    tax: 48,
  });

  state.upsert('salesorder', {
    salesorderid: ids.orders.mayaOkafor,
    name: 'Home espresso starter kit',
    ordernumber: 'ORD-01002-MOK',
    customerid: { table: 'contact', id: ids.contacts.mayaOkafor },
    transactioncurrencyid: usd,
    discountpercentage: 5,
    owningbusinessunit: pacific,
  });
  line(ids.orders.mayaOkafor, {
    productid: { table: 'product', id: ids.products.espressoBeans },
    quantity: 3,
    tax: 11.03,
  });
  line(ids.orders.mayaOkafor, {
    productid: { table: 'product', id: ids.products.longNumberPlanter },
    quantity: 2,
    tax: 17.48,
  });

  state.upsert('salesorder', {
    salesorderid: ids.orders.cafeNanduEur,
    name: 'Bestellung Kaffeemühlen',
    ordernumber: 'ORD-01003-CNG',
    customerid: { table: 'account', id: ids.accounts.cafeNandu },
    transactioncurrencyid: eur,
    freightamount: 18,
    owningbusinessunit: europe,
  });
  line(ids.orders.cafeNanduEur, {
    productid: { table: 'product', id: ids.products.grinder },
    priceperunit: 635.5,
    ispriceoverridden: true,
    quantity: 2,
    manualdiscountamount: 50,
    tax: 231.49,
  });

  return ids;
}
