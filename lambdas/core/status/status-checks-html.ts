/** The status page's catch-up sweep and Xero settings check sections (the same shapes on both runtimes). */
import type { PreflightStatus } from '../preflight/preflight-report';
import type { SweepStatus } from '../sweep/sweep-report';
import { escapeHtml } from './html';
import { timeAgo } from './time-markup';

/** The two sections; `now` is the snapshot's time, for "last run 3 min ago". */
export function renderChecks(
  sweep: SweepStatus | undefined,
  preflight: PreflightStatus | undefined,
  now: string
): string {
  const sweepRows = sweep
    ? `<dt>Runs every</dt><dd>${sweep.intervalSeconds ? `${sweep.intervalSeconds} s` : 'off'}</dd>
<dt>Last run</dt><dd id="sweep-last-run">${timeAgo(sweep.lastRunAt, now, 'not yet')}</dd>
<dt>Found / queued</dt><dd>${sweep.found ?? 0} / ${sweep.queued ?? 0}</dd>
<dt>Missed by webhooks (last run / total)</dt><dd id="sweep-missed">${sweep.missedLastRun ?? 0} / ${sweep.missedTotal ?? 0}</dd>
${(sweep.problems ?? []).map((p) => `<dt>Problem</dt><dd class="failed">${escapeHtml(p)}</dd>`).join('\n')}`
    : '<dt>State</dt><dd>off</dd>';
  return `<section><h2>Catch-up sweep</h2>
<dl id="sweep">
${sweepRows}
</dl></section>
<section><h2>Xero settings check</h2>
${preflight ? renderPreflight(preflight, now) : '<p id="preflight">Not run yet (runs once Xero is connected).</p>'}</section>`;
}

function renderPreflight(p: PreflightStatus, now: string): string {
  const org = p.organisation;
  const several = (p.organisations?.length ?? 0) > 1;
  const verdict = p.error
    ? `Could not check: ${escapeHtml(p.error)}`
    : p.ok
      ? `All mapping settings are valid in ${several ? 'every organisation' : 'this organisation'}`
      : p.problems.length > 0
        ? `${p.problems.length} mapping setting(s) Xero cannot use`
        : 'Some organisations could not be checked';
  // A column naming the organisation whenever a problem is one organisation's (several organisations).
  const byOrganisation = p.problems.some((x) => x.organisation !== undefined);
  const problems = p.problems
    .map(
      (x) =>
        `<tr class="failed">${byOrganisation ? `<td>${escapeHtml(x.organisation ?? 'all')}</td>` : ''}<td><code>${escapeHtml(x.setting)}</code></td><td>${escapeHtml(x.value)}</td><td>${escapeHtml(x.problem)}</td><td>${escapeHtml(x.validChoices)}</td></tr>`
    )
    .join('\n');
  const head = `${byOrganisation ? '<th>Organisation</th>' : ''}<th>Setting</th><th>Value</th><th>Problem</th><th>Valid choices</th>`;
  return `<dl id="preflight">
<dt>Result</dt><dd id="preflight-result" class="${p.ok ? 'state-connected' : 'state-reconnect_required'}">${verdict}</dd>
<dt>Checked</dt><dd>${timeAgo(p.checkedAt, now)}</dd>
${several ? renderOrganisations(p) : org ? `<dt>Organisation</dt><dd>${escapeHtml(org.name)} — base currency ${escapeHtml(org.baseCurrency)}, time zone ${escapeHtml(org.timezone ?? '?')}, short code ${escapeHtml(org.shortCode ?? '?')}</dd>` : ''}
${p.warnings.map((w) => `<dt>Warning</dt><dd>${escapeHtml(w)}</dd>`).join('\n')}
</dl>
${problems ? `<table id="preflight-problems"><thead><tr>${head}</tr></thead><tbody>\n${problems}\n</tbody></table>` : ''}`;
}

/** One line per checked organisation: its own verdict, so one failing organisation hides none of the others. */
function renderOrganisations(p: PreflightStatus): string {
  return (p.organisations ?? [])
    .map((o) => {
      const verdict = o.error
        ? `could not check: ${escapeHtml(o.error)}`
        : o.ok
          ? `all mapping settings valid${o.baseCurrency ? ` (base currency ${escapeHtml(o.baseCurrency)})` : ''}`
          : `${o.problems} mapping setting(s) Xero cannot use`;
      const state = o.ok ? 'state-connected' : 'state-reconnect_required';
      return `<dt>${escapeHtml(o.name)}</dt><dd class="preflight-organisation ${state}" data-tenant-id="${escapeHtml(o.tenantId)}">${verdict}</dd>`;
    })
    .join('\n');
}
