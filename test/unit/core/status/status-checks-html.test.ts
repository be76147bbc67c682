import { preflightStatusOf } from '../../../../lambdas/core/preflight/preflight-report';
import { renderChecks } from '../../../../lambdas/core/status/status-checks-html';
import { sweepStatusOf } from '../../../../lambdas/core/sweep/sweep-report';

describe('status page: sweep and preflight', () => {
  it('should show the missed changes and each broken setting with its valid choices, escaped', () => {
    const sweep = sweepStatusOf({
      sweepIntervalSeconds: 300,
      sweep: {
        startedAt: '2026-11-26T10:00:00.000Z',
        finishedAt: '2026-11-26T10:00:02.000Z',
        tables: [{ table: 'account', found: 0, queued: 0, missed: 0, truncated: false, error: 'Dataverse <down>' }],
        found: 5,
        queued: 2,
        missed: 2,
        missedTotal: 7,
      },
    });
    const preflight = preflightStatusOf({
      checkedAt: '2026-11-26T10:00:00.000Z',
      ok: false,
      organisation: {
        organisationId: 'o',
        name: 'Demo <Ltd>',
        baseCurrency: 'NZD',
        timezone: 'NEWZEALANDSTANDARDTIME',
      },
      problems: [
        {
          setting: 'salesAccountCode',
          value: '999',
          message: 'account code 999 does not exist in the Xero organisation',
          validChoices: ['200 Sales', '260 Other Revenue'],
        },
      ],
      warnings: [],
    });
    const html = renderChecks(sweep, preflight, '2026-11-26T10:05:00.000Z');
    expect(html).toContain('<dd id="sweep-missed">2 / 7</dd>');
    expect(html).toContain('account: Dataverse &lt;down&gt;');
    expect(html).toContain('<code>salesAccountCode</code>');
    expect(html).toContain('200 Sales, 260 Other Revenue');
    expect(html).toContain('Demo &lt;Ltd&gt;');
    expect(html).toContain('1 mapping setting(s) Xero cannot use');
  });

  it('should show a verdict per organisation and name the organisation in each problem row', () => {
    const org = (name: string, tenantId: string) => ({ organisationId: tenantId, name, baseCurrency: 'NZD' });
    const problem = {
      setting: 'tracking.categories.0.values.Europe',
      value: 'South',
      message: 'tracking option "South" does not exist in category "Region"',
      validChoices: ['North'],
      tenantId: 't-eu',
      organisationName: 'Europe <GmbH>',
    };
    const preflight = preflightStatusOf({
      checkedAt: '2026-11-26T10:00:00.000Z',
      ok: false,
      tenantId: 't-nz',
      organisation: org('Pacific Ltd', 't-nz'),
      problems: [problem],
      warnings: [],
      organisations: [
        { tenantId: 't-nz', organisation: org('Pacific Ltd', 't-nz'), ok: true, problems: [], warnings: [] },
        { tenantId: 't-eu', organisation: org('Europe <GmbH>', 't-eu'), ok: false, problems: [problem], warnings: [] },
        { tenantId: 't-x', name: 'Export Ltd', ok: false, problems: [], warnings: [], error: 'Xero answered 503' },
      ],
    });
    const html = renderChecks(undefined, preflight, '2026-11-26T10:05:00.000Z');
    expect(html).toMatch(/<dt>Pacific Ltd<\/dt><dd class="preflight-organisation state-connected"[^>]*>all mapping/);
    expect(html).toContain('<dt>Europe &lt;GmbH&gt;</dt>');
    expect(html).toContain('1 mapping setting(s) Xero cannot use</dd>');
    expect(html).toMatch(/<dt>Export Ltd<\/dt><dd[^>]*>could not check: Xero answered 503/);
    expect(html).toContain('<th>Organisation</th>');
    expect(html).toContain(
      '<tr class="failed"><td>Europe &lt;GmbH&gt;</td><td><code>tracking.categories.0.values.Europe'
    );
  });

  it('should say the preflight has not run before Xero is connected', () => {
    expect(renderChecks(sweepStatusOf({ sweepIntervalSeconds: 0 }), undefined, '2026-11-26T10:05:00.000Z')).toContain(
      'Not run yet'
    );
  });
});
