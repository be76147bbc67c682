/**
 * Tracking categories and branding themes end to end: the real Dataverse reader and Xero gateway, the core
 * pipeline, and both sandboxes, which model Xero's rules (developer.xero.com/documentation/api/accounting/
 * trackingcategories, …/brandingthemes, …/invoices LineItems Tracking and BrandingThemeID).
 */
import { randomUUID } from 'node:crypto';
import {
  demoOrder as order,
  demoPlatformHarnesses,
  type PlatformHarnessOptions,
} from '../../../helpers/platform-harness';
import { withoutProxy } from '../../../helpers/no-proxy';

withoutProxy();

const harness = demoPlatformHarnesses();

const SETTINGS: PlatformHarnessOptions['settings'] = {
  tracking: {
    categories: [
      {
        category: 'Region',
        source: { kind: 'column', column: 'd365x_region' },
        values: { 'North Island': 'North', 'South Island': 'South' },
      },
    ],
  },
  brandingThemes: { default: { theme: 'Standard', byCurrency: { USD: 'Special Projects' } } },
};

describe('tracking and branding reach Xero', () => {
  it('should send the mapped Region option on the line and the currency theme by id', async () => {
    const h = await harness({ settings: SETTINGS });
    const id = order(h, { d365x_region: 'South Island' });

    const results = await h.sync('salesorder', id);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    const [invoice] = h.xero.state.snapshot().invoices;
    const catalogue = h.xero.trackingAndThemes();
    const region = catalogue.category('Region');
    const south = region?.Options.find((o) => o.Name === 'South');
    expect(invoice?.LineItems).toEqual([
      expect.objectContaining({
        Tracking: [
          {
            Name: 'Region',
            Option: 'South',
            TrackingCategoryID: region?.TrackingCategoryID,
            TrackingOptionID: south?.TrackingOptionID,
          },
        ],
      }),
    ]);
    const special = catalogue.themes.find((t) => t.Name === 'Special Projects');
    expect(invoice?.BrandingThemeID).toBe(special?.BrandingThemeID);
  });

  it("should fail the order with Xero's reason when its option is archived in Xero", async () => {
    const h = await harness({ settings: SETTINGS });
    const south = h.xero
      .trackingAndThemes()
      .category('Region')
      ?.Options.find((o) => o.Name === 'South');
    if (south) south.Status = 'ARCHIVED';
    const id = order(h, { d365x_region: 'South Island' });

    const results = await h.sync('salesorder', id);

    expect(h.xero.state.snapshot().invoices).toHaveLength(0);
    expect(results.find((r) => r.status === 'dead')).toEqual({
      status: 'dead',
      error: expect.stringContaining('Tracking option South of Region is archived'),
    });
  });

  it('should fail the order naming the setting when the theme does not exist in the organisation', async () => {
    const h = await harness({ settings: { brandingThemes: { default: { theme: 'Gala' } } } });
    const id = order(h);

    const results = await h.sync('salesorder', id);

    expect(h.xero.state.snapshot().invoices).toHaveLength(0);
    expect(results.find((r) => r.status === 'dead')).toEqual({
      status: 'dead',
      error: expect.stringMatching(
        /mapping\.brandingThemes\.default\.theme: branding theme "Gala".*Standard, Special Projects/
      ),
    });
  });
  it('should keep the themes per tenant for a while, and read afresh once for a name it does not know', async () => {
    const h = await harness({ settings: { brandingThemes: { default: { theme: 'Gala' } } } });
    const themeReads = () => h.xero.knobs.requests().filter((r) => r.route === 'GET /BrandingThemes').length;

    expect((await h.sync('salesorder', order(h))).some((r) => r.status === 'dead')).toBe(true);
    expect(themeReads()).toBe(2);

    const gala = {
      ...h.xero.trackingAndThemes().themes[0]!,
      BrandingThemeID: randomUUID(),
      Name: 'Gala',
      SortOrder: 2,
    };
    h.xero.trackingAndThemes().themes.push(gala);
    expect((await h.sync('salesorder', order(h))).every((r) => r.status === 'done')).toBe(true);
    expect((await h.sync('salesorder', order(h))).every((r) => r.status === 'done')).toBe(true);

    expect(themeReads()).toBe(3);
    const themes = h.xero.state.snapshot().invoices.map((i) => i.BrandingThemeID);
    expect(themes).toEqual([gala.BrandingThemeID, gala.BrandingThemeID]);
  });
});
