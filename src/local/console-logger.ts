import type { Logger } from '../../lambdas/core/ports';
import { systemNow } from '../../lambdas/adapters/system-clock';

const SECRET_FIELD = /token|secret|password|authorization|cookie|webhookkey|apikey|^code$|^key$/i;
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * JSON-lines logger for the local runtime: a message plus stable ids. Fields whose names suggest a secret are
 * replaced before anything is written — a second line of defence; callers never pass secrets on purpose.
 */
export function createConsoleLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return;
    write(JSON.stringify({ time: systemNow().toISOString(), level, message, ...redact(fields ?? {}) }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = SECRET_FIELD.test(key) ? '[redacted]' : value;
  return out;
}
