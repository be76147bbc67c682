/**
 * Branding themes in the post stage (settings.brandingThemes, core/mapping/branding.ts).
 *
 * 1. Choose each invoice's theme name from the organisation it goes to (`write.tenantId`), its business unit and
 *    its currency.
 * 2. When any invoice of the batch has one, read the organisation's themes (GET /BrandingThemes; the gateway keeps
 *    them for a while, once per tenant, like GET /Organisation).
 * 3. Resolve each name to its BrandingThemeID. A name missing from the (possibly cached) list makes one fresh read;
 *    still unknown, it fails that invoice (naming the setting and the themes the organisation has) instead of
 *    sending it with the wrong theme.
 *
 * Why here and not in the preflight: the post stage already holds the gateway of the invoice's organisation, and a
 * theme renamed or deleted in Xero is noticed by the next batch without waiting for a stored preflight answer. The
 * preflight checks the same names up front so the operator hears of a typo before the first invoice.
 */
import { PermanentError } from '../errors';
import { chooseBrandingTheme, type BrandingChoice } from '../mapping/branding';
import type { XeroBrandingTheme, XeroInvoice } from '../model/xero';
import type { BatchContext } from './batch-context';

export interface Branding {
  /** BrandingThemeID per write index (only invoices with a chosen theme). */
  readonly ids: ReadonlyMap<number, string>;
  /** Write indices already failed here; the invoice phase skips them. */
  readonly failed: ReadonlySet<number>;
}

/** The write's organisation; undefined until routing sets it (ORGS.md §3), which means the default organisation. */
function tenantOf(write: object): string | undefined {
  const tenantId = (write as { readonly tenantId?: unknown }).tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
}

function unknownThemeError(choice: BrandingChoice, themes: readonly XeroBrandingTheme[]): PermanentError {
  const names = themes.map((t) => t.Name).join(', ') || 'none';
  return new PermanentError(
    `mapping.${choice.setting}: branding theme "${choice.name}" does not exist in the Xero organisation ` +
      `(its themes: ${names})`,
    'BRANDING_THEME_UNKNOWN'
  );
}

export async function resolveBranding(ctx: BatchContext, upserts: readonly number[]): Promise<Branding> {
  const ids = new Map<number, string>();
  const failed = new Set<number>();
  const settings = ctx.deps.settings.brandingThemes;
  if (!settings) return { ids, failed };
  const chosen = new Map<number, BrandingChoice>();
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice') continue;
    const choice = chooseBrandingTheme(settings, {
      tenantId: tenantOf(write),
      currency: write.invoice.CurrencyCode,
      ...(write.businessUnit && { businessUnit: write.businessUnit }),
    });
    if (choice) chosen.set(index, choice);
  }
  if (chosen.size === 0) return { ids, failed };
  const xero = ctx.deps.xero;
  let themes = xero.listBrandingThemes ? await xero.listBrandingThemes() : [];
  const find = (choice: BrandingChoice) =>
    themes.find((t) => t.Name.trim().toLowerCase() === choice.name.trim().toLowerCase());
  // A cached list may predate a theme added in Xero: read afresh once before failing anything.
  if (xero.listBrandingThemes && [...chosen.values()].some((choice) => !find(choice))) {
    themes = await xero.listBrandingThemes({ refresh: true });
  }
  for (const [index, choice] of chosen) {
    const theme = find(choice);
    if (theme) {
      ids.set(index, theme.BrandingThemeID);
    } else {
      failed.add(index);
      await ctx.fail(index, unknownThemeError(choice, themes));
    }
  }
  return { ids, failed };
}

/** The invoice with its chosen theme (unchanged when none was chosen). */
export function withBrandingTheme(invoice: XeroInvoice, themeId: string | undefined): XeroInvoice {
  return themeId === undefined ? invoice : { ...invoice, BrandingThemeID: themeId };
}
