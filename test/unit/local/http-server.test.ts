import { request } from 'node:http';
import type { Logger } from '../../../lambdas/core/ports';
import { requireAdmin, startHttpServer, type Route, type RunningHttpServer } from '../../../src/local/http-server';

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Sends a raw request and collects the whole response; `chunks` are written one by one. */
function rawRequest(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string | number>; chunks?: Buffer[] }
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${options.path}`, { method: options.method, headers: options.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe('startHttpServer', () => {
  let server: RunningHttpServer | undefined;
  let logger: ReturnType<typeof memoryLogger>;
  const received: { rawBody: Buffer; query: Record<string, string>; params: Record<string, string> }[] = [];

  const routes: Route[] = [
    { method: 'GET', path: '/health', handler: async () => ({ status: 200, body: { ok: true } }) },
    {
      method: 'POST',
      path: '/webhooks/dataverse',
      handler: async (req) => {
        received.push({ rawBody: req.rawBody, query: { ...req.query }, params: { ...req.params } });
        return { status: 202, body: req.rawBody, headers: { 'content-type': 'application/octet-stream' } };
      },
    },
    {
      method: 'GET',
      path: '/admin/preview/:table/:id',
      handler: async (req) => ({ status: 200, body: req.params }),
    },
    {
      method: 'GET',
      path: '/boom',
      handler: async () => {
        throw new Error('secret detail: password=hunter2');
      },
    },
  ];

  async function start(extra: Partial<Parameters<typeof startHttpServer>[0]> = {}) {
    logger = memoryLogger();
    server = await startHttpServer({ port: 0, routes, maxBodyBytes: 64, logger, ...extra });
    return server;
  }

  afterEach(async () => {
    received.length = 0;
    await server?.close();
    server = undefined;
  });

  it('should listen on 127.0.0.1 by default and serve a JSON route', async () => {
    const { url, host } = await start();
    expect(host).toBe('127.0.0.1');
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('should hand the handler the raw body byte for byte, including UTF-8 and odd whitespace', async () => {
    const { url } = await start();
    const body = Buffer.from('{ "name":"Zoë Müller — 日本",\r\n\t"amount": 1.10 }', 'utf8');
    const res = await rawRequest(url, {
      method: 'POST',
      path: '/webhooks/dataverse?code=abc',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
      chunks: [body.subarray(0, 7), body.subarray(7)],
    });
    expect(res.status).toBe(202);
    expect(received[0]?.rawBody.equals(body)).toBe(true);
    expect(received[0]?.query).toEqual({ code: 'abc' });
    expect(res.body.equals(body)).toBe(true);
  });

  it('should answer 413 when the declared body is over the limit, without calling the handler', async () => {
    const { url } = await start();
    const res = await rawRequest(url, {
      method: 'POST',
      path: '/webhooks/dataverse',
      headers: { 'content-length': 65 },
      chunks: [Buffer.alloc(65, 'a')],
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'payload_too_large' });
    expect(received).toHaveLength(0);
  });

  it('should answer 413 when a chunked body grows over the limit', async () => {
    const { url } = await start();
    const res = await rawRequest(url, {
      method: 'POST',
      path: '/webhooks/dataverse',
      headers: { 'transfer-encoding': 'chunked' },
      chunks: [Buffer.alloc(40, 'a'), Buffer.alloc(40, 'b')],
    });
    expect(res.status).toBe(413);
    expect(received).toHaveLength(0);
  });

  it('should accept a body exactly at the limit', async () => {
    const { url } = await start();
    const body = Buffer.alloc(64, 'z');
    const res = await rawRequest(url, { method: 'POST', path: '/webhooks/dataverse', chunks: [body] });
    expect(res.status).toBe(202);
    expect(received[0]?.rawBody.equals(body)).toBe(true);
  });

  it('should answer 404 JSON for an unknown route and 405 with Allow for a wrong method', async () => {
    const { url } = await start();
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found' });

    const wrong = await fetch(`${url}/health`, { method: 'POST', body: 'x' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await wrong.json()).toEqual({ error: 'method_not_allowed' });
  });

  it('should pass decoded path parameters', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/admin/preview/salesorder/ab%20cd`);
    expect(await res.json()).toEqual({ table: 'salesorder', id: 'ab cd' });
  });

  it('should answer 500 without details when a handler throws, and log the error', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error' });
    expect(text).not.toContain('hunter2');
    expect(logger.lines.some((l) => l.level === 'error' && l.message === 'http handler failed')).toBe(true);
  });

  it('should write an access log line with the path but never the query string', async () => {
    const { url } = await start();
    await fetch(`${url}/webhooks/dataverse?code=SUPER-SECRET-KEY`, { method: 'POST', body: '{}' });
    await server!.close();
    const access = logger.lines.filter((l) => l.message === 'http request');
    expect(access).toHaveLength(1);
    expect(access[0]?.fields).toMatchObject({ method: 'POST', path: '/webhooks/dataverse', status: 202 });
    expect(JSON.stringify(logger.lines)).not.toContain('SUPER-SECRET-KEY');
  });

  it('should let an in-flight request finish on close, then refuse new connections', async () => {
    let finish!: () => void;
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    logger = memoryLogger();
    server = await startHttpServer({
      port: 0,
      logger,
      routes: [
        {
          method: 'GET',
          path: '/slow',
          handler: async () => {
            entered();
            await new Promise<void>((resolve) => (finish = resolve));
            return { status: 200, body: 'finished' };
          },
        },
      ],
    });
    const { url } = server;
    const pending = fetch(`${url}/slow`).then(async (r) => [r.status, await r.text()]);
    await handlerEntered;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);

    finish();
    expect(await pending).toEqual([200, 'finished']);
    await closing;
    await expect(fetch(`${url}/slow`)).rejects.toThrow();
    server = undefined;
  });

  it('should stop waiting for a stuck request once the close cap has passed', async () => {
    logger = memoryLogger();
    server = await startHttpServer({
      port: 0,
      logger,
      closeTimeoutMs: 50,
      routes: [
        {
          method: 'GET',
          path: '/stuck',
          handler: () => {
            entered();
            return new Promise(() => {});
          },
        },
      ],
    });
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    const pending = fetch(`${server.url}/stuck`).then(
      () => 'answered',
      () => 'connection cut'
    );
    await handlerEntered;
    await server.close();
    expect(await pending).toBe('connection cut');
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
    server = undefined;
  });
});

describe('requireAdmin', () => {
  it('should accept only the exact bearer token', () => {
    expect(requireAdmin({ authorization: 'Bearer s3cret-token' }, 's3cret-token')).toBe(true);
    expect(requireAdmin({ authorization: 'bearer s3cret-token' }, 's3cret-token')).toBe(true);
    expect(requireAdmin({ authorization: 'Bearer s3cret-tokeN' }, 's3cret-token')).toBe(false);
    expect(requireAdmin({ authorization: 'Bearer s3cret' }, 's3cret-token')).toBe(false);
    expect(requireAdmin({ authorization: 'Basic s3cret-token' }, 's3cret-token')).toBe(false);
    expect(requireAdmin({}, 's3cret-token')).toBe(false);
  });

  it('should refuse everyone when no admin token is configured', () => {
    expect(requireAdmin({ authorization: 'Bearer ' }, '')).toBe(false);
    expect(requireAdmin({ authorization: 'Bearer undefined' }, undefined)).toBe(false);
  });
});
