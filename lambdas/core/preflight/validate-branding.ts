/**
 * Checks settings.brandingThemes against the organisation's themes (GET /BrandingThemes, developer.xero.com/
 * documentation/api/accounting/brandingthemes): every theme name that could be chosen for this organisation — its
 * own entry and the `default` one — must be one of its themes. The post stage resolves the same names to ids.
 */
import { brandingThemesFor, type BrandingThemeSettings } from '../mapping/branding';
import type { PreflightProblem } from './preflight-report';

export function validateBranding(
  settings: BrandingThemeSettings | undefined,
  tenantId: string | undefined,
  themes: readonly { readonly id: string; readonly name: string }[]
): PreflightProblem[] {
  const validChoices = themes.map((t) => t.name);
  return brandingThemesFor(settings, tenantId)
    .filter((choice) => !themes.some((t) => t.name.trim().toLowerCase() === choice.name.trim().toLowerCase()))
    .map((choice) => ({
      setting: choice.setting,
      value: choice.name,
      message: `branding theme "${choice.name}" does not exist in the Xero organisation`,
      validChoices,
    }));
}
