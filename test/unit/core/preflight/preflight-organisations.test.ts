/** The preflight for every chosen organisation, each read with its own access, against a two-organisation sandbox. */
import { XeroAccountingOrganisationReader } from '../../../../lambdas/adapters/xero/xero-organisation-reader';
import { loadPreflightReport, preflightStatusOf } from '../../../../lambdas/core/preflight/preflight-report';
import { createPreflight, preflightDue, type PreflightTargets } from '../../../../lambdas/core/preflight/run-preflight';
import { TenantRateLimiter } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../../../lambdas/core/settings';
import { InMemoryCheckpointStore } from '../../../../lambdas/core/writeback/memory-checkpoint-store';
import { startSandboxXero, type SandboxXero } from '../../../../sandbox/xero-accounting/server';
import { recordingLogger, fixedClock } from '../../../helpers/in-memory-ports';
import { withoutProxy } from '../../../helpers/no-proxy';

const NOW = '2026-11-26T10:00:00.000Z';
const clock = fixedClock(NOW);
const PACIFIC = '11111111-1111-4111-8111-111111111111';
const EUROPE = '22222222-2222-4222-8222-222222222222';
const UNCHOSEN = '33333333-3333-4333-8333-333333333333';
let xero: SandboxXero;
withoutProxy();

beforeEach(async () => {
  xero = await startSandboxXero({
    tenants: [
      { tenantId: PACIFIC, name: 'Pacific Ltd', baseCurrency: 'NZD' },
      { tenantId: EUROPE, name: 'Europe GmbH', baseCurrency: 'EUR' },
    ],
  });
});
afterEach(async () => {
  await xero.close();
});

function preflightWith(settings: Partial<MappingSettings>) {
  const reports = new InMemoryCheckpointStore();
  const readerFor = (tenantId: string) =>
    new XeroAccountingOrganisationReader({
      access: { getAccess: async () => ({ accessToken: 'sandbox-token', tenantId }) },
      limiter: new TenantRateLimiter({ clock, sleep: async () => undefined }),
      apiUrl: xero.url,
      clock,
    });
  const preflight = createPreflight({
    xero: readerFor(PACIFIC),
    xeroFor: readerFor,
    settings: { ...DEFAULT_MAPPING_SETTINGS, ...settings },
    reports,
    clock,
    logger: recordingLogger(),
  });
  return { preflight, reports };
}

const both: PreflightTargets = {
  defaultTenantId: PACIFIC,
  tenantIds: [PACIFIC, EUROPE],
  chosen: [
    { tenantId: PACIFIC, tenantName: 'Pacific Ltd', state: 'connected' },
    { tenantId: EUROPE, tenantName: 'Europe GmbH', state: 'connected' },
  ],
};
const regionByUnit = {
  categories: [
    {
      category: 'Region',
      source: { kind: 'businessUnit' as const },
      values: { Pacific: 'North', Europe: 'South' },
    },
  ],
};

describe('preflight: every chosen organisation', () => {
  it('should check each organisation with its own access and name the one missing a tracking option', async () => {
    const south = xero
      .trackingAndThemes(EUROPE)
      .category('Region')
      ?.Options.find((o) => o.Name === 'South');
    if (!south) throw new Error('the sandbox seeds Region/South');
    south.Status = 'DELETED';
    const { preflight, reports } = preflightWith({ tracking: regionByUnit });

    const report = await preflight(both);

    const tenantsRead = new Set(xero.knobs.requests().map((r) => r.tenantId));
    expect(tenantsRead).toEqual(new Set([PACIFIC, EUROPE]));
    expect(report.ok).toBe(false);
    expect(report.organisations?.map((o) => [o.name, o.ok])).toEqual([
      ['Pacific Ltd', true],
      ['Europe GmbH', false],
    ]);
    expect(report.problems).toEqual([
      expect.objectContaining({
        setting: 'tracking.categories.0.values.Europe',
        value: 'South',
        tenantId: EUROPE,
        organisationName: 'Europe GmbH',
        validChoices: ['North', 'Pacific', 'Europe'],
      }),
    ]);
    expect(preflightStatusOf(report)?.problems).toEqual([
      expect.objectContaining({ setting: 'tracking.categories.0.values.Europe', organisation: 'Europe GmbH' }),
    ]);
    expect(await loadPreflightReport(reports)).toEqual(report);
  });

  it('should check the branding themes each organisation may use: its own entry and the default', async () => {
    xero.trackingAndThemes(EUROPE).themes.splice(1); // Europe keeps only "Standard"
    const { preflight } = preflightWith({
      brandingThemes: { default: { theme: 'Standard' }, [PACIFIC]: { theme: 'Special Projects' } },
    });
    expect((await preflight(both)).problems).toEqual([]);

    const { preflight: second } = preflightWith({
      brandingThemes: { default: { theme: 'Standard' }, [EUROPE]: { theme: 'Special Projects' } },
    });
    expect((await second(both)).problems).toEqual([
      expect.objectContaining({ setting: `brandingThemes.${EUROPE}.theme`, organisationName: 'Europe GmbH' }),
    ]);
  });

  it('should name the routing setting that sends records to an organisation that is not chosen', async () => {
    const { preflight } = preflightWith({
      routing: { by: 'businessUnit', routes: { Pacific: PACIFIC, Asia: UNCHOSEN }, defaultTenantId: PACIFIC },
    });
    const report = await preflight(both);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        setting: 'routing.routes.Asia',
        value: UNCHOSEN,
        message: expect.stringContaining('not one of the organisations chosen'),
        validChoices: [`${PACIFIC} Pacific Ltd`, `${EUROPE} Europe GmbH`],
      }),
    ]);
  });

  it('should keep the other organisations results when one cannot be read', async () => {
    const { preflight } = preflightWith({});
    const report = await preflight({ defaultTenantId: PACIFIC, tenantIds: [PACIFIC, UNCHOSEN] });
    expect(report.ok).toBe(false);
    expect(report.error).toBeUndefined();
    expect(report.organisation?.name).toBe('Pacific Ltd');
    expect(report.organisations?.[0]).toMatchObject({ tenantId: PACIFIC, ok: true });
    expect(report.organisations?.[1]).toMatchObject({ tenantId: UNCHOSEN, ok: false, error: expect.any(String) });
    // A failed organisation is tried again sooner than the daily check.
    expect(preflightDue(report, { tenantIds: [PACIFIC, UNCHOSEN] }, new Date(Date.parse(NOW) + 16 * 60_000))).toBe(
      true
    );
  });

  it('should run again when the chosen organisations change, and read an old one-organisation report', async () => {
    const old = { checkedAt: NOW, tenantId: PACIFIC, ok: true, problems: [], warnings: [] };
    const soon = new Date(Date.parse(NOW) + 60_000);
    expect(preflightDue(old, { tenantIds: [PACIFIC] }, soon)).toBe(false);
    expect(preflightDue(old, both, soon)).toBe(true);
    expect(preflightStatusOf(old)).toMatchObject({ ok: true, problems: [] });
    expect(preflightStatusOf(old)?.organisations).toBeUndefined();
  });
});
