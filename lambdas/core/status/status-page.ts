/**
 * PLACEHOLDER renderer (branch status-aws): the status-page branch owns the real page; this minimal version exists
 * so the AWS routes and their tests run before the two are merged. Same signature; every value is escaped.
 */
import type { StatusOutcome, StatusSnapshot } from './status-snapshot';

export interface StatusPageOptions {
  readonly retryPath: string;
  readonly retryAllPath: string;
  readonly connectPath: string;
  /** CSP nonce for the page's inline style and script. */
  readonly nonce?: string;
}

export function renderStatusPage(snapshot: StatusSnapshot, options: StatusPageOptions): string {
  const nonce = options.nonce ? ` nonce="${esc(options.nonce)}"` : '';
  const queues = Object.entries(snapshot.queues)
    .map(([name, q]) => `<li>${esc(name)}: ${q?.depth ?? 0} waiting, ${q?.dead ?? 0} dead</li>`)
    .join('');
  const outcome = (o: StatusOutcome) =>
    `<li>${esc(o.at)} ${esc(o.status)} ${esc(o.table)} <span class="name">${esc(o.name ?? o.id)}</span>: ${esc(o.message)}</li>`;
  const dead = snapshot.deadLetters
    .map(
      (d) =>
        `<li>${esc(d.queue)} <span class="name">${esc(d.record?.name ?? d.record?.id ?? '')}</span> ${esc(d.reason ?? '')}` +
        `<form method="post" action="${esc(options.retryPath)}"><input type="hidden" name="retryKey" value="${esc(d.retryKey)}">` +
        `<button type="submit">Retry</button></form></li>`
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connector status</title>
<style${nonce}>body{font-family:sans-serif}</style></head><body>
<h1>Connector status (${esc(snapshot.runtime)})</h1>
<p id="connection-state">${esc(snapshot.connection.state)} ${esc(snapshot.connection.tenantName ?? '')}</p>
<p><a href="${esc(options.connectPath)}">${snapshot.connection.state === 'connected' ? 'Reconnect' : 'Connect'} Xero</a></p>
${snapshot.warnings.map((w) => `<p role="alert">${esc(w)}</p>`).join('')}
<ul id="queues">${queues}</ul>
<p>Synced ${snapshot.counts.synced}, failed ${snapshot.counts.failed}, skipped ${snapshot.counts.skipped}</p>
<h2>Dead letters</h2><ul id="dead-letters">${dead}</ul>
<form method="post" action="${esc(options.retryAllPath)}"><button type="submit">Retry all</button></form>
<h2>Failures</h2><ul id="failures">${snapshot.failures.map(outcome).join('')}</ul>
<h2>Recent</h2><ul id="recent">${snapshot.recent.map(outcome).join('')}</ul>
</body></html>`;
}

function esc(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c
  );
}
