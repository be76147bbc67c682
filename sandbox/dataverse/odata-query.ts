/**
 * Parsing of the OData system query options the sandbox supports ($select, $expand with nested options, $filter,
 * $orderby, $top) and of the `Prefer: odata.include-annotations` list.
 */
import { badRequestError } from './dataverse-error';
import { parseFilter, type RowPredicate } from './odata-filter';

export interface QueryOptions {
  readonly select?: readonly string[];
  readonly expand: readonly ExpandOption[];
  readonly filter?: RowPredicate;
  readonly orderby: ReadonlyArray<{ readonly column: string; readonly descending: boolean }>;
  readonly top?: number;
}

export interface ExpandOption {
  readonly navigation: string;
  readonly options: QueryOptions;
  /** The option text as written, for @odata.context. */
  readonly text: string;
}

export function parseQueryOptions(params: ReadonlyMap<string, string> | URLSearchParams): QueryOptions {
  const get = (name: string): string | undefined => params.get(name) ?? undefined;
  const select = get('$select');
  const expand = get('$expand');
  const filter = get('$filter');
  const orderby = get('$orderby');
  const top = get('$top');
  if (top !== undefined && !/^\d+$/.test(top)) throw badRequestError(`Invalid $top value '${top}'.`, '0x80060888');
  return {
    ...(select
      ? {
          select: select
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    expand: expand ? splitTopLevel(expand, ',').map(parseExpandItem) : [],
    ...(filter ? { filter: parseFilter(filter) } : {}),
    orderby: orderby
      ? orderby.split(',').map((part) => {
          const [column = '', direction = 'asc'] = part.trim().split(/\s+/);
          return { column, descending: direction.toLowerCase() === 'desc' };
        })
      : [],
    ...(top !== undefined ? { top: Number(top) } : {}),
  };
}

function parseExpandItem(item: string): ExpandOption {
  const text = item.trim();
  const open = text.indexOf('(');
  if (open < 0) return { navigation: text, options: { expand: [], orderby: [] }, text };
  if (!text.endsWith(')')) throw badRequestError(`Invalid $expand '${text}'.`, '0x80060888');
  const inner = text.slice(open + 1, -1);
  const nested = new Map<string, string>();
  for (const part of splitTopLevel(inner, ';')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw badRequestError(`Invalid $expand option '${part}'.`, '0x80060888');
    nested.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return { navigation: text.slice(0, open).trim(), options: parseQueryOptions(nested), text };
}

/** Splits on a separator that is outside parentheses and quotes. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth += 1;
    else if (!quoted && ch === ')') depth -= 1;
    else if (!quoted && depth === 0 && ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Which annotations a `Prefer` header asked for: `odata.include-annotations="*"` or a list with wildcards. */
export function annotationFilter(prefer: string | undefined): (annotation: string) => boolean {
  const match = /odata\.include-annotations="([^"]*)"/i.exec(prefer ?? '');
  if (!match?.[1]) return () => false;
  const patterns = match[1].split(',').map((p) => p.trim());
  const matches = (pattern: string, name: string): boolean =>
    pattern === '*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1)));
  return (name) =>
    patterns.some((p) => !p.startsWith('-') && matches(p, name)) &&
    !patterns.some((p) => p.startsWith('-') && matches(p.slice(1), name));
}

export function maxPageSize(prefer: string | undefined): number | undefined {
  const match = /odata\.maxpagesize=(\d+)/i.exec(prefer ?? '');
  return match?.[1] ? Number(match[1]) : undefined;
}
