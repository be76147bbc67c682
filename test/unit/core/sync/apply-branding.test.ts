/** The post stage chooses and resolves branding themes per organisation (core/sync/apply-branding.ts). */
import type { XeroWrite } from '../../../../lambdas/core/model/xero-write';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { RecordingOutcomes } from '../../../helpers/in-memory-ports';
import { inMemoryPostWrites } from '../../../helpers/in-memory-pipeline';
import { InMemoryXero } from '../../../helpers/in-memory-xero';
import { upsertInvoice } from '../../../helpers/xero-write-builders';

const TENANT = '4f7c9a2e-1b3d-4c5e-8f60-7a8b9c0d1e2f';
const THEMES = [
  { BrandingThemeID: '11111111-1111-4111-8111-111111111111', Name: 'Standard' },
  { BrandingThemeID: '22222222-2222-4222-8222-222222222222', Name: 'Trade' },
  { BrandingThemeID: '33333333-3333-4333-8333-333333333333', Name: 'Dollars' },
];

function setup(settings: Partial<MappingSettings>) {
  const xero = new InMemoryXero();
  let reads = 0;
  const withThemes = Object.assign(xero, {
    listBrandingThemes: async () => {
      reads += 1;
      return THEMES;
    },
  });
  const outcomes = new RecordingOutcomes();
  const post = inMemoryPostWrites({
    xero: withThemes,
    // One in-memory organisation stands for every tenant: routed writes reach it through the per-tenant wrapper.
    xeroFor: () => withThemes,
    outcomes,
    settings: { ...DEFAULT_MAPPING_SETTINGS, ...settings },
  });
  return { xero, post, reads: () => reads };
}

const themeOf = (xero: InMemoryXero, reference: string) =>
  [...xero.invoices.values()].find((i) => i.Reference === reference)?.BrandingThemeID;

/** An invoice write for an organisation (routing sets `tenantId`) and business unit. */
function write(reference: string, n: number, extra: { tenantId?: string; unit?: string } = {}): XeroWrite {
  const base = upsertInvoice(reference, n, n + 100);
  return {
    ...base,
    ...(extra.tenantId && { tenantId: extra.tenantId }),
    ...(extra.unit && { businessUnit: { id: `00000000-0000-4000-8000-0000000000${n}`, name: extra.unit } }),
  } as XeroWrite;
}

describe('branding themes in the post stage', () => {
  it('should resolve each chosen name to the theme id, by organisation, business unit and currency, reading once per organisation', async () => {
    const { xero, post, reads } = setup({
      brandingThemes: {
        default: { byCurrency: { USD: 'Dollars' } },
        [TENANT]: { theme: 'Standard', byBusinessUnit: { Wholesale: 'Trade' } },
      },
    });

    const results = await post([
      write('ORD-1', 11),
      write('ORD-2', 12, { tenantId: TENANT }),
      write('ORD-3', 13, { tenantId: TENANT, unit: 'wholesale' }),
    ]);

    expect(results.every((r) => r.status === 'done')).toBe(true);
    expect(themeOf(xero, 'ORD-1')).toBe(THEMES[2]?.BrandingThemeID);
    expect(themeOf(xero, 'ORD-2')).toBe(THEMES[0]?.BrandingThemeID);
    expect(themeOf(xero, 'ORD-3')).toBe(THEMES[1]?.BrandingThemeID);
    expect(reads()).toBe(2); // once per organisation: the default one and TENANT
  });

  it('should send no theme and read none when nothing is chosen', async () => {
    const { xero, post, reads } = setup({ brandingThemes: { [TENANT]: { theme: 'Standard' } } });
    await post([write('ORD-1', 11)]);
    expect(themeOf(xero, 'ORD-1')).toBeUndefined();
    expect(reads()).toBe(0);
  });

  it('should fail only the invoice whose theme is unknown, naming the setting', async () => {
    const { xero, post, reads } = setup({
      brandingThemes: { default: { theme: 'Standard', byCurrency: { USD: 'Gala' } } },
    });
    const usd = write('ORD-1', 11);
    const nzd = upsertInvoice('ORD-2', 12, 112);
    const nzdWrite = {
      ...nzd,
      invoice: { ...(nzd.kind === 'upsert-invoice' ? nzd.invoice : {}), CurrencyCode: 'NZD' },
    } as XeroWrite;

    const results = await post([usd, nzdWrite]);

    expect(results[0]).toEqual({
      status: 'dead',
      error: expect.stringContaining(
        'mapping.brandingThemes.default.byCurrency.USD: branding theme "Gala" does not exist'
      ),
    });
    expect(results[1]).toEqual({ status: 'done' });
    expect(themeOf(xero, 'ORD-2')).toBe(THEMES[0]?.BrandingThemeID);
    expect(reads()).toBe(2);
  });
});
