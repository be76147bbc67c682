import type { Clock, Logger } from '../../../../lambdas/core/ports';

/** A logger that keeps every line (message + fields) as text, so tests can assert what was and was not logged. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  debug(message: string, fields?: Record<string, unknown>): void {
    this.push('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.push('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.push('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.push('error', message, fields);
  }
  private push(level: string, message: string, fields?: Record<string, unknown>): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  }
}

export class ManualClock implements Clock {
  constructor(private current = new Date('2026-01-15T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Fails the test if any of the given secrets appears in any of the texts. */
export function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  for (const secret of secrets.filter((s) => s.length >= 8)) {
    for (const text of texts) expect(text.includes(secret) ? `${secret} leaked in: ${text}` : 'clean').toBe('clean');
  }
}
