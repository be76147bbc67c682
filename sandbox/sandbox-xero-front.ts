/**
 * One base URL for the sandbox Xero, like api.xero.com: `/api.xro/2.0/*` goes to the sandbox Accounting API, every
 * other path (`/connections`, `/identity/connect/authorize`, `/connect/token`, `/connect/revocation`) to the fake
 * identity server. The connector then needs only XERO_LOGIN_URL = XERO_IDENTITY_URL = XERO_API_URL = front.url.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SandboxXeroFront {
  readonly url: string;
  close(): Promise<void>;
}

export async function startSandboxXeroFront(options: {
  accountingUrl: string;
  identityUrl: string;
  port?: number;
}): Promise<SandboxXeroFront> {
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(
      req.url ?? '/',
      req.url?.startsWith('/api.xro/') ? options.accountingUrl : options.identityUrl
    );
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host }, timeout: 30_000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      }
    );
    upstream.on('timeout', () => upstream.destroy(new Error('sandbox upstream timed out')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":"sandbox upstream unavailable"}');
    });
    req.pipe(upstream);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
