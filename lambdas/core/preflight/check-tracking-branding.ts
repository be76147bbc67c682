/**
 * The preflight's tracking and branding part, for one organisation:
 *
 * 1. When settings.tracking is set: read GET /TrackingCategories (archived included) and check every category and
 *    option the settings name (validate-tracking.ts).
 * 2. With createMissingOptions: create each missing option (PUT /TrackingCategories/{id}/Options). Only here, never
 *    in the sync, so option creation happens once, visibly, and an archived option is reported, not revived.
 * 3. When settings.brandingThemes is set: read GET /BrandingThemes and check every theme name this organisation
 *    may use (validate-branding.ts).
 * Nothing is read when neither is configured, so the zero-configuration preflight makes the same calls as before.
 */
import { describeError } from '../errors';
import type { MappingSettings } from '../settings';
import type { XeroTrackingReader } from './ports';
import type { PreflightProblem } from './preflight-report';
import { validateBranding } from './validate-branding';
import { validateTracking, type MissingOption } from './validate-tracking';

export interface TrackingBrandingCheck {
  readonly problems: PreflightProblem[];
  readonly warnings: string[];
}

async function createMissing(xero: XeroTrackingReader, missing: readonly MissingOption[], out: TrackingBrandingCheck) {
  for (const option of missing) {
    try {
      if (!xero.createTrackingOption) throw new Error('this connection cannot create tracking options');
      await xero.createTrackingOption(option.categoryId, option.option);
      out.warnings.push(
        `created tracking option "${option.option}" in category "${option.category}" (${option.setting})`
      );
    } catch (error) {
      out.problems.push({
        setting: option.setting,
        value: option.option,
        message: `tracking option "${option.option}" is missing from "${option.category}" and could not be created: ${describeError(error)}`,
        validChoices: [],
      });
    }
  }
}

export async function checkTrackingAndBranding(
  xero: XeroTrackingReader,
  settings: Pick<MappingSettings, 'tracking' | 'brandingThemes'>,
  tenantId: string | undefined
): Promise<TrackingBrandingCheck> {
  const out: TrackingBrandingCheck = { problems: [], warnings: [] };
  if (settings.tracking) {
    if (!xero.listTrackingCategories) {
      out.warnings.push('tracking categories were not checked: this connection cannot read them');
    } else {
      const check = validateTracking(settings.tracking, await xero.listTrackingCategories());
      out.problems.push(...check.problems);
      out.warnings.push(...check.warnings);
      await createMissing(xero, check.missing, out);
    }
  }
  if (settings.brandingThemes) {
    if (!xero.listBrandingThemes) {
      out.warnings.push('branding themes were not checked: this connection cannot read them');
    } else {
      out.problems.push(...validateBranding(settings.brandingThemes, tenantId, await xero.listBrandingThemes()));
    }
  }
  return out;
}
