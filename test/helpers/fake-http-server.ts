/**
 * A tiny HTTP server on 127.0.0.1 for adapter tests: starts on a free port, answers through a route handler and
 * records every request (method, url, headers, raw body) so tests can assert on exactly what went over the wire.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { usePerFileServer } from './per-file-server';

export interface RecordedRequest {
  readonly method: string;
  /** Path plus query string, as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  readonly body?: unknown;
}

/** Returns the reply, or `'hang'` to never answer (for timeout tests). */
export type FakeRoute = (request: RecordedRequest) => FakeReply | 'hang' | Promise<FakeReply | 'hang'>;

export interface FakeHttpServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replace the route handler between tests. */
  setRoute(route: FakeRoute): void;
  close(): Promise<void>;
}

export async function startFakeHttpServer(route: FakeRoute = () => ({ status: 404 })): Promise<FakeHttpServer> {
  let current = route;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      Promise.resolve(current(recorded))
        .then((reply) => {
          if (reply !== 'hang') send(res, reply);
        })
        .catch((error: unknown) => send(res, { status: 500, body: { error: String(error) } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setRoute(next) {
      current = next;
    },
    close() {
      // Hanging requests keep sockets open; destroy them so close() resolves promptly.
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * One server for the calling file (or describe block): see usePerFileServer.
 */
export function useFakeHttpServer(route?: FakeRoute): Omit<FakeHttpServer, 'close'> {
  const started = usePerFileServer(() => startFakeHttpServer(route), 'fake HTTP server');
  return {
    get url() {
      return started().url;
    },
    get requests() {
      return started().requests;
    },
    setRoute: (next) => started().setRoute(next),
  };
}

function send(res: ServerResponse, reply: FakeReply): void {
  const isText = typeof reply.body === 'string' || reply.body === undefined;
  const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (!isText && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(payload);
}
