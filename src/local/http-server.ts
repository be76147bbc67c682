/**
 * The local runtime's HTTP shell: exact-match routes (with `:param` segments), the raw request body as a Buffer
 * (webhook signatures are computed over the exact bytes), a body size limit enforced before reading further,
 * JSON errors that never leak details, an access log without query strings (Dataverse puts its webhook key in
 * `?code=`), and a graceful close that lets in-flight requests finish.
 */
import { isAdminBearer } from '../../lambdas/core/connection/signed-token';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../lambdas/core/ports';
import { describeError } from '../../lambdas/core/errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** Header names are lower case (Node's convention). */
  readonly headers: IncomingHttpHeaders;
  /** First value of each query parameter. */
  readonly query: Readonly<Record<string, string>>;
  /** Values of the route's `:name` segments, URI-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The body exactly as received. */
  readonly rawBody: Buffer;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; anything else is sent as JSON. */
  readonly body?: unknown;
}

export interface Route {
  readonly method: HttpMethod;
  /** `/status`, `/admin/preview/:table/:id`… */
  readonly path: string;
  readonly handler: (request: HttpRequest) => Promise<HttpResponse>;
}

export interface HttpServerOptions {
  readonly port: number;
  /** Default 127.0.0.1: the local connector is not meant to face a network directly. */
  readonly host?: string;
  readonly routes: readonly Route[];
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly logger: Logger;
  /** How long close() waits for in-flight requests before cutting connections. Default 10 s. */
  readonly closeTimeoutMs?: number;
  /** How long a client may take to send its request. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly host: string;
  /** `http://host:port` */
  readonly url: string;
  /** Stops accepting connections and resolves once in-flight requests have finished (or the cap has passed). */
  close(): Promise<void>;
}

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

class BodyTooLargeError extends Error {}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const { logger } = options;
  const routes: CompiledRoute[] = options.routes.map((route) => ({ route, segments: splitPath(route.path) }));
  let inFlight = 0;
  let closing = false;
  const idleWaiters: (() => void)[] = [];

  const server = createServer((req, res) => {
    inFlight += 1;
    const started = process.hrtime.bigint();
    const path = pathOf(req.url);
    res.on('close', () => {
      const durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
      // Path only: query strings may carry webhook keys or OAuth codes.
      logger.info('http request', { method: req.method, path, status: res.statusCode, durationMs });
      inFlight -= 1;
      if (inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
    });
    if (closing) res.setHeader('connection', 'close');
    void handle(req, res, path);
  });
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const method = (req.method ?? 'GET').toUpperCase();
      const matching = routes
        .map((r) => ({ r, params: matchPath(r.segments, splitPath(path)) }))
        .filter((m) => m.params !== null);
      if (matching.length === 0) return send(res, { status: 404, body: { error: 'not_found' } });
      const match = matching.find((m) => m.r.route.method === method);
      if (!match) {
        const allow = [...new Set(matching.map((m) => m.r.route.method))].join(', ');
        drain(req);
        return send(res, { status: 405, headers: { allow }, body: { error: 'method_not_allowed' } });
      }
      const declared = Number(req.headers['content-length'] ?? '0');
      if (Number.isFinite(declared) && declared > maxBodyBytes) return rejectTooLarge(req, res);
      let rawBody: Buffer;
      try {
        rawBody = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return rejectTooLarge(req, res);
        throw error;
      }
      const response = await match.r.route.handler({
        method,
        path,
        headers: req.headers,
        query: queryOf(req.url),
        params: match.params ?? {},
        rawBody,
      });
      send(res, response);
    } catch (error) {
      // The detail goes to the log (secret-free by construction of our errors), never to the caller.
      logger.error('http handler failed', { method: req.method, path, error: describeError(error) });
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal_error' } });
      else res.destroy();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    host,
    url: `http://${host}:${port}`,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
        const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs)));
        await Promise.race([idle, cap]);
        clearTimeout(timer);
        if (inFlight > 0) logger.warn('closing with requests still in flight', { inFlight });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

/** True when the request carries `Authorization: Bearer <adminToken>`; compared in constant time. */
export function requireAdmin(headers: IncomingHttpHeaders, adminToken: string | undefined): boolean {
  const header = headers.authorization;
  return Boolean(adminToken) && isAdminBearer(typeof header === 'string' ? header : undefined, adminToken ?? '');
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | undefined;
  if (response.body === undefined || response.body === null) {
    payload = undefined;
  } else if (Buffer.isBuffer(response.body)) {
    payload = response.body;
  } else if (typeof response.body === 'string') {
    payload = Buffer.from(response.body, 'utf8');
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else {
    payload = Buffer.from(JSON.stringify(response.body), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(payload?.length ?? 0);
  headers['cache-control'] ??= 'no-store';
  res.writeHead(response.status, headers);
  res.end(payload);
}

function rejectTooLarge(req: IncomingMessage, res: ServerResponse): void {
  // Answer, then drop the connection so the rest of the upload is never read.
  res.setHeader('connection', 'close');
  send(res, { status: 413, body: { error: 'payload_too_large' } });
  res.on('finish', () => req.destroy());
}

function drain(req: IncomingMessage): void {
  req.resume();
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function queryOf(url: string | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  const q = (url ?? '').indexOf('?');
  if (q === -1) return query;
  for (const [key, value] of new URLSearchParams((url ?? '').slice(q + 1))) {
    if (!(key in query)) query[key] = value;
  }
  return query;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchPath(pattern: readonly string[], actual: readonly string[]): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const expected = pattern[i]!;
    const segment = actual[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (expected !== segment) {
      return null;
    }
  }
  return params;
}
