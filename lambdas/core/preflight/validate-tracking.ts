/**
 * Checks settings.tracking against the organisation's tracking categories, before an invoice fails on them.
 * Xero's rules (developer.xero.com/documentation/api/accounting/trackingcategories): a line may only use a category
 * and option that exist and are ACTIVE — archived categories and options keep their history but take no new
 * transactions; GET /TrackingCategories lists archived ones only with includeArchived=true, which is how an archived
 * setting is told apart from a missing one. Options can be added with PUT /TrackingCategories/{id}/Options.
 *
 * Each problem names the setting (`tracking.categories.0.values.North Island`) and the active choices.
 */
import type { TrackingCategorySetting, TrackingSettings } from '../mapping/tracking';
import type { XeroTrackingCategoryInfo } from './ports';
import type { PreflightProblem } from './preflight-report';

/** An option the settings name that the category lacks, to be created when createMissingOptions is set. */
export interface MissingOption {
  readonly categoryId: string;
  readonly category: string;
  readonly option: string;
  readonly setting: string;
}

export interface TrackingCheck {
  readonly problems: PreflightProblem[];
  readonly warnings: string[];
  readonly missing: MissingOption[];
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The option names a category's settings can produce, each with the setting that names it. */
function namedOptions(setting: TrackingCategorySetting, index: number): { option: string; setting: string }[] {
  const base = `tracking.categories.${index}`;
  const fromValues = Object.entries(setting.values ?? {}).map(([key, option]) => ({
    option,
    setting: `${base}.values.${key}`,
  }));
  const otherwise = setting.otherwise;
  const fallback =
    typeof otherwise === 'object' ? [{ option: otherwise.option, setting: `${base}.otherwise.option` }] : [];
  return [...fromValues, ...fallback];
}

function checkCategory(
  setting: TrackingCategorySetting,
  index: number,
  categories: readonly XeroTrackingCategoryInfo[],
  createMissing: boolean,
  check: TrackingCheck
): void {
  const name = `tracking.categories.${index}.category`;
  const active = categories.filter((c) => c.status === 'ACTIVE').map((c) => c.name);
  const category = categories.find((c) => same(c.name, setting.category));
  const problem = (message: string) =>
    check.problems.push({ setting: name, value: setting.category, message, validChoices: active });
  if (!category) return void problem(`tracking category "${setting.category}" does not exist in the Xero organisation`);
  if (category.status !== 'ACTIVE')
    return void problem(`tracking category "${category.name}" is ${category.status} and takes no new transactions`);

  const activeOptions = category.options.filter((o) => o.status === 'ACTIVE').map((o) => o.name);
  const seen = new Set<string>();
  for (const wanted of namedOptions(setting, index)) {
    const found = category.options.find((o) => same(o.name, wanted.option));
    const optionProblem = (message: string) =>
      check.problems.push({ setting: wanted.setting, value: wanted.option, message, validChoices: activeOptions });
    if (!found) {
      if (!createMissing) {
        optionProblem(`tracking option "${wanted.option}" does not exist in category "${category.name}"`);
      } else if (!seen.has(wanted.option.toLowerCase())) {
        seen.add(wanted.option.toLowerCase());
        check.missing.push({ categoryId: category.id, category: category.name, ...wanted });
      }
    } else if (found.status !== 'ACTIVE') {
      // Never revived automatically: someone archived it on purpose.
      optionProblem(
        `tracking option "${found.name}" of category "${category.name}" is ${found.status} and takes no new ` +
          'transactions; restore it in Xero or map to another option'
      );
    }
  }
  if (setting.values === undefined && setting.source.kind === 'column') {
    check.warnings.push(
      `tracking category "${category.name}" takes the value of ${setting.source.column} as the option name; ` +
        `a value that is not an active option (${activeOptions.join(', ') || 'none'}) fails its invoice`
    );
  }
}

export function validateTracking(
  tracking: TrackingSettings | undefined,
  categories: readonly XeroTrackingCategoryInfo[]
): TrackingCheck {
  const check: TrackingCheck = { problems: [], warnings: [], missing: [] };
  (tracking?.categories ?? []).forEach((setting, index) =>
    checkCategory(setting, index, categories, tracking?.createMissingOptions === true, check)
  );
  return check;
}
