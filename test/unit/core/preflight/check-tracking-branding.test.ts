/** The preflight's tracking and branding checks through the real reader against the sandbox Xero. */
import { XeroAccountingOrganisationReader } from '../../../../lambdas/adapters/xero/xero-organisation-reader';
import type { TrackingSettings } from '../../../../lambdas/core/mapping/tracking';
import { createPreflight } from '../../../../lambdas/core/preflight/run-preflight';
import { TenantRateLimiter } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { InMemoryCheckpointStore } from '../../../../lambdas/core/writeback/memory-checkpoint-store';
import { SANDBOX_XERO_TENANT_ID, startSandboxXero, type SandboxXero } from '../../../../sandbox/xero-accounting/server';
import { recordingLogger, fixedClock } from '../../../helpers/in-memory-ports';
import { withoutProxy } from '../../../helpers/no-proxy';

const clock = fixedClock('2026-11-26T10:00:00.000Z');
let xero: SandboxXero;
withoutProxy();

beforeEach(async () => {
  xero = await startSandboxXero();
});
afterEach(async () => {
  await xero.close();
});

function preflight(settings: Partial<MappingSettings>) {
  const reader = new XeroAccountingOrganisationReader({
    access: { getAccess: async () => ({ accessToken: 'sandbox-token', tenantId: SANDBOX_XERO_TENANT_ID }) },
    limiter: new TenantRateLimiter({ clock, sleep: async () => undefined }),
    apiUrl: xero.url,
    clock,
  });
  return createPreflight({
    xero: reader,
    settings: { ...DEFAULT_MAPPING_SETTINGS, ...settings },
    reports: new InMemoryCheckpointStore(),
    clock,
    logger: recordingLogger(),
  })();
}

const tracking = (values: Record<string, string>, createMissingOptions?: boolean): TrackingSettings => ({
  categories: [{ category: 'Region', source: { kind: 'column', column: 'new_region' }, values }],
  ...(createMissingOptions !== undefined && { createMissingOptions }),
});

const routes = () => xero.knobs.requests().map((r) => r.route);

describe('preflight: tracking categories and branding themes', () => {
  it('should read nothing more when neither is configured', async () => {
    const report = await preflight({});
    expect(report.ok).toBe(true);
    expect(routes()).not.toContain('GET /TrackingCategories');
    expect(routes()).not.toContain('GET /BrandingThemes');
  });

  it('should pass seeded options and themes, reading archived categories too', async () => {
    const report = await preflight({
      tracking: tracking({ a: 'North', b: 'South' }),
      brandingThemes: { default: { theme: 'Standard' } },
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const read = xero.knobs.requests().find((r) => r.route === 'GET /TrackingCategories');
    expect(read?.query['includeArchived']).toBe('true');
  });

  it('should report an option archived in Xero as archived, not missing', async () => {
    const south = xero
      .trackingAndThemes()
      .category('Region')
      ?.Options.find((o) => o.Name === 'South');
    if (south) south.Status = 'ARCHIVED';
    const report = await preflight({ tracking: tracking({ 'South Island': 'South' }) });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        setting: 'tracking.categories.0.values.South Island',
        message: expect.stringContaining('is ARCHIVED'),
        validChoices: ['North', 'Pacific', 'Europe'],
      }),
    ]);
  });

  it('should create missing options with createMissingOptions, and never revive an archived one', async () => {
    const south = xero
      .trackingAndThemes()
      .category('Region')
      ?.Options.find((o) => o.Name === 'South');
    if (south) south.Status = 'ARCHIVED';
    const report = await preflight({ tracking: tracking({ a: 'East', b: 'South' }, true) });
    const region = xero.trackingAndThemes().category('Region');
    expect(region?.Options.map((o) => [o.Name, o.Status])).toEqual([
      ['North', 'ACTIVE'],
      ['South', 'ARCHIVED'],
      ['Pacific', 'ACTIVE'],
      ['Europe', 'ACTIVE'],
      ['East', 'ACTIVE'],
    ]);
    expect(report.warnings).toContain(
      'created tracking option "East" in category "Region" (tracking.categories.0.values.a)'
    );
    expect(report.problems.map((p) => p.value)).toEqual(['South']);
    expect(routes().filter((r) => r === 'PUT /TrackingCategories/{id}/Options')).toHaveLength(1);
  });

  it('should not create missing options without the setting', async () => {
    const report = await preflight({ tracking: tracking({ a: 'East' }) });
    expect(report.problems[0]).toEqual(
      expect.objectContaining({
        setting: 'tracking.categories.0.values.a',
        validChoices: ['North', 'South', 'Pacific', 'Europe'],
      })
    );
    expect(xero.trackingAndThemes().category('Region')?.Options).toHaveLength(4);
  });

  it("should report a theme the organisation lacks, checking this organisation's own entry", async () => {
    const report = await preflight({
      brandingThemes: { [SANDBOX_XERO_TENANT_ID]: { theme: 'Gala' }, default: { theme: 'Standard' } },
    });
    expect(report.problems).toEqual([
      {
        setting: `brandingThemes.${SANDBOX_XERO_TENANT_ID}.theme`,
        value: 'Gala',
        message: 'branding theme "Gala" does not exist in the Xero organisation',
        validChoices: ['Standard', 'Special Projects'],
      },
    ]);
  });
});
