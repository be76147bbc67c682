/**
 * A small OData `$filter` evaluator for the sandbox: comparisons (eq ne gt ge lt le) of a column with a literal,
 * `and` / `or` / `not`, parentheses, and contains/startswith/endswith. Enough for the connector's polling queries
 * (`modifiedon gt 2026-01-01T00:00:00Z`, `statecode eq 0`, `_customerid_value eq <guid>`).
 */
import { badRequestError } from './dataverse-error';

export type RowPredicate = (row: Readonly<Record<string, unknown>>) => boolean;

type Token = { kind: 'word' | 'string' | 'punct'; text: string };

const TOKEN = /\s*(?:'((?:[^']|'')*)'|([(),])|([^\s(),']+))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length && !/^\s*$/.test(text.slice(index))) {
    TOKEN.lastIndex = index;
    const match = TOKEN.exec(text);
    if (!match) throw badRequestError(`Could not parse $filter near '${text.slice(index)}'.`, '0x80060888');
    if (match[1] !== undefined) tokens.push({ kind: 'string', text: match[1].replace(/''/g, "'") });
    else if (match[2] !== undefined) tokens.push({ kind: 'punct', text: match[2] });
    else tokens.push({ kind: 'word', text: match[3] ?? '' });
    index = TOKEN.lastIndex;
  }
  return tokens;
}

export function parseFilter(text: string): RowPredicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (why: string): never => {
    throw badRequestError(`Invalid $filter: ${why}.`, '0x80060888');
  };
  const expectPunct = (p: string): void => {
    const t = tokens[pos++];
    if (t?.kind !== 'punct' || t.text !== p) fail(`expected '${p}'`);
  };

  function orExpr(): RowPredicate {
    let left = andExpr();
    while (peek()?.kind === 'word' && peek()?.text.toLowerCase() === 'or') {
      pos += 1;
      const a = left;
      const b = andExpr();
      left = (row) => a(row) || b(row);
    }
    return left;
  }
  function andExpr(): RowPredicate {
    let left = unary();
    while (peek()?.kind === 'word' && peek()?.text.toLowerCase() === 'and') {
      pos += 1;
      const a = left;
      const b = unary();
      left = (row) => a(row) && b(row);
    }
    return left;
  }
  function unary(): RowPredicate {
    const t = peek();
    if (t?.kind === 'word' && t.text.toLowerCase() === 'not') {
      pos += 1;
      const inner = unary();
      return (row) => !inner(row);
    }
    if (t?.kind === 'punct' && t.text === '(') {
      pos += 1;
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    return comparison();
  }
  function comparison(): RowPredicate {
    const first = tokens[pos++];
    if (first?.kind !== 'word') return fail('expected a column name');
    const fn = first.text.toLowerCase();
    if (['contains', 'startswith', 'endswith'].includes(fn) && peek()?.text === '(') {
      pos += 1;
      const column = tokens[pos++];
      expectPunct(',');
      const needle = tokens[pos++];
      expectPunct(')');
      if (column?.kind !== 'word' || needle?.kind !== 'string') return fail(`bad arguments to ${fn}`);
      const n = needle.text.toLowerCase();
      return (row) => {
        const v = row[column.text];
        if (typeof v !== 'string') return false;
        const h = v.toLowerCase();
        return fn === 'contains' ? h.includes(n) : fn === 'startswith' ? h.startsWith(n) : h.endsWith(n);
      };
    }
    const op = tokens[pos++];
    const literalToken = tokens[pos++];
    if (op?.kind !== 'word' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op.text))
      return fail('expected an operator');
    if (!literalToken || literalToken.kind === 'punct') return fail('expected a value');
    const literal = parseLiteral(literalToken);
    const column = first.text;
    return (row) => compare(row[column], op.text, literal);
  }

  const predicate = orExpr();
  if (pos < tokens.length) fail(`unexpected '${tokens[pos]?.text ?? ''}'`);
  return predicate;
}

function parseLiteral(token: Token): unknown {
  if (token.kind === 'string') return token.text;
  const t = token.text;
  if (t === 'null') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) return t;
  if (/^[0-9a-f-]{36}$/i.test(t)) return t.toLowerCase();
  throw badRequestError(`Invalid $filter literal '${t}'.`, '0x80060888');
}

function compare(actual: unknown, op: string, expected: unknown): boolean {
  if (op === 'eq' || op === 'ne') {
    const equal = normalise(actual) === normalise(expected);
    return op === 'eq' ? equal : !equal;
  }
  if (actual === null || actual === undefined || expected === null) return false;
  const a = orderable(actual);
  const b = orderable(expected);
  if (typeof a !== typeof b) return false;
  if (op === 'gt') return a > b;
  if (op === 'ge') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}

/** Dataverse string comparison is case-insensitive; ISO timestamps compare as instants. */
function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'string') {
    const instant = isoInstant(value);
    return instant ?? value.toLowerCase();
  }
  return value;
}

function orderable(value: unknown): number | string {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return isoInstant(value) ?? value.toLowerCase();
  return String(value);
}

function isoInstant(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value)) return undefined;
  const ms = Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:\d{2})$/.test(value) ? `${value}Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}
