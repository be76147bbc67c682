/**
 * A loopback pass-through in front of the sandbox Xero that rewrites one `where` shape the sandbox's filter parser
 * does not understand: `A AND (B OR C)`, which the connector sends for invoice lookups by Reference. It is
 * distributed into the equivalent `A AND B OR A AND C` (AND binds tighter in Xero's filter language), so the
 * throughput benchmark can measure orders; every other request passes through untouched. Remove it once the
 * sandbox parses parenthesised groups.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface WhereRewriteProxy {
  readonly url: string;
  /** Requests whose filter was rewritten. */
  readonly rewritten: number;
  close(): Promise<void>;
}

/** `A AND (B OR C)` → `A AND B OR A AND C`; anything else is returned unchanged. */
export function distributeWhere(where: string): string {
  const match = /^(.*?) AND \((.*)\)$/s.exec(where);
  if (!match) return where;
  const [, head = '', group = ''] = match;
  const alternatives = splitOr(group);
  if (alternatives === undefined) return where;
  return alternatives.map((alternative) => `${head} AND ${alternative}`).join(' OR ');
}

/** Splits on ` OR ` outside double-quoted strings; undefined when the group nests further parentheses. */
function splitOr(text: string): string[] | undefined {
  const parts: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (inQuotes && ch === '\\') {
      i += 1;
      continue;
    }
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && ch === '(' && !/guid$/i.test(text.slice(0, i))) return undefined;
    if (!inQuotes && text.startsWith(' OR ', i)) {
      parts.push(text.slice(start, i));
      start = i + 4;
      i += 3;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export async function startWhereRewriteProxy(targetUrl: string): Promise<WhereRewriteProxy> {
  const target = new URL(targetUrl);
  let rewritten = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', target);
    const where = url.searchParams.get('where');
    if (where !== null) {
      const distributed = distributeWhere(where);
      if (distributed !== where) {
        url.searchParams.set('where', distributed);
        rewritten += 1;
      }
    }
    const upstream = request(
      url,
      { method: req.method, headers: { ...req.headers, host: target.host }, timeout: 30_000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      }
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get rewritten() {
      return rewritten;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
