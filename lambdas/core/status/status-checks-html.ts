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
  const verdict = p.error
    ? `Could not check: ${escapeHtml(p.error)}`
    : p.ok
      ? 'All mapping settings are valid in this organisation'
      : `${p.problems.length} mapping setting(s) Xero cannot use`;
  const problems = p.problems
    .map(
      (x) =>
        `<tr class="failed"><td><code>${escapeHtml(x.setting)}</code></td><td>${escapeHtml(x.value)}</td><td>${escapeHtml(x.problem)}</td><td>${escapeHtml(x.validChoices)}</td></tr>`
    )
    .join('\n');
  return `<dl id="preflight">
<dt>Result</dt><dd id="preflight-result" class="${p.ok ? 'state-connected' : 'state-reconnect_required'}">${verdict}</dd>
<dt>Checked</dt><dd>${timeAgo(p.checkedAt, now)}</dd>
${org ? `<dt>Organisation</dt><dd>${escapeHtml(org.name)} — base currency ${escapeHtml(org.baseCurrency)}, time zone ${escapeHtml(org.timezone ?? '?')}, short code ${escapeHtml(org.shortCode ?? '?')}</dd>` : ''}
${p.warnings.map((w) => `<dt>Warning</dt><dd>${escapeHtml(w)}</dd>`).join('\n')}
</dl>
${problems ? `<table id="preflight-problems"><thead><tr><th>Setting</th><th>Value</th><th>Problem</th><th>Valid choices</th></tr></thead><tbody>\n${problems}\n</tbody></table>` : ''}`;
}
