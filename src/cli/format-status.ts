/**
 * `connector status` for people: the snapshot of GET /status (the same shape on both runtimes) as short lines —
 * "Refresh token: renewed 12 min ago, expires 6 Feb 2027 if unused", records by name with their table and id (what
 * `connector retry` takes), times relative to the snapshot. Every value from the server passes through
 * terminalSafe. A body that is not a snapshot (an older connector) is printed field by field as before.
 */
import { formatDateTime, formatDay, relativeTime } from '../../lambdas/core/status/human-time';
import type {
  StatusDeadLetter,
  StatusOutcome,
  StatusRecord,
  StatusSnapshot,
} from '../../lambdas/core/status/status-snapshot';
import { formatValue, terminalSafe } from './format-output';

export interface StatusTextOptions {
  /** IANA zone for dates; default the machine's own. */
  readonly timeZone?: string;
  /** Rows listed per section (recent outcomes, failures, dead letters). Default 10. */
  readonly rows?: number;
}

const STATE_TEXT: Record<string, string> = {
  connected: 'Connected',
  not_connected: 'Not connected (run `connector connect-link`)',
  reconnect_required: 'Reconnect required: syncing is paused, work is kept queued',
};

const QUEUE_TEXT: Record<string, string> = {
  changes: 'Dataverse changes',
  writes: 'Xero writes',
  'xero-events': 'Xero events',
};

export function isStatusSnapshot(body: unknown): body is StatusSnapshot {
  if (!body || typeof body !== 'object') return false;
  const b = body as Partial<StatusSnapshot>;
  return typeof b.generatedAt === 'string' && !!b.connection && typeof b.connection === 'object';
}

/** Indented lines for a terminal (no trailing newline). */
export function formatStatus(body: unknown, options: StatusTextOptions = {}): string {
  if (!isStatusSnapshot(body)) return formatValue(body, '  ');
  const zone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const limit = options.rows ?? 10;
  const now = body.generatedAt;
  const ago = (iso: string | undefined) => (iso ? relativeTime(iso, now) : 'never');
  const lines = [
    `Runtime: ${body.runtime} (as of ${formatDateTime(now, zone)})`,
    ...connectionLines(body, zone, ago),
    `Queues: ${queueText(body)}`,
    `Outcomes: ${outcomeText(body)}`,
    ...section(
      'Dead letters',
      body.deadLetters ?? [],
      limit,
      (d) =>
        `${ago(d.at)}  ${QUEUE_TEXT[d.queue] ?? d.queue}  ${recordText(d.record)}  ${d.reason ?? ''}  [retry key ${d.retryKey}]`
    ),
    ...section('Failures (not retried)', body.failures ?? [], limit, (o) => outcomeLine(o, ago)),
    ...section('Recent outcomes', body.recent ?? [], limit, (o) => outcomeLine(o, ago)),
    ...checkLines(body, ago),
    ...(body.warnings ?? []).map((w) => `Warning: ${w}`),
  ];
  return lines.map((line) => `  ${terminalSafe(line.trimEnd())}`).join('\n');
}

function connectionLines(s: StatusSnapshot, zone: string, ago: (iso?: string) => string): string[] {
  const c = s.connection;
  const org = c.tenantName ? ` to ${c.tenantName}` : '';
  // An unpinned connection is one of the snapshot's warnings, printed below.
  const pinned = c.tenantPinned ? ' (organisation pinned)' : '';
  const lines = [`Xero: ${STATE_TEXT[c.state] ?? c.state}${c.state === 'connected' ? org : ''}${pinned}`];
  if (c.reason) lines.push(`Reason: ${c.reason}`);
  if (c.refreshedAt) lines.push(`Access token: refreshed ${ago(c.refreshedAt)}`);
  if (c.refreshTokenExpiresAt) {
    const renewed = c.refreshTokenIssuedAt ? `renewed ${ago(c.refreshTokenIssuedAt)}, ` : '';
    lines.push(
      `Refresh token: ${renewed}expires ${formatDay(c.refreshTokenExpiresAt, zone)} if unused (the schedule renews it)`
    );
  }
  if (c.organisations && c.organisations.length > 1) {
    lines.push(`Organisations (${c.organisations.length}):`);
    for (const o of c.organisations)
      lines.push(
        `  ${o.tenantName ?? o.tenantId}: ${STATE_TEXT[o.state] ?? o.state}${o.reason ? ` (${o.reason})` : ''}`
      );
  }
  return lines;
}

function queueText(s: StatusSnapshot): string {
  const parts = Object.entries(s.queues ?? {}).map(
    ([name, q]) => `${QUEUE_TEXT[name] ?? name} ${q?.depth ?? 0} waiting, ${q?.dead ?? 0} dead`
  );
  return parts.length ? parts.join(' · ') : '-';
}

function outcomeText(s: StatusSnapshot): string {
  const c = s.counts ?? { synced: 0, failed: 0, skipped: 0 };
  const day = (s.hourly ?? []).reduce((t, h) => ({ synced: t.synced + h.synced, failed: t.failed + h.failed }), {
    synced: 0,
    failed: 0,
  });
  return `${c.synced} synced, ${c.failed} failed, ${c.skipped} skipped (last 24 h: ${day.synced} synced, ${day.failed} failed)`;
}

/** `Account "Northwind Roasters" (account 0a3e…)`: the name a person knows and the id `connector retry` takes. */
export function recordText(record: StatusRecord | undefined): string {
  if (!record) return 'unknown record';
  const label =
    record.table === 'salesorder' ? 'Sales order' : record.table.charAt(0).toUpperCase() + record.table.slice(1);
  return record.name ? `${label} "${record.name}" (${record.table} ${record.id})` : `${label} ${record.id}`;
}

function outcomeLine(o: StatusOutcome, ago: (iso?: string) => string): string {
  return `${ago(o.at)}  ${o.status}  ${recordText(o)}  ${o.message}`;
}

function section<T extends StatusOutcome | StatusDeadLetter>(
  title: string,
  rows: readonly T[],
  limit: number,
  line: (row: T) => string
): string[] {
  if (rows.length === 0) return [`${title}: none`];
  const shown = rows.slice(0, limit);
  const more = rows.length > shown.length ? ` (newest ${shown.length} of ${rows.length})` : '';
  return [`${title}${more}:`, ...shown.map((row) => `  ${line(row)}`)];
}

function checkLines(s: StatusSnapshot, ago: (iso?: string) => string): string[] {
  const lines: string[] = [];
  const sweep = s.sweep;
  if (sweep) {
    const every = sweep.intervalSeconds ? `every ${sweep.intervalSeconds} s` : 'off';
    lines.push(
      `Catch-up sweep: ${every}, last run ${sweep.lastRunAt ? ago(sweep.lastRunAt) : 'not yet'}, ` +
        `missed by webhooks ${sweep.missedLastRun ?? 0} last run, ${sweep.missedTotal ?? 0} in total`
    );
  }
  const p = s.preflight;
  if (p) {
    const verdict = p.error
      ? `could not check (${p.error})`
      : p.ok
        ? 'all mapping settings valid'
        : `${p.problems.length} setting(s) Xero cannot use`;
    lines.push(`Xero settings check: ${verdict}, ${ago(p.checkedAt)}`);
    // Several organisations: each one's own verdict.
    if ((p.organisations?.length ?? 0) > 1)
      for (const o of p.organisations ?? [])
        lines.push(
          `  ${o.name}: ${o.error ? `could not check (${o.error})` : o.ok ? 'all mapping settings valid' : `${o.problems} setting(s) Xero cannot use`}`
        );
  }
  return lines;
}
