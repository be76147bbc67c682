/**
 * Which Xero branding theme an invoice is sent with (settings.brandingThemes).
 *
 * Themes belong to an organisation and are chosen on an invoice by BrandingThemeID (developer.xero.com/
 * documentation/api/accounting/brandingthemes; …/invoices, BrandingThemeID). Settings name themes, since names are
 * what finance teams see and ids differ per organisation; the post stage resolves a name to the id of the
 * organisation the invoice goes to (core/sync/apply-branding.ts), and the preflight checks every name.
 *
 * Settings are keyed by Xero tenant id, or `default` for the default organisation (a write without a tenant id) and
 * for any organisation without its own entry. Choice order: the organisation's own entry, then `default`; within an
 * entry the order's business unit (id, then name), then the invoice currency, then the entry's `theme`. No match:
 * no BrandingThemeID is sent and Xero uses the organisation's default theme.
 */
import * as z from 'zod';

export const DEFAULT_BRANDING_KEY = 'default';

const themeName = z.string().trim().min(1).max(255);

/** A record whose keys must match `pattern`; a bad key is reported at its own path with `message`. */
function keyedRecord<T extends z.ZodType>(pattern: RegExp, message: string, value: T) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      if (!pattern.test(key)) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  });
}

export const brandingRuleSchema = z.strictObject({
  theme: themeName.optional(),
  byCurrency: keyedRecord(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as "USD"', themeName).optional(),
  /** Business unit name or id → theme name. */
  byBusinessUnit: z.record(z.string().trim().min(1), themeName).optional(),
});

export const brandingThemesSchema = keyedRecord(
  /^(default|[0-9a-fA-F-]{36})$/,
  'a Xero tenant id or "default"',
  brandingRuleSchema
);

export type BrandingRule = z.infer<typeof brandingRuleSchema>;
export type BrandingThemeSettings = z.infer<typeof brandingThemesSchema>;

export interface BrandingInput {
  /** The organisation the invoice goes to; undefined: the default (only) one. */
  readonly tenantId?: string;
  readonly currency: string;
  readonly businessUnit?: { readonly id: string; readonly name?: string };
}

/** A chosen theme name and the setting that chose it (for messages). */
export interface BrandingChoice {
  readonly name: string;
  readonly setting: string;
}

function entryFor(settings: BrandingThemeSettings, tenantId: string): [string, BrandingRule] | undefined {
  const key = Object.keys(settings).find((k) => k.toLowerCase() === tenantId.toLowerCase());
  const rule = key === undefined ? undefined : settings[key];
  return key !== undefined && rule ? [key, rule] : undefined;
}

function lookUp(map: Readonly<Record<string, string>> | undefined, keys: readonly string[]) {
  if (!map) return undefined;
  for (const key of keys) {
    const found = Object.keys(map).find((k) => k.trim().toLowerCase() === key.toLowerCase());
    if (found !== undefined) return { key: found, name: map[found] as string };
  }
  return undefined;
}

function choiceIn(key: string, rule: BrandingRule, input: BrandingInput): BrandingChoice | undefined {
  const unit = input.businessUnit;
  const unitKeys = unit ? [unit.id, ...(unit.name ? [unit.name] : [])] : [];
  const byUnit = lookUp(rule.byBusinessUnit, unitKeys);
  if (byUnit) return { name: byUnit.name, setting: `brandingThemes.${key}.byBusinessUnit.${byUnit.key}` };
  const byCurrency = lookUp(rule.byCurrency, [input.currency]);
  if (byCurrency) return { name: byCurrency.name, setting: `brandingThemes.${key}.byCurrency.${byCurrency.key}` };
  return rule.theme ? { name: rule.theme, setting: `brandingThemes.${key}.theme` } : undefined;
}

/** The theme an invoice is sent with, or undefined for the organisation's default. */
export function chooseBrandingTheme(
  settings: BrandingThemeSettings | undefined,
  input: BrandingInput
): BrandingChoice | undefined {
  if (!settings) return undefined;
  const own = input.tenantId === undefined ? undefined : entryFor(settings, input.tenantId);
  const fallback = entryFor(settings, DEFAULT_BRANDING_KEY);
  for (const entry of [own, fallback]) {
    const choice = entry && choiceIn(entry[0], entry[1], input);
    if (choice) return choice;
  }
  return undefined;
}

/** Every theme name that may be chosen for an organisation, with its setting (what the preflight checks). */
export function brandingThemesFor(
  settings: BrandingThemeSettings | undefined,
  tenantId: string | undefined
): BrandingChoice[] {
  if (!settings) return [];
  const entries = [
    tenantId === undefined ? undefined : entryFor(settings, tenantId),
    entryFor(settings, DEFAULT_BRANDING_KEY),
  ].filter((e): e is [string, BrandingRule] => e !== undefined);
  return entries.flatMap(([key, rule]) => [
    ...(rule.theme ? [{ name: rule.theme, setting: `brandingThemes.${key}.theme` }] : []),
    ...Object.entries(rule.byCurrency ?? {}).map(([c, name]) => ({
      name,
      setting: `brandingThemes.${key}.byCurrency.${c}`,
    })),
    ...Object.entries(rule.byBusinessUnit ?? {}).map(([u, name]) => ({
      name,
      setting: `brandingThemes.${key}.byBusinessUnit.${u}`,
    })),
  ]);
}
