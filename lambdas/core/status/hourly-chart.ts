/**
 * Synced and failed outcomes per hour as an inline SVG bar chart: no library, no external resource, nothing a
 * strict CSP refuses (colours are presentation attributes, not style attributes). Each bar carries its figures in
 * data attributes and a <title> tooltip; hour labels are UTC until the page script rewrites them to the viewer's zone.
 */
import { escapeHtml } from './html';
import { formatHour } from './human-time';
import type { StatusHour } from './status-snapshot';

const BAR = 20;
const GAP = 4;
const PLOT_HEIGHT = 100;
const LABEL_SPACE = 18;
const SYNCED_COLOUR = '#2e7d32';
const FAILED_COLOUR = '#c62828';

/** Bar height in px: proportional to the busiest hour, and at least 1 px when there was anything at all. */
export function barHeight(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(1, Math.round((count / max) * PLOT_HEIGHT));
}

export function renderHourlyChart(hours: readonly StatusHour[]): string {
  const max = Math.max(1, ...hours.map((h) => h.synced + h.failed));
  const width = hours.length * (BAR + GAP);
  const totals = hours.reduce((sum, h) => ({ synced: sum.synced + h.synced, failed: sum.failed + h.failed }), {
    synced: 0,
    failed: 0,
  });
  const bars = hours.map((hour, i) => bar(hour, i, max)).join('\n');
  const labels = hours
    .map((hour, i) =>
      i % 6 === 0
        ? `<text x="${i * (BAR + GAP)}" y="${PLOT_HEIGHT + 14}" font-size="11" fill="#555" data-local-hour="${escapeHtml(hour.hourStart)}">${escapeHtml(formatHour(hour.hourStart))}</text>`
        : ''
    )
    .join('');
  const summary = `Synced and failed per hour over the last ${hours.length} hours: ${totals.synced} synced, ${totals.failed} failed`;
  return `<svg id="hourly-chart" role="img" aria-labelledby="hourly-chart-title" viewBox="0 0 ${width} ${PLOT_HEIGHT + LABEL_SPACE}" width="${width}" height="${PLOT_HEIGHT + LABEL_SPACE}" xmlns="http://www.w3.org/2000/svg">
<title id="hourly-chart-title">${escapeHtml(summary)}</title>
<line x1="0" y1="${PLOT_HEIGHT}" x2="${width}" y2="${PLOT_HEIGHT}" stroke="#bbb" stroke-width="1"/>
${bars}
${labels}
</svg>
<p class="legend"><span class="key synced"></span> synced <span class="key failed"></span> failed</p>`;
}

function bar(hour: StatusHour, index: number, max: number): string {
  const x = index * (BAR + GAP);
  const synced = barHeight(hour.synced, max);
  const failed = barHeight(hour.failed, max);
  const tip = `${formatHour(hour.hourStart)} UTC: ${hour.synced} synced, ${hour.failed} failed`;
  return (
    `<g class="bar" data-hour="${escapeHtml(hour.hourStart)}" data-synced="${hour.synced}" data-failed="${hour.failed}">` +
    `<title>${escapeHtml(tip)}</title>` +
    `<rect class="synced" x="${x}" y="${PLOT_HEIGHT - synced}" width="${BAR}" height="${synced}" fill="${SYNCED_COLOUR}"/>` +
    `<rect class="failed" x="${x}" y="${PLOT_HEIGHT - synced - failed}" width="${BAR}" height="${failed}" fill="${FAILED_COLOUR}"/>` +
    `</g>`
  );
}
