import { XeroAccountingOrganisationReader } from '../../../../lambdas/adapters/xero/xero-organisation-reader';
import { loadPreflightReport } from '../../../../lambdas/core/preflight/preflight-report';
import { createPreflight, preflightDue, preflightIfDue } from '../../../../lambdas/core/preflight/run-preflight';
import { TenantRateLimiter } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { InMemoryCheckpointStore } from '../../../../lambdas/core/writeback/memory-checkpoint-store';
import { SANDBOX_XERO_TENANT_ID, startSandboxXero, type SandboxXero } from '../../../../sandbox/xero-accounting/server';
import { recordingLogger, fixedClock } from '../../../helpers/in-memory-ports';
import { withoutProxy } from '../../../helpers/no-proxy';

const NOW = '2026-11-26T10:00:00.000Z';
const clock = fixedClock(NOW);
let xero: SandboxXero;
withoutProxy();

beforeAll(async () => {
  xero = await startSandboxXero();
});

afterAll(async () => {
  await xero.close();
});

function preflightWith(settings = DEFAULT_MAPPING_SETTINGS, orderCurrencies?: string[]) {
  const reports = new InMemoryCheckpointStore();
  const reader = new XeroAccountingOrganisationReader({
    access: { getAccess: async () => ({ accessToken: 'sandbox-token', tenantId: SANDBOX_XERO_TENANT_ID }) },
    limiter: new TenantRateLimiter({ clock, sleep: async () => undefined }),
    apiUrl: xero.url,
    clock,
  });
  const preflight = createPreflight({
    xero: reader,
    settings,
    reports,
    clock,
    logger: recordingLogger(),
    ...(orderCurrencies && { orderCurrencies: async () => orderCurrencies }),
  });
  return { preflight, reports };
}

describe('preflight against the sandbox Xero organisation', () => {
  it('should read the organisation, accounts, tax rates and currencies and pass the default settings', async () => {
    const { preflight, reports } = preflightWith(DEFAULT_MAPPING_SETTINGS, ['NZD', 'USD']);
    const report = await preflight(SANDBOX_XERO_TENANT_ID);
    expect(report).toMatchObject({
      checkedAt: NOW,
      tenantId: SANDBOX_XERO_TENANT_ID,
      ok: true,
      problems: [],
      warnings: [],
      organisation: {
        organisationId: SANDBOX_XERO_TENANT_ID,
        baseCurrency: 'NZD',
        timezone: 'NEWZEALANDSTANDARDTIME',
        shortCode: expect.stringMatching(/^!/),
      },
    });
    expect(await loadPreflightReport(reports)).toEqual(report);
    const routes = xero.knobs.requests().map((r) => r.route);
    expect(routes).toEqual(
      expect.arrayContaining(['GET /Organisation', 'GET /Accounts', 'GET /TaxRates', 'GET /Currencies'])
    );
  });

  it('should name a broken setting with the valid choices of this organisation', async () => {
    const { preflight } = preflightWith({
      ...DEFAULT_MAPPING_SETTINGS,
      salesAccountCode: '400',
      salesTaxType: 'INPUT2',
    });
    const report = await preflight();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        setting: 'salesAccountCode',
        validChoices: ['200 Sales', '260 Other Revenue', '270 Interest Income'],
      }),
      expect.objectContaining({
        setting: 'salesTaxType',
        validChoices: expect.arrayContaining(['OUTPUT2 GST on Income']),
      }),
    ]);
  });

  it('should see an account archived in Xero since the last check', async () => {
    const account = xero.organisationSettings().accounts.find((a) => a.Code === '200');
    account!.Status = 'ARCHIVED';
    try {
      const report = await preflightWith().preflight();
      expect(report.problems.map((p) => [p.setting, p.message])).toContainEqual([
        'salesAccountCode',
        'account 200 (Sales) is ARCHIVED and takes no new transactions',
      ]);
    } finally {
      account!.Status = 'ACTIVE';
    }
  });

  it('should store why it could not run when Xero refuses', async () => {
    xero.knobs.revokeAllTokens();
    try {
      const { preflight, reports } = preflightWith();
      const report = await preflight('tenant-1');
      expect(report).toMatchObject({ ok: false, tenantId: 'tenant-1', error: expect.any(String) });
      expect((await loadPreflightReport(reports))?.error).toBeDefined();
    } finally {
      xero.knobs.restoreTokens();
    }
  });
});

describe('preflightDue', () => {
  const report = { checkedAt: NOW, tenantId: 't1', ok: true, problems: [], warnings: [] };
  const at = (iso: string) => new Date(iso);

  it('should be due without a report, for another connection, or after a day', () => {
    expect(preflightDue(undefined, 't1', at(NOW))).toBe(true);
    expect(preflightDue(report, 't2', at(NOW))).toBe(true);
    expect(preflightDue(report, 't1', at('2026-11-27T09:59:59.000Z'))).toBe(false);
    expect(preflightDue(report, 't1', at('2026-11-27T10:00:00.000Z'))).toBe(true);
  });

  it('should retry a failed check after 15 minutes', () => {
    const failed = { ...report, ok: false, error: 'Xero unavailable' };
    expect(preflightDue(failed, 't1', at('2026-11-26T10:14:00.000Z'))).toBe(false);
    expect(preflightDue(failed, 't1', at('2026-11-26T10:15:00.000Z'))).toBe(true);
  });

  it('should answer the stored report without calling Xero when not due', async () => {
    const reports = new InMemoryCheckpointStore({ 'xero-preflight:last-run': JSON.stringify(report) });
    const preflight = jest.fn();
    expect(await preflightIfDue(preflight, reports, 't1', at(NOW))).toEqual(report);
    expect(preflight).not.toHaveBeenCalled();
  });
});
