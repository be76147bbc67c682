import type { TrackingSettings } from '../../../../lambdas/core/mapping/tracking';
import type { XeroTrackingCategoryInfo } from '../../../../lambdas/core/preflight/ports';
import { validateBranding } from '../../../../lambdas/core/preflight/validate-branding';
import { validateTracking } from '../../../../lambdas/core/preflight/validate-tracking';

const CATEGORIES: XeroTrackingCategoryInfo[] = [
  {
    id: 'cat-region',
    name: 'Region',
    status: 'ACTIVE',
    options: [
      { id: 'o-n', name: 'North', status: 'ACTIVE' },
      { id: 'o-s', name: 'South', status: 'ACTIVE' },
      { id: 'o-c', name: 'Central', status: 'ARCHIVED' },
    ],
  },
  { id: 'cat-old', name: 'Old Projects', status: 'ARCHIVED', options: [] },
];

const region = (values: Record<string, string>, extra: object = {}): TrackingSettings => ({
  categories: [{ category: 'Region', source: { kind: 'column', column: 'new_region' }, values, ...extra }],
});

describe('validateTracking', () => {
  it('should pass a category and options that exist and are active, whatever their case', () => {
    const check = validateTracking(region({ a: 'north', b: 'South' }, { otherwise: { option: 'NORTH' } }), CATEGORIES);
    expect(check).toEqual({ problems: [], warnings: [], missing: [] });
  });

  it('should report a missing category with the active categories as choices', () => {
    const check = validateTracking(
      { categories: [{ category: 'Department', source: { kind: 'businessUnit' } }] },
      CATEGORIES
    );
    expect(check.problems).toEqual([
      {
        setting: 'tracking.categories.0.category',
        value: 'Department',
        message: 'tracking category "Department" does not exist in the Xero organisation',
        validChoices: ['Region'],
      },
    ]);
  });

  it('should say "archived" for an archived category rather than "missing"', () => {
    const check = validateTracking(
      { categories: [{ category: 'old projects', source: { kind: 'businessUnit' } }] },
      CATEGORIES
    );
    expect(check.problems[0]?.message).toBe(
      'tracking category "Old Projects" is ARCHIVED and takes no new transactions'
    );
  });

  it('should report missing and archived options by their setting, with the active options as choices', () => {
    const check = validateTracking(
      region({ 'North Island': 'Northland' }, { otherwise: { option: 'Central' } }),
      CATEGORIES
    );
    expect(check.problems).toEqual([
      {
        setting: 'tracking.categories.0.values.North Island',
        value: 'Northland',
        message: 'tracking option "Northland" does not exist in category "Region"',
        validChoices: ['North', 'South'],
      },
      expect.objectContaining({
        setting: 'tracking.categories.0.otherwise.option',
        value: 'Central',
        message: expect.stringContaining('"Central" of category "Region" is ARCHIVED'),
      }),
    ]);
    expect(check.missing).toEqual([]);
  });

  it('should list missing options to create with createMissingOptions, but still report archived ones', () => {
    const check = validateTracking(
      region({ a: 'Northland', b: 'northland', c: 'Central' }, { otherwise: { option: 'Unassigned' } }),
      CATEGORIES
    ).missing;
    expect(check).toEqual([]);
    const creating = validateTracking(
      {
        ...region({ a: 'Northland', b: 'northland', c: 'Central' }, { otherwise: { option: 'Unassigned' } }),
        createMissingOptions: true,
      },
      CATEGORIES
    );
    expect(creating.missing.map((m) => [m.categoryId, m.option, m.setting])).toEqual([
      ['cat-region', 'Northland', 'tracking.categories.0.values.a'],
      ['cat-region', 'Unassigned', 'tracking.categories.0.otherwise.option'],
    ]);
    expect(creating.problems.map((p) => p.value)).toEqual(['Central']);
  });

  it('should warn that values are used as option names when a column has no value map', () => {
    const check = validateTracking(
      { categories: [{ category: 'Region', source: { kind: 'column', column: 'new_region' } }] },
      CATEGORIES
    );
    expect(check.problems).toEqual([]);
    expect(check.warnings).toEqual([
      expect.stringContaining(
        'value of new_region as the option name; a value that is not an active option (North, South)'
      ),
    ]);
  });
});

describe('validateBranding', () => {
  it('should report each unknown theme name by its setting with the organisation themes as choices', () => {
    const themes = [
      { id: 't1', name: 'Standard' },
      { id: 't2', name: 'Special Projects' },
    ];
    expect(
      validateBranding({ default: { theme: 'standard', byCurrency: { USD: 'Dollar Theme' } } }, undefined, themes)
    ).toEqual([
      {
        setting: 'brandingThemes.default.byCurrency.USD',
        value: 'Dollar Theme',
        message: 'branding theme "Dollar Theme" does not exist in the Xero organisation',
        validChoices: ['Standard', 'Special Projects'],
      },
    ]);
  });
});
