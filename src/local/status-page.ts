/** The operator's status page: one self-contained HTML document, everything escaped, no scripts needed. */
import { renderChecks, type PreflightStatus, type SweepStatus } from './status-checks';

export interface StatusOutcomeRow {
  readonly at: string;
  readonly table: string;
  readonly id: string;
  readonly status: string;
  readonly message: string;
  readonly xeroId?: string;
}

/** One organisation: its name; several: each with its state, so a paused one stands out. */
function organisationsCell(c: StatusSnapshot['connection']): string {
  const orgs = c.organisations ?? [];
  if (orgs.length <= 1) return escapeHtml(c.tenantName ?? '—');
  const items = orgs.map(
    (o) =>
      `<li class="organisation state-${escapeHtml(o.state)}" data-tenant-id="${escapeHtml(o.tenantId)}">` +
      `${escapeHtml(o.tenantName ?? o.tenantId)}: ${escapeHtml(CONNECTION_TEXT[o.state])}` +
      `${o.reason ? ` (${escapeHtml(o.reason)})` : ''}</li>`
  );
  return `<ul>${items.join('')}</ul>`;
}

export interface StatusSnapshot {
  readonly mode: 'sandbox' | 'real';
  readonly connection: {
    readonly state: 'not_connected' | 'connected' | 'reconnect_required';
    readonly tenantName?: string;
    readonly tenantId?: string;
    readonly reason?: string;
    readonly refreshedAt?: string;
    readonly refreshTokenAgeHours?: number;
    /** XERO_TENANT_ID is set: a consent can only ever connect that organisation. */
    readonly tenantPinned?: boolean;
    /** Every chosen organisation with its own state (a paused one stops only its own work). */
    readonly organisations?: readonly {
      readonly tenantId: string;
      readonly tenantName?: string;
      readonly state: 'connected' | 'reconnect_required';
      readonly reason?: string;
    }[];
  };
  readonly queues: Record<'changes' | 'writes', { readonly depth: number; readonly dead: number }>;
  readonly counts: { readonly synced: number; readonly failed: number; readonly skipped: number };
  readonly recent: readonly StatusOutcomeRow[];
  readonly failures: readonly StatusOutcomeRow[];
  readonly connectPath: string;
  readonly sweep?: SweepStatus;
  readonly preflight?: PreflightStatus;
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c
  );
}

const CONNECTION_TEXT: Record<StatusSnapshot['connection']['state'], string> = {
  connected: 'Connected',
  not_connected: 'Not connected — connect Xero to start syncing',
  reconnect_required: 'Reconnect required — syncing is paused, work is kept queued',
};

/** Loud on purpose: without a pin, anyone completing a consent (with an admin's confirmation) picks the organisation. */
function pinWarning(status: StatusSnapshot): string {
  if (status.connection.tenantPinned !== false) return '';
  return (
    '<div class="pin" role="alert" id="no-tenant-pin">WARNING: no Xero organisation is pinned (XERO_TENANT_ID is ' +
    'not set). A new consent could connect a different organisation. Set XERO_TENANT_ID to the tenant id of ' +
    `${escapeHtml(status.connection.tenantName ?? 'your organisation')} to lock it.</div>`
  );
}

export function renderStatusPage(status: StatusSnapshot): string {
  const c = status.connection;
  const banner =
    status.mode === 'sandbox'
      ? '<div class="sandbox" role="alert">SANDBOX MODE — talking to the built-in sandbox Xero and Dataverse, not real systems</div>'
      : '';
  const failures = status.failures.length
    ? status.failures
        .map(
          (
            row
          ) => `<tr><td>${escapeHtml(row.at)}</td><td>${escapeHtml(row.table)}</td><td><code>${escapeHtml(row.id)}</code></td>
<td>${escapeHtml(row.message)}</td><td><form method="post" action="/admin/retry"><input type="hidden" name="table" value="${escapeHtml(row.table)}">
<input type="hidden" name="id" value="${escapeHtml(row.id)}"><button type="submit" data-retry="${escapeHtml(row.table)}:${escapeHtml(row.id)}">Retry</button></form></td></tr>`
        )
        .join('\n')
    : '<tr><td colspan="5">No failures.</td></tr>';
  const recent = status.recent.length
    ? status.recent
        .map(
          (row) =>
            `<tr class="${escapeHtml(row.status)}"><td>${escapeHtml(row.at)}</td><td>${escapeHtml(row.table)}</td><td><code>${escapeHtml(row.id)}</code></td><td>${escapeHtml(row.status)}</td><td>${escapeHtml(row.message)}</td></tr>`
        )
        .join('\n')
    : '<tr><td colspan="5">Nothing synced yet.</td></tr>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>D365 → Xero connector status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#1b1b1b}
.pin{background:#b00020;color:#fff;padding:.75rem 1rem;font-weight:700;margin-bottom:1rem}
.sandbox{background:#ffd400;padding:.75rem 1rem;font-weight:700;font-size:1.2rem;margin-bottom:1rem}
.state-connected{color:#0a6b2b}.state-reconnect_required,.state-not_connected{color:#a11}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;font-size:.9rem}
tr.failed td{background:#fff1f1}dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}
</style></head>
<body>
${banner}
${pinWarning(status)}
<h1>Dynamics 365 → Xero connector</h1>
<h2>Xero connection</h2>
<dl>
<dt>State</dt><dd id="connection-state" class="state-${escapeHtml(c.state)}">${escapeHtml(CONNECTION_TEXT[c.state])}</dd>
<dt>Organisation</dt><dd id="organisation">${organisationsCell(c)}</dd>
${c.reason ? `<dt>Reason</dt><dd id="connection-reason">${escapeHtml(c.reason)}</dd>` : ''}
<dt>Token last refreshed</dt><dd id="refreshed-at">${escapeHtml(c.refreshedAt ?? 'never')}</dd>
${c.refreshTokenAgeHours !== undefined ? `<dt>Refresh token age</dt><dd>${escapeHtml(c.refreshTokenAgeHours.toFixed(1))} hours (expires after 60 days unused)</dd>` : ''}
</dl>
<p><a id="reconnect" href="${escapeHtml(status.connectPath)}">${c.state === 'connected' ? 'Reconnect Xero' : 'Connect Xero'}</a></p>
<h2>Queues</h2>
<dl>
<dt>Changes waiting</dt><dd id="changes-depth">${status.queues.changes.depth}</dd>
<dt>Changes dead-lettered</dt><dd id="changes-dead">${status.queues.changes.dead}</dd>
<dt>Xero writes waiting</dt><dd id="writes-depth">${status.queues.writes.depth}</dd>
<dt>Xero writes dead-lettered</dt><dd id="writes-dead">${status.queues.writes.dead}</dd>
<dt>Synced / failed / skipped</dt><dd id="counts">${status.counts.synced} / ${status.counts.failed} / ${status.counts.skipped}</dd>
</dl>
${status.sweep || status.preflight ? renderChecks(status.sweep, status.preflight) : ''}
<h2>Failures</h2>
<table id="failures"><thead><tr><th>When</th><th>Table</th><th>Record</th><th>Reason</th><th></th></tr></thead><tbody>
${failures}
</tbody></table>
<h2>Recent outcomes</h2>
<table id="recent"><thead><tr><th>When</th><th>Table</th><th>Record</th><th>Outcome</th><th>Message</th></tr></thead><tbody>
${recent}
</tbody></table>
</body></html>`;
}
