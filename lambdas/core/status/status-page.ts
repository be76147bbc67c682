/**
 * The operator's status page, the same on both runtimes: one self-contained HTML document drawn from a
 * StatusSnapshot. Pure (no I/O), so the AWS status function bundles it and the local server calls it alike.
 * Records show by name with links into Dynamics and Xero; times are relative and, with the nonce'd script, in the
 * viewer's zone; filters and auto-refresh live in query parameters and work without script. Everything is escaped,
 * and nothing loads from elsewhere, so the page works under `statusPageCsp`.
 */
import { escapeHtml } from './html';
import { NO_TENANT_PIN_WARNING } from './status-connection';
import { renderHourlyChart } from './hourly-chart';
import { renderChecks } from './status-checks-html';
import { filterSnapshot, statusFilterQuery, statusPageHref, type StatusFilter } from './status-filter';
import { STATUS_PAGE_SCRIPT } from './status-page-script';
import {
  connectionSection,
  deadLettersSection,
  filtersForm,
  outcomesTable,
  queuesSection,
  type StatusPagePaths,
} from './status-page-sections';
import type { StatusSnapshot } from './status-snapshot';
import { timeAgo } from './time-markup';

export type { StatusPagePaths } from './status-page-sections';

export interface StatusPageOptions {
  /** The routes the page's links and forms use; `connect` defaults to the snapshot's connectPath. */
  readonly paths: Omit<StatusPagePaths, 'connect'> & { readonly connect?: string };
  /** A fresh random value per response; the page's <script> and <style> carry it. Without it, no script. */
  readonly nonce?: string;
  readonly filter?: StatusFilter;
  /** Seconds between automatic refreshes (0 turns it off). Default 30. */
  readonly refreshSeconds?: number;
}

/** The header the page needs: nothing from elsewhere, only its own nonce'd script and style, no framing. */
export function statusPageCsp(nonce: string): string {
  return (
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
  );
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:76rem;padding:0 1rem;color:#1b1b1b}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1.5rem}header h1{margin:0;font-size:1.5rem}
.muted,header p{color:#666;font-size:.9rem;margin:0}
.pin{background:#b00020;color:#fff;padding:.75rem 1rem;font-weight:700;margin:1rem 0}
.warning{background:#fff4e5;border-left:4px solid #e65100;padding:.5rem 1rem;margin:.5rem 0}
.sandbox{background:#ffd400;padding:.75rem 1rem;font-weight:700;font-size:1.2rem;margin-bottom:1rem}
.state-connected{color:#0a6b2b}.state-reconnect_required,.state-not_connected,dd.failed{color:#a11}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}.card{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.6rem}.card.bad b{color:#a11}.card.good b{color:#0a6b2b}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;font-size:.9rem;vertical-align:top}
tr.failed td{background:#fff1f1}tr.skipped td{color:#555}dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .3rem;font-size:.75rem;color:#334}
a.xero{font-size:.8rem;margin-left:.4rem}a.button,button{cursor:pointer}
a.button{display:inline-block;background:#0b5cad;color:#fff;padding:.4rem .9rem;border-radius:4px;text-decoration:none}
#filters{display:flex;gap:1rem;align-items:center;margin:.5rem 0 1rem}form{margin:0}
.legend{font-size:.85rem;color:#555}.key{display:inline-block;width:.8rem;height:.8rem;vertical-align:middle}
.key.synced{background:#2e7d32}.key.failed{background:#c62828}.count{color:#666;font-weight:400}
#hourly-chart{max-width:100%;height:auto}
`;

function cards(snapshot: StatusSnapshot): string {
  const day = snapshot.hourly.reduce((s, h) => ({ synced: s.synced + h.synced, failed: s.failed + h.failed }), {
    synced: 0,
    failed: 0,
  });
  const waiting = Object.values(snapshot.queues).reduce((n, q) => n + (q?.depth ?? 0), 0);
  const dead = Object.values(snapshot.queues).reduce((n, q) => n + (q?.dead ?? 0), 0);
  const card = (id: string, label: string, value: number, tone: string) =>
    `<div class="card ${tone}"><b id="${id}">${value}</b>${escapeHtml(label)}</div>`;
  return `<div class="cards">
${card('synced-24h', 'synced, last 24 h', day.synced, 'good')}
${card('failed-24h', 'failed, last 24 h', day.failed, day.failed > 0 ? 'bad' : '')}
${card('waiting', 'waiting in queues', waiting, '')}
${card('dead-total', 'dead letters', dead, dead > 0 ? 'bad' : '')}
</div>`;
}

function refreshControl(paths: StatusOptionsPaths, filter: StatusFilter, seconds: number): string {
  if (seconds <= 0) return '';
  return filter.paused
    ? `<p id="auto-refresh">Auto-refresh paused. <a href="${escapeHtml(statusPageHref(paths.page, { ...filter, paused: false }))}">Resume</a></p>`
    : `<p id="auto-refresh">Refreshes every ${seconds} s. <a href="${escapeHtml(statusPageHref(paths.page, { ...filter, paused: true }))}">Pause</a></p>`;
}

type StatusOptionsPaths = StatusPageOptions['paths'];

export function renderStatusPage(snapshot: StatusSnapshot, options: StatusPageOptions): string {
  const filter = options.filter ?? {};
  const shown = filterSnapshot(snapshot, filter);
  const paths: StatusPagePaths = { ...options.paths, connect: options.paths.connect ?? snapshot.connectPath };
  const refreshSeconds = options.refreshSeconds ?? 30;
  const back = statusFilterQuery(filter);
  const now = snapshot.generatedAt;
  const nonce = options.nonce ? ` nonce="${escapeHtml(options.nonce)}"` : '';
  const c = snapshot.connection;
  const banner =
    snapshot.runtime === 'sandbox'
      ? '<div class="sandbox" role="alert">SANDBOX MODE — talking to the built-in sandbox Xero and Dataverse, not real systems</div>'
      : '';
  const pin =
    c.tenantPinned === false
      ? '<div class="pin" role="alert" id="no-tenant-pin">WARNING: no Xero organisation is pinned (XERO_TENANT_ID is ' +
        'not set). A new consent could connect a different organisation. Set XERO_TENANT_ID to the tenant id of ' +
        `${escapeHtml(c.tenantName ?? 'your organisation')} to lock it.</div>`
      : '';
  const warnings = snapshot.warnings
    .filter((w) => !(pin && w === NO_TENANT_PIN_WARNING))
    .map((w) => `<div class="warning">${escapeHtml(w)}</div>`)
    .join('\n');
  const refresh = refreshSeconds > 0 && !filter.paused ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>D365 → Xero connector status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<style${nonce}>${STYLE}</style></head>
<body>
${banner}
${pin}
${warnings}
<header><h1>Dynamics 365 → Xero connector</h1><p>Updated ${timeAgo(now, now)} · ${escapeHtml(snapshot.runtime)} runtime</p>${refreshControl(paths, filter, refreshSeconds)}</header>
${cards(snapshot)}
<section><h2>Last 24 hours</h2>
${renderHourlyChart(snapshot.hourly)}</section>
${connectionSection(snapshot, paths.connect)}
${queuesSection(snapshot)}
${filtersForm(paths, filter)}
${deadLettersSection(shown.deadLetters, paths, filter, back, now)}
<section><h2>Failures <span class="count">not retried, need attention</span></h2>
${outcomesTable('failures', shown.failures, now, 'No failures.', { path: paths.retry, back })}</section>
<section><h2>Recent outcomes</h2>
${outcomesTable('recent', shown.recent, now, filter.table || filter.outcome ? 'Nothing matches the filter.' : 'Nothing synced yet.')}</section>
${snapshot.sweep || snapshot.preflight ? renderChecks(snapshot.sweep, snapshot.preflight, now) : ''}
${options.nonce ? `<script${nonce}>${STATUS_PAGE_SCRIPT}</script>` : ''}
</body></html>`;
}
