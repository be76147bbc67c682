/** Shapes and formatting shared by the sandbox Xero store and server: Xero's JSON is PascalCase with MS-style dates. */
import { randomUUID } from 'node:crypto';

export type XeroRecord = Record<string, unknown>;

/** What one element of a PUT/POST batch became: the saved record, or the input with its validation messages. */
export interface ElementOutcome {
  readonly record: XeroRecord;
  readonly errors: readonly string[];
}

export function msDate(ms: number): string {
  return `/Date(${ms}+0000)/`;
}

/** Accepts `YYYY-MM-DD`, ISO date-times and `/Date(ms±hhmm)/`; returns UTC epoch ms or undefined. */
export function parseXeroDate(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value.trim());
  if (ms?.[1]) return Number(ms[1]);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(T.*)?$/.exec(value.trim());
  if (!iso) {
    // HTTP dates (If-Modified-Since: Tue, 03 Mar 2026 10:00:00 GMT)
    const http = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim())
      ? Date.parse(value)
      : NaN;
    return Number.isNaN(http) ? undefined : http;
  }
  const parsed = Date.parse(
    iso[4] ? (/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso[4]) ? value : `${value}Z`) : `${value}T00:00:00Z`
  );
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Xero's DateString form: local date-time without zone. */
export function dateString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function newId(): string {
  return randomUUID();
}

export function isRecord(value: unknown): value is XeroRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function sameText(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
