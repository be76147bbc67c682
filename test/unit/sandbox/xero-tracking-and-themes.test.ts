/**
 * The sandbox Xero's tracking categories and branding themes, and the rules it applies to invoices
 * (developer.xero.com/documentation/api/accounting/trackingcategories, …/brandingthemes, …/invoices).
 */
import { validateXeroRequest } from '../../../contracts/xero-contract';
import { startSandboxXero, type SandboxXero } from '../../../sandbox/xero-accounting/server';
import { withoutProxy } from '../../helpers/no-proxy';
import { elements, xeroClient, type XeroCall } from './xero-test-client';

let xero: SandboxXero;
let call: ReturnType<typeof xeroClient>;
withoutProxy();

beforeEach(async () => {
  xero = await startSandboxXero();
  call = xeroClient(xero);
});
afterEach(async () => {
  await xero.close();
});

function body(call: { body: Record<string, unknown> }) {
  const { Id: _id, Status: _status, ProviderName: _provider, DateTimeUTC: _at, ...rest } = call.body;
  return rest;
}

async function customer(): Promise<string> {
  const created = await call('PUT', '/Contacts', { Contacts: [{ Name: 'Harbour Freight' }] });
  return String(elements(created, 'Contacts')[0]?.ContactID);
}

function invoice(contactId: string, line: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    Invoices: [
      {
        Type: 'ACCREC',
        Contact: { ContactID: contactId },
        Reference: 'ORD-1',
        LineAmountTypes: 'Exclusive',
        Status: 'DRAFT',
        LineItems: [{ Description: 'Consulting', Quantity: 1, UnitAmount: 100, AccountCode: '200', ...line }],
        ...extra,
      },
    ],
  };
}

const messagesOf = (reply: { body: Record<string, unknown> }) => JSON.stringify(reply.body.Elements ?? reply.body);

describe('sandbox Xero tracking categories', () => {
  it('should answer GET /TrackingCategories and /BrandingThemes in the contract shape, seeded like a demo company', async () => {
    const tracking = await call('GET', '/TrackingCategories');
    const themes = await call('GET', '/BrandingThemes');
    expect(validateXeroRequest('TrackingCategories', body(tracking))).toEqual([]);
    expect(validateXeroRequest('BrandingThemes', body(themes))).toEqual([]);
    expect(
      elements(tracking, 'TrackingCategories').map((c) => [
        c.Name,
        (c.Options as { Name: string }[]).map((o) => o.Name),
      ])
    ).toEqual([['Region', ['North', 'South', 'Pacific', 'Europe']]]);
    expect(elements(themes, 'BrandingThemes').map((t) => [t.Name, t.SortOrder])).toEqual([
      ['Standard', 0],
      ['Special Projects', 1],
    ]);
  });

  it('should hide archived categories and options unless includeArchived=true', async () => {
    const region = xero.trackingAndThemes().category('Region')!;
    region.Options[1]!.Status = 'ARCHIVED';
    xero.trackingAndThemes().addCategory('Old Projects', ['Alpha'], 'ARCHIVED');
    const names = (reply: XeroCall) =>
      elements(reply, 'TrackingCategories').map(
        (c) => `${String(c.Name)}: ${(c.Options as { Name: string }[]).map((o) => o.Name).join(',')}`
      );
    expect(names(await call('GET', '/TrackingCategories'))).toEqual(['Region: North,Pacific,Europe']);
    expect(names(await call('GET', '/TrackingCategories?includeArchived=true'))).toEqual([
      'Region: North,South,Pacific,Europe',
      'Old Projects: Alpha',
    ]);
  });

  it('should add options with PUT /TrackingCategories/{id}/Options and refuse a duplicate name', async () => {
    const id = xero.trackingAndThemes().category('Region')!.TrackingCategoryID;
    const added = await call('PUT', `/TrackingCategories/${id}/Options`, { Name: 'East' });
    expect(added.status).toBe(200);
    expect(elements(added, 'Options')).toEqual([
      { TrackingOptionID: expect.any(String), Name: 'East', Status: 'ACTIVE' },
    ]);
    const again = await call('PUT', `/TrackingCategories/${id}/Options`, { Options: [{ Name: 'north' }] });
    expect(again.status).toBe(400);
    expect(messagesOf(again)).toContain('already exists');
  });

  it('should refuse a third active tracking category', () => {
    xero.trackingAndThemes().addCategory('Department', ['Sales']);
    expect(() => xero.trackingAndThemes().addCategory('Project', ['A'])).toThrow(/at most 2 active/);
  });
});

describe('sandbox Xero invoice tracking and branding rules', () => {
  it('should save a line tracked by names with both ids and the theme id', async () => {
    const catalogue = xero.trackingAndThemes();
    const theme = catalogue.themes[1]!;
    const reply = await call(
      'PUT',
      '/Invoices',
      invoice(
        await customer(),
        { Tracking: [{ Name: 'region', Option: 'south' }] },
        { BrandingThemeID: theme.BrandingThemeID }
      )
    );
    expect(reply.status).toBe(200);
    const [saved] = elements(reply, 'Invoices');
    const region = catalogue.category('Region')!;
    expect(saved?.BrandingThemeID).toBe(theme.BrandingThemeID);
    expect((saved?.LineItems as Record<string, unknown>[])[0]?.Tracking).toEqual([
      {
        TrackingCategoryID: region.TrackingCategoryID,
        TrackingOptionID: region.Options[1]!.TrackingOptionID,
        Name: 'Region',
        Option: 'South',
      },
    ]);
  });

  it.each([
    ['an unknown category', [{ Name: 'Planet', Option: 'Mars' }], 'Tracking category Planet is not valid'],
    ['an unknown option', [{ Name: 'Region', Option: 'East' }], 'Tracking option East is not valid for Region'],
    ['an archived option', [{ Name: 'Region', Option: 'South' }], 'Tracking option South of Region is archived'],
    [
      'more than two categories',
      [
        { Name: 'Region', Option: 'North' },
        { Name: 'Department', Option: 'Sales' },
        { Name: 'Region', Option: 'North' },
      ],
      'at most 2 tracking categories',
    ],
  ])('should refuse %s on a line', async (_what, tracking, message) => {
    xero.trackingAndThemes().addCategory('Department', ['Sales']);
    xero.trackingAndThemes().category('Region')!.Options[1]!.Status = 'ARCHIVED';
    const reply = await call('PUT', '/Invoices', invoice(await customer(), { Tracking: tracking }));
    expect(reply.status).toBe(400);
    expect(messagesOf(reply)).toContain(message);
    expect(xero.state.snapshot().invoices).toHaveLength(0);
  });

  it('should refuse a BrandingThemeID the organisation does not have', async () => {
    const reply = await call(
      'PUT',
      '/Invoices',
      invoice(await customer(), {}, { BrandingThemeID: '00000000-0000-4000-8000-00000000beef' })
    );
    expect(reply.status).toBe(400);
    expect(messagesOf(reply)).toContain('Branding theme 00000000-0000-4000-8000-00000000beef does not exist');
  });
});
