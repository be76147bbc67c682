/**
 * Turns connector JSON answers into short, readable terminal text. Text that came from Dataverse (record names,
 * failure messages, step names) passes through terminalSafe first: a name carrying ESC or CSI could otherwise move
 * the cursor, rewrite earlier lines or retitle the operator's terminal. `--json` output stays byte-exact JSON.
 */

/** C0 controls (tab and newline included: a value must stay on its line), DEL and the C1 controls. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** The text with every control character replaced by a space, safe to print inside one terminal line. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ');
}

/**
 * JSON for a terminal: the same value, but DEL and C1 controls (which JSON.stringify leaves raw) escaped as \uXXXX,
 * so the text still parses to exactly the same data.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** Renders any JSON value as indented `Label: value` lines, with camelCase keys spelt out. */
export function formatValue(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return `${indent}-`;
  if (typeof value !== 'object') return `${indent}${terminalSafe(String(value))}`;
  const lines: string[] = [];
  const entries = Array.isArray(value) ? value.map((v, i) => [`${i + 1}`, v] as const) : Object.entries(value);
  if (entries.length === 0) return `${indent}(none)`;
  for (const [key, child] of entries) {
    const label = humanize(key);
    if (child !== null && typeof child === 'object') {
      lines.push(`${indent}${label}:`);
      lines.push(formatValue(child, `${indent}  `));
    } else {
      lines.push(`${indent}${label}: ${child === null || child === undefined ? '-' : terminalSafe(String(child))}`);
    }
  }
  return lines.join('\n');
}

/** `queueDepth` → `Queue depth`, `dead_letters` → `Dead letters`. */
export function humanize(key: string): string {
  const spaced = terminalSafe(key)
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The message a failed server answer carries, or a generic one by status. */
export function errorMessageOf(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const text = [record.message, record.error_description, record.error].find((v) => typeof v === 'string');
    if (typeof text === 'string') return terminalSafe(text);
  }
  if (typeof body === 'string' && body.trim() !== '' && body.length < 300) return terminalSafe(body.trim());
  if (status === 401 || status === 403) return 'the connector refused the admin token';
  if (status === 404) return 'not found';
  return `HTTP ${status}`;
}

/**
 * What an operator must act on, from the sweep and preflight figures of `/status` (local or AWS): each mapping
 * setting the Xero organisation cannot use, with its valid choices, changes webhooks failed to deliver, and each
 * Xero organisation whose work is paused until a new consent includes it.
 */
export function statusAlerts(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const { sweep, preflight, connection } = body as {
    connection?: { organisations?: { tenantId: string; tenantName?: string; state: string; reason?: string }[] };
    sweep?: { missedLastRun?: number };
    preflight?: {
      error?: string;
      problems?: { setting: string; value: string; problem: string; validChoices: string; organisation?: string }[];
      organisations?: { name: string; error?: string }[];
    };
  };
  const alerts = (preflight?.problems ?? []).map(
    (p) =>
      `${p.organisation ? `${p.organisation}: ` : ''}Setting ${p.setting} = ${p.value}: ${p.problem}. ` +
      `Valid choices: ${p.validChoices}`
  );
  if (preflight?.error) alerts.push(`Xero settings could not be checked: ${preflight.error}`);
  else
    for (const o of preflight?.organisations ?? [])
      if (o.error) alerts.push(`Xero settings of ${o.name} could not be checked: ${o.error}`);
  for (const o of connection?.organisations ?? []) {
    if (o.state !== 'reconnect_required') continue;
    const why = o.reason ? ` (${o.reason})` : '';
    alerts.push(`Xero organisation ${o.tenantName ?? o.tenantId} is paused${why}: reconnect Xero including it`);
  }
  if ((sweep?.missedLastRun ?? 0) > 0)
    alerts.push(`The last catch-up sweep found ${sweep?.missedLastRun} change(s) no webhook delivered (now queued)`);
  return alerts;
}
