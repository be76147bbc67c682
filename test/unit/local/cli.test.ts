import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';
import { tempDir } from '../../helpers/temp-dir';
import { captureIo as captureOutput } from '../../helpers/capture-io';

interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

interface FakeAnswer {
  status: number;
  body?: unknown;
  /** Accept the request and never answer. */
  hang?: boolean;
}

/** A tiny stand-in for the connector's admin routes: answers from a table keyed by "METHOD /path". */
async function startFakeConnector(answers: Record<string, FakeAnswer>) {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = `${req.method} ${req.url}`;
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const answer = answers[key] ?? { status: 404, body: { error: 'not_found' } };
      if (answer.hang) return;
      const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Each CLI run gets an empty DATA_DIR of its own, so a sandbox token left in the checkout's `.data` is never read. */
let dataDir: { dir: string; remove(): void };
beforeEach(() => (dataDir = tempDir('cli')));
afterEach(() => dataDir.remove());

const captureIo = (env: NodeJS.ProcessEnv = {}) => captureOutput({ DATA_DIR: dataDir.dir, ...env });

describe('connector CLI', () => {
  let fake: Awaited<ReturnType<typeof startFakeConnector>>;
  afterEach(async () => fake?.close());

  it('should print a readable status summary, sending the admin token from the environment', async () => {
    fake = await startFakeConnector({
      'GET /status': {
        status: 200,
        body: { connection: { state: 'connected', tenantName: 'Demo Co' }, queueDepth: { changes: 2 }, failed: 1 },
      },
    });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 'env-token' });
    const code = await runCli(['--url', fake.url, 'status'], io);
    expect(code).toBe(0);
    expect(fake.seen[0]).toMatchObject({ method: 'GET', url: '/status', authorization: 'Bearer env-token' });
    expect(io.out()).toContain('Tenant name: Demo Co');
    expect(io.out()).toContain('Queue depth:');
    expect(io.out()).toContain('Failed: 1');
    expect(io.out()).not.toContain('env-token');
  });

  it('should put broken Xero settings (with their valid choices) and missed webhooks first in the status', async () => {
    fake = await startFakeConnector({
      'GET /status': {
        status: 200,
        body: {
          connection: { state: 'connected' },
          sweep: { missedLastRun: 3, missedTotal: 9 },
          preflight: {
            ok: false,
            problems: [
              {
                setting: 'salesAccountCode',
                value: '999',
                problem: 'account code 999 does not exist in the Xero organisation',
                validChoices: '200 Sales, 260 Other Revenue',
              },
            ],
            warnings: [],
          },
        },
      },
    });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 'env-token' });
    expect(await runCli(['--url', fake.url, 'status'], io)).toBe(0);
    const [, first, second] = io.out().split('\n');
    expect(first).toBe(
      '  ! Setting salesAccountCode = 999: account code 999 does not exist in the Xero organisation. ' +
        'Valid choices: 200 Sales, 260 Other Revenue'
    );
    expect(second).toBe('  ! The last catch-up sweep found 3 change(s) no webhook delivered (now queued)');
    expect(io.out()).toContain('Missed total: 9');
  });

  it('should print the raw JSON with --json, and prefer --token over the environment', async () => {
    const status = { connection: { state: 'reconnect_required' }, counts: { synced: 5 } };
    fake = await startFakeConnector({ 'GET /status': { status: 200, body: status } });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 'env-token' });
    expect(await runCli(['--url', fake.url, '--token', 'flag-token', 'status', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual(status);
    expect(fake.seen[0]?.authorization).toBe('Bearer flag-token');
  });

  it('should strip terminal control characters from Dataverse text, and keep --json exact', async () => {
    const hostile = 'Evil\u001b[2J\u009b31m Ltd\r\nState: connected';
    const status = { recent: [{ table: 'account', status: 'failed', message: `name ${hostile}` }] };
    fake = await startFakeConnector({ 'GET /status': { status: 200, body: status } });
    const human = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'status'], human)).toBe(0);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(human.out()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(human.out()).toContain('Evil [2J 31m Ltd  State: connected');
    const json = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'status', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual(status);
  });

  it('should print a status snapshot for people, and keep --json byte-exact', async () => {
    const snapshot = {
      runtime: 'local',
      generatedAt: '2026-12-08T03:10:00.000Z',
      connection: {
        state: 'connected',
        tenantName: 'Demo Co',
        refreshTokenIssuedAt: '2026-12-08T02:58:00.000Z',
        refreshTokenExpiresAt: '2027-02-06T12:00:00.000Z',
      },
      queues: { changes: { depth: 0, dead: 1 } },
      counts: { synced: 3, failed: 1, skipped: 0 },
      hourly: [],
      recent: [],
      failures: [],
      deadLetters: [{ queue: 'changes', retryKey: 'k-1', record: { table: 'account', id: 'a-1', name: 'Acme' } }],
      connectPath: '/oauth/xero/connect',
      warnings: [],
    };
    fake = await startFakeConnector({ 'GET /status': { status: 200, body: snapshot } });
    const human = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'status'], human)).toBe(0);
    // The date is in the operator's own zone (6 or 7 Feb, depending on where the test runs).
    expect(human.out()).toMatch(/ {2}Refresh token: renewed 12 min ago, expires [67] Feb 2027 if unused/);
    expect(human.out()).toContain('Account "Acme" (account a-1)');
    expect(human.out()).not.toContain('Refresh token issued at');
    const json = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'status', '--json'], json)).toBe(0);
    expect(json.out()).toBe(`${JSON.stringify(snapshot, null, 2)}\n`);
  });

  it('should default the URL to 127.0.0.1 and $PORT', async () => {
    fake = await startFakeConnector({ 'GET /status': { status: 200, body: {} } });
    const port = new URL(fake.url).port;
    expect(await runCli(['status'], captureIo({ PORT: port, CONNECTOR_ADMIN_TOKEN: 't' }))).toBe(0);
    expect(fake.seen).toHaveLength(1);
  });

  it('should post retry, redrive and disconnect requests and report the results', async () => {
    fake = await startFakeConnector({
      'POST /admin/retry': { status: 202, body: { message: 'Queued account 42 again.' } },
      'POST /admin/redrive': { status: 200, body: { moved: 3 } },
      'POST /admin/disconnect': { status: 200, body: {} },
    });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'retry', 'account', '42'], io)).toBe(0);
    expect(await runCli(['--url', fake.url, 'redrive', '--queue', 'writes', '--table', 'product'], io)).toBe(0);
    expect(await runCli(['--url', fake.url, 'disconnect'], io)).toBe(0);
    expect(fake.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/admin/retry', JSON.stringify({ table: 'account', id: '42' })],
      ['POST', '/admin/redrive', JSON.stringify({ queue: 'writes', table: 'product' })],
      ['POST', '/admin/disconnect', ''],
    ]);
    expect(io.out()).toContain('Queued account 42 again.');
    expect(io.out()).toContain('Moved 3 dead letters back to the queue.');
    expect(io.out()).toContain('Disconnected from Xero');
  });

  it('should print only the link for connect-link', async () => {
    const link = 'http://127.0.0.1:3000/oauth/xero/connect?sig=abc&exp=123';
    fake = await startFakeConnector({
      'POST /admin/connect-link': { status: 200, body: { url: link, expiresAt: '2026-01-01T00:10:00Z' } },
    });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'connect-link'], io)).toBe(0);
    expect(io.out()).toBe(`${link}\n`);
    expect(io.err()).toContain('2026-01-01T00:10:00Z');
  });

  it('should fetch a preview with the table and id encoded into the path', async () => {
    const invoice = { Type: 'ACCREC', Reference: 'ORD-1' };
    fake = await startFakeConnector({ 'GET /admin/preview/salesorder/a%2Fb': { status: 200, body: invoice } });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, 'preview', 'salesorder', 'a/b'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual(invoice);
  });

  it('should exit 1 with the server message when the connector reports a failure', async () => {
    fake = await startFakeConnector({
      'POST /admin/retry': { status: 404, body: { error: 'no such record in the sync state' } },
      'GET /status': { status: 401, body: { error: 'unauthorized' } },
    });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 'wrong' });
    expect(await runCli(['--url', fake.url, 'retry', 'contact', 'x'], io)).toBe(1);
    expect(io.err()).toContain('no such record in the sync state');
    expect(await runCli(['--url', fake.url, 'status'], io)).toBe(1);
    expect(io.err()).toContain('check --token or CONNECTOR_ADMIN_TOKEN');
    expect(io.err()).not.toContain('wrong');
  });

  it('should exit 2 on usage errors without calling the connector', async () => {
    fake = await startFakeConnector({});
    const withToken = { CONNECTOR_ADMIN_TOKEN: 't' };
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--url', fake.url, 'retry', 'invoice', '1'], withToken, /unknown table "invoice"/],
      [['--url', fake.url, 'retry', 'account'], withToken, /missing required argument 'id'/],
      [['--url', fake.url, 'status'], {}, /no admin token/],
      [['--url', 'ftp://x', 'status'], withToken, /--url must start with http/],
      [['--url', fake.url, 'redrive', '--queue', 'other'], withToken, /Allowed choices are changes, writes/],
      [['--url', fake.url, '--timeout', 'soon', 'status'], withToken, /positive whole number/],
      [['frobnicate'], withToken, /unknown command 'frobnicate'/],
    ];
    for (const [argv, env, message] of cases) {
      const io = captureIo(env);
      expect(await runCli(argv, io)).toBe(2);
      expect(io.err()).toMatch(message);
    }
    expect(fake.seen).toEqual([]);
  });

  it('should exit 0 for --help and document the exit codes', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/Exit codes: 0 ok, 1 .*2 usage error, 3/);
    expect(io.out()).toContain('connect-link');
  });

  it('should exit 3 when nothing listens at the URL', async () => {
    fake = await startFakeConnector({});
    const { url } = fake;
    await fake.close();
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', url, 'status'], io)).toBe(3);
    expect(io.err()).toContain(`cannot reach the connector at ${url}`);
  });

  it('should exit 3 when the connector does not answer within the timeout', async () => {
    fake = await startFakeConnector({ 'GET /status': { status: 200, hang: true } });
    const io = captureIo({ CONNECTOR_ADMIN_TOKEN: 't' });
    expect(await runCli(['--url', fake.url, '--timeout', '100', 'status'], io)).toBe(3);
    expect(io.err()).toContain('no answer within 100 ms');
    expect(fake.seen).toHaveLength(1);
  });

  it('should run through the bin launcher as `node bin/connector-cli.js`', async () => {
    fake = await startFakeConnector({ 'GET /status': { status: 503, body: { message: 'database locked' } } });
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(__dirname, '../../../bin/connector-cli.js'), '--url', fake.url, 'status'],
        {
          env: { ...process.env, DATA_DIR: dataDir.dir, CONNECTOR_ADMIN_TOKEN: 't' },
          cwd: dataDir.dir,
          timeout: 20_000,
        },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr })
      );
    });
    expect(result.stderr).toContain('database locked');
    expect(result.code).toBe(1);
  }, 20_000);
});
