/**
 * The subset of Xero's `where` language the connector uses: `Field=="value"` (or a number/true/false/null, or
 * `Contact.ContactID=guid("…")`) clauses joined with ` OR ` / ` AND ` (AND binds tighter), grouped with parentheses
 * (`Type=="ACCREC" AND (Reference=="a" OR Reference=="b")`). Dotted fields reach into nested objects.
 */
import { isRecord, type XeroRecord } from './xero-json';

export type RecordPredicate = (record: XeroRecord) => boolean;

const CLAUSE =
  /^\s*([A-Za-z][A-Za-z0-9.]*)\s*(==|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(true|false|null)|guid\("([0-9a-fA-F-]{36})"\))\s*$/i;

export class WhereSyntaxError extends Error {}

export function parseWhere(where: string): RecordPredicate {
  const anyOf = splitOutsideQuotes(where, ' OR ').map((group) =>
    splitOutsideQuotes(group, ' AND ').map((clause) => parseFactor(clause))
  );
  return (record) => anyOf.some((allOf) => allOf.every((test) => test(record)));
}

/** A parenthesised group is a whole expression again; anything else is one clause. */
function parseFactor(text: string): RecordPredicate {
  const trimmed = text.trim();
  if (trimmed.startsWith('(') && closingParenOf(trimmed) === trimmed.length - 1)
    return parseWhere(trimmed.slice(1, -1));
  return parseClause(trimmed);
}

/** Index of the parenthesis that closes the one at index 0 (quotes respected), or -1. */
function closingParenOf(text: string): number {
  let depth = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\' && inQuotes) {
      i += 1;
      continue;
    }
    if (ch === '"') inQuotes = !inQuotes;
    if (inQuotes) continue;
    if (ch === '(') depth += 1;
    if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

function parseClause(clause: string): RecordPredicate {
  const trimmed = clause.trim();
  const match = CLAUSE.exec(trimmed);
  if (!match) throw new WhereSyntaxError(`Unsupported where clause: ${trimmed}`);
  const [, field = '', operator, quoted, numeric, literal, guid] = match;
  if (guid !== undefined) {
    // guid("…") compares ids without regard to case, as Xero does.
    return (record) => {
      const equal = String(readPath(record, field) ?? '').toLowerCase() === guid.toLowerCase();
      return operator === '!=' ? !equal : equal;
    };
  }
  const expected: unknown =
    quoted !== undefined
      ? quoted.replace(/\\(.)/g, '$1')
      : numeric !== undefined
        ? Number(numeric)
        : literal === 'null'
          ? null
          : literal === 'true';
  return (record) => {
    const actual = readPath(record, field);
    const equal = (actual ?? null) === expected;
    return operator === '!=' ? !equal : equal;
  };
}

function readPath(record: XeroRecord, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** Splits on a separator (case-insensitive) that is not inside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let inQuotes = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\' && inQuotes) {
      i += 1;
      continue;
    }
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && ch === '(') depth += 1;
    if (!inQuotes && ch === ')') depth -= 1;
    if (!inQuotes && depth === 0 && text.slice(i, i + separator.length).toUpperCase() === separator) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
