/**
 * A tiny stand-in for the Dataverse Web API on 127.0.0.1 (port 0): each test supplies the answers, the server
 * records what the client sent. Enough for dynamics-web-api, which talks plain HTTP to a loopback serverUrl.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usePerFileServer } from './per-file-server';

export interface FakeDataverseRequest {
  readonly method: string;
  /** Path and query exactly as received, e.g. /api/data/v9.2/accounts(…)?$select=… */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

export interface FakeDataverseReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Never answer: lets a test exercise the client's timeout. */
  readonly hang?: boolean;
}

export type FakeDataverseHandler = (
  request: FakeDataverseRequest,
  baseUrl: string
) => FakeDataverseReply | Promise<FakeDataverseReply>;

export interface FakeDataverseServer {
  /** http://127.0.0.1:<port> — use as DATAVERSE_URL. */
  readonly url: string;
  /** The Web API root the client calls, with trailing slash. */
  readonly apiBase: string;
  readonly requests: FakeDataverseRequest[];
  close(): Promise<void>;
}

export async function startDataverseFakeServer(handler: FakeDataverseHandler): Promise<FakeDataverseServer> {
  const requests: FakeDataverseRequest[] = [];
  let baseUrl = '';
  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', baseUrl);
    const recorded: FakeDataverseRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: decodeURIComponent(parsed.pathname),
      query: parsed.searchParams,
      headers: req.headers,
    };
    requests.push(recorded);
    req.resume();
    Promise.resolve(handler(recorded, baseUrl))
      .then((reply) => {
        if (reply.hang) return;
        const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          ...(body ? { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8' } : {}),
          'odata-version': '4.0',
          ...reply.headers,
        });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    apiBase: `${baseUrl}/api/data/v9.2/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Dataverse-style error body. */
export function dataverseError(status: number, code: string, message: string, headers?: Record<string, string>) {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
}

/** The fake for a whole test file, plus options for a Web API client pointed at it. */
export interface DataverseFakeFixture {
  readonly url: string;
  readonly apiBase: string;
  readonly requests: FakeDataverseRequest[];
  /** A fixed bearer token, a short timeout, and sleeps recorded instead of slept. */
  clientOptions(token: string): { options: DataverseClientTestOptions; sleeps: number[] };
}

export interface DataverseClientTestOptions {
  readonly serverUrl: string;
  readonly tokenSource: () => Promise<string>;
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * One fake for the calling file (see usePerFileServer; dynamics-web-api honours the proxy variables it clears).
 */
export function useDataverseFakeServer(handler: FakeDataverseHandler): DataverseFakeFixture {
  const started = usePerFileServer(() => startDataverseFakeServer(handler), 'Dataverse fake');
  return {
    get url() {
      return started().url;
    },
    get apiBase() {
      return started().apiBase;
    },
    get requests() {
      return started().requests;
    },
    clientOptions(token) {
      const sleeps: number[] = [];
      const options = {
        serverUrl: started().url,
        tokenSource: async () => token,
        timeoutMs: 2_000,
        sleep: async (ms: number) => {
          sleeps.push(ms);
        },
      };
      return { options, sleeps };
    },
  };
}
