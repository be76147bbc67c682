/** The status page's sections, each a pure function of part of the snapshot. Every value is escaped here. */
import { escapeHtml, safeHref } from './html';
import { dateOnly, timeAgo } from './time-markup';
import { OUTCOME_FILTERS, type StatusFilter } from './status-filter';
import type {
  StatusConnection,
  StatusDeadLetter,
  StatusOrganisation,
  StatusOutcome,
  StatusQueueName,
  StatusRecord,
  StatusSnapshot,
} from './status-snapshot';
import { SYNCED_TABLES, type SyncedTable } from '../model/change-event';

export interface StatusPagePaths {
  /** Where the page itself is served (the filter form and the redirects after a Retry). */
  readonly page: string;
  /** POST: one dead letter (`retryKey`) or one record (`table` + `id`). */
  readonly retry: string;
  /** POST: every dead letter. */
  readonly retryAll: string;
  /** GET: starts a Xero consent for the signed-in operator. */
  readonly connect: string;
}

export const TABLE_LABELS: Readonly<Record<SyncedTable, string>> = {
  account: 'Account',
  contact: 'Contact',
  product: 'Product',
  salesorder: 'Sales order',
};

const QUEUE_LABELS: Readonly<Record<StatusQueueName, string>> = {
  changes: 'Dataverse changes',
  writes: 'Xero writes',
  'xero-events': 'Xero events',
};

const CONNECTION_TEXT: Readonly<Record<StatusConnection['state'], string>> = {
  connected: 'Connected',
  not_connected: 'Not connected — connect Xero to start syncing',
  reconnect_required: 'Reconnect required — syncing is paused, work is kept queued',
};

function link(href: string | undefined, text: string, className: string): string {
  const safe = safeHref(href);
  if (!safe) return escapeHtml(text);
  return `<a class="${className}" href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

/** The record by its name (opening Dynamics), its table, and "Xero" opening the document it became. */
export function recordCell(record: StatusRecord | undefined): string {
  if (!record) return '<span class="muted">unknown record</span>';
  const label = record.name ?? `${record.id.slice(0, 8)}…`;
  const name = link(record.dynamicsUrl, label, 'dynamics');
  const xero = record.xeroUrl ? ` ${link(record.xeroUrl, 'open in Xero', 'xero')}` : '';
  return `<span class="record" title="${escapeHtml(`${record.table} ${record.id}`)}"><span class="tag">${escapeHtml(TABLE_LABELS[record.table] ?? record.table)}</span> ${name}${xero}</span>`;
}

export function connectionSection(snapshot: StatusSnapshot, connectPath: string): string {
  const c = snapshot.connection;
  const now = snapshot.generatedAt;
  const expiry = c.refreshTokenExpiresAt
    ? `<dt>Refresh token</dt><dd id="refresh-token">${c.refreshTokenIssuedAt ? `renewed ${timeAgo(c.refreshTokenIssuedAt, now)}, ` : ''}expires ${dateOnly(c.refreshTokenExpiresAt)} unless used; the schedule renews it</dd>`
    : '';
  return `<section><h2>Xero connection</h2>
<dl>
<dt>State</dt><dd id="connection-state" class="state-${escapeHtml(c.state)}">${escapeHtml(CONNECTION_TEXT[c.state] ?? c.state)}</dd>
<dt>Organisation</dt><dd id="organisation">${escapeHtml(c.tenantName ?? '—')}</dd>
${c.reason ? `<dt>Reason</dt><dd id="connection-reason">${escapeHtml(c.reason)}</dd>` : ''}
<dt>Token last refreshed</dt><dd id="refreshed-at">${timeAgo(c.refreshedAt, now)}</dd>
${expiry}
</dl>
<p><a id="reconnect" class="button" href="${escapeHtml(safeHref(connectPath) ?? '#')}">${c.state === 'connected' ? 'Reconnect Xero' : 'Connect Xero'}</a></p>
${organisationsTable(c.organisations)}</section>`;
}

/** One row per Xero organisation, when records are routed to several. */
function organisationsTable(organisations: readonly StatusOrganisation[] | undefined): string {
  if (!organisations || organisations.length < 2) return '';
  const rows = organisations
    .map(
      (o) =>
        `<tr class="state-${escapeHtml(o.state)}" data-tenant="${escapeHtml(o.tenantId)}"><td>${link(o.xeroUrl, o.tenantName ?? o.tenantId, 'xero')}</td><td>${escapeHtml(CONNECTION_TEXT[o.state] ?? o.state)}</td><td>${escapeHtml(o.reason ?? '')}</td></tr>`
    )
    .join('\n');
  return `<table id="organisations"><thead><tr><th>Organisation</th><th>State</th><th>Reason</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

export function queuesSection(snapshot: StatusSnapshot): string {
  const names = (Object.keys(QUEUE_LABELS) as StatusQueueName[]).filter((name) => snapshot.queues[name]);
  const rows = names
    .map((name) => {
      const q = snapshot.queues[name] ?? { depth: 0, dead: 0 };
      return `<dt>${escapeHtml(QUEUE_LABELS[name])} waiting</dt><dd id="${name}-depth">${q.depth}</dd>
<dt>${escapeHtml(QUEUE_LABELS[name])} dead-lettered</dt><dd id="${name}-dead" class="${q.dead > 0 ? 'failed' : ''}">${q.dead}</dd>`;
    })
    .join('\n');
  const { synced, failed, skipped } = snapshot.counts;
  return `<section><h2>Queues and outcomes</h2>
<dl>
${rows}
<dt>Synced / failed / skipped</dt><dd id="counts">${synced} / ${failed} / ${skipped}</dd>
</dl></section>`;
}

export function filtersForm(paths: StatusPagePaths, filter: StatusFilter): string {
  const option = (value: string, label: string, selected: boolean) =>
    `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const tables = SYNCED_TABLES.map((t) => option(t, TABLE_LABELS[t], filter.table === t)).join('');
  const outcomes = OUTCOME_FILTERS.map((o) => option(o, o, filter.outcome === o)).join('');
  return `<form id="filters" method="get" action="${escapeHtml(paths.page)}">
<label>Table <select name="table">${option('', 'All tables', !filter.table)}${tables}</select></label>
<label>Outcome <select name="outcome">${option('', 'All outcomes', !filter.outcome)}${outcomes}</select></label>
${filter.paused ? '<input type="hidden" name="refresh" value="off">' : ''}<button type="submit">Filter</button>
<a href="${escapeHtml(paths.page)}">Clear</a>
</form>`;
}

/** Outcomes newest first; `retry` adds a Retry button per row (the record is queued for another sync). */
export function outcomesTable(
  id: string,
  rows: readonly StatusOutcome[],
  now: string,
  empty: string,
  retry?: { readonly path: string; readonly back: string }
): string {
  const body = rows.length
    ? rows
        .map((row) => {
          const button = retry
            ? `<td><form method="post" action="${escapeHtml(retry.path)}"><input type="hidden" name="table" value="${escapeHtml(row.table)}"><input type="hidden" name="id" value="${escapeHtml(row.id)}"><input type="hidden" name="back" value="${escapeHtml(retry.back)}"><button type="submit" data-retry="${escapeHtml(row.table)}:${escapeHtml(row.id)}">Retry</button></form></td>`
            : '';
          return `<tr class="${escapeHtml(row.status)}" data-table="${escapeHtml(row.table)}" data-status="${escapeHtml(row.status)}"><td>${timeAgo(row.at, now)}</td><td>${recordCell(row)}</td><td>${escapeHtml(row.status)}</td><td>${escapeHtml(row.message)}</td>${button}</tr>`;
        })
        .join('\n')
    : `<tr><td colspan="${retry ? 5 : 4}">${escapeHtml(empty)}</td></tr>`;
  return `<table id="${escapeHtml(id)}"><thead><tr><th>When</th><th>Record</th><th>Outcome</th><th>Message</th>${retry ? '<th></th>' : ''}</tr></thead><tbody>
${body}
</tbody></table>`;
}

/** Dead letters with a Retry each, and Retry all (only the filtered table's when a table filter is on). */
export function deadLettersSection(
  deadLetters: readonly StatusDeadLetter[],
  paths: StatusPagePaths,
  filter: StatusFilter,
  back: string,
  now: string
): string {
  const backField = `<input type="hidden" name="back" value="${escapeHtml(back)}">`;
  const rows = deadLetters.length
    ? deadLetters
        .map(
          (d) =>
            `<tr data-queue="${escapeHtml(d.queue)}"${d.record ? ` data-table="${escapeHtml(d.record.table)}"` : ''}><td>${timeAgo(d.at, now, '—')}</td><td>${escapeHtml(QUEUE_LABELS[d.queue] ?? d.queue)}</td><td>${recordCell(d.record)}</td><td>${escapeHtml(d.reason ?? '')}</td>` +
            `<td><form method="post" action="${escapeHtml(paths.retry)}"><input type="hidden" name="retryKey" value="${escapeHtml(d.retryKey)}">${backField}<button type="submit" data-retry-key="${escapeHtml(d.retryKey)}">Retry</button></form></td></tr>`
        )
        .join('\n')
    : '<tr><td colspan="5">No dead letters.</td></tr>';
  const retryAll = deadLetters.length
    ? `<form method="post" action="${escapeHtml(paths.retryAll)}">${backField}${filter.table ? `<input type="hidden" name="table" value="${escapeHtml(filter.table)}">` : ''}<button type="submit" id="retry-all">Retry all${filter.table ? ` ${escapeHtml(TABLE_LABELS[filter.table])} dead letters` : ''}</button></form>`
    : '';
  return `<section><h2>Dead letters <span class="count" id="dead-letter-count">${deadLetters.length}</span></h2>
${retryAll}
<table id="dead-letters"><thead><tr><th>When</th><th>Queue</th><th>Record</th><th>Reason</th><th></th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}
