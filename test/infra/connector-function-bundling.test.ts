import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CONNECTOR_ESBUILD_OPTIONS, ConnectorFunction } from '../../lib/constructs/connector-function';
import type * as Probe from '../fixtures/bundling/bundle-probe';
import { tempDir } from '../helpers/temp-dir';

const PROBE = 'test/fixtures/bundling/bundle-probe.ts';
const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The size every deployed function must stay within (issue 12), minified. */
const BUNDLE_BUDGET_BYTES = 1024 * 1024;

interface RecordedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly contentType?: string;
  readonly body: string;
}

/** A Xero stand-in on 127.0.0.1 that records each request and echoes the posted contacts back with ids. */
async function startContactsEcho(): Promise<{ url: string; seen: RecordedRequest[]; close(): Promise<void> }> {
  const seen: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
      const { Contacts } = JSON.parse(body) as { Contacts: { Name: string }[] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Contacts: Contacts.map((c, i) => ({ ContactID: `id-${i}`, Name: c.Name })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Expects no file of form-data or its MIME database among a bundle's inputs, and the runtime stand-in instead. */
function expectFormDataSwappedOut(inputs: readonly string[]): void {
  expect(inputs.filter((input) => /node_modules\/(form-data|mime-types|mime-db)\//.test(input))).toEqual([]);
  expect(inputs.filter((input) => input.endsWith('lambdas/adapters/xero/runtime-form-data.ts'))).toHaveLength(1);
}

/** Loads a bundled probe in this process, as the Lambda runtime would, and checks what it reports. */
async function expectBundleBehaves(bundlePath: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading a built CommonJS bundle by path
  const probe = require(bundlePath) as typeof Probe;

  // Every exported error class keeps its source name, so `new.target.name` and logs read e.g. "PermanentError".
  const names = await probe.handler();
  expect(Object.keys(names.classes)).toEqual(expect.arrayContaining(['PermanentError', 'TransientError']));
  for (const [exportName, runtimeName] of Object.entries(names.classes)) expect(runtimeName).toBe(exportName);
  expect(names.instances).toEqual({
    permanent: 'PermanentError',
    transient: 'TransientError',
    validation: 'ValidationError',
  });

  // xero-node (axios) still sends and reads JSON with form-data replaced by the runtime's FormData.
  const xero = await startContactsEcho();
  try {
    expect(await probe.postContacts(xero.url, ['Acme Ltd', 'Globex'])).toEqual(['Acme Ltd', 'Globex']);
    expect(xero.seen).toHaveLength(1);
    expect(xero.seen[0]).toMatchObject({ method: 'POST', url: '/api.xro/2.0/Contacts?summarizeErrors=false' });
    expect(xero.seen[0]?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(xero.seen[0]?.body ?? '')).toEqual({ Contacts: [{ Name: 'Acme Ltd' }, { Name: 'Globex' }] });
  } finally {
    await xero.close();
  }
}

describe('ConnectorFunction bundling', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('bundling');
  });
  afterEach(() => temp.remove());

  it('should keep error names and swap out form-data in a bundle built with the shared esbuild options', async () => {
    // Arrange
    const outfile = path.join(temp.dir, 'shared-options', 'index.js');

    // Act
    const result = await build({
      ...CONNECTOR_ESBUILD_OPTIONS,
      external: [...CONNECTOR_ESBUILD_OPTIONS.external],
      entryPoints: [path.join(REPO_ROOT, PROBE)],
      outfile,
      metafile: true,
      logLevel: 'error',
    });

    // Assess
    expectFormDataSwappedOut(Object.keys(result.metafile.inputs));
    await expectBundleBehaves(outfile);
  }, 30_000);

  it('should keep error names and swap out form-data in the asset the construct bundles for deployment', async () => {
    // Arrange: a real function that calls Xero, built the way `cdk deploy` builds it.
    const app = new App({ outdir: path.join(temp.dir, 'cdk.out') });
    const stack = new Stack(app, 'BundlingTest');
    new ConnectorFunction(stack, 'Reconcile', {
      defaults: { stage: 'dev', logRetentionDays: 7, retainLogs: false, environment: {} },
      contract: 'reconcile',
      description: 'Bundling check',
    });

    // Act
    const assembly = app.synth();

    // Assess
    const assets = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => path.join(assembly.directory, name, 'index.js'))
      .filter((file) => existsSync(file));
    expect(assets).toHaveLength(1);
    const bundle = assets[0] as string;
    // The source map lists every file esbuild put into the bundle.
    expectFormDataSwappedOut((JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }).sources);
    // keepNames: esbuild pins each minified class to its source name with its __name helper.
    const code = readFileSync(bundle, 'utf8');
    for (const name of ['PermanentError', 'TransientError', 'ReconnectRequiredError'])
      expect(code).toMatch(new RegExp(`,\\s*"${name}"\\)`));
  }, 60_000);

  it('should bundle every Lambda handler within 1 MB', async () => {
    // Arrange: every handler file, so a new function is held to the budget without editing this test.
    const handlersDir = path.join(REPO_ROOT, 'lambdas', 'handlers');
    const handlers = readdirSync(handlersDir).filter((name) => name.endsWith('.ts'));

    // Act
    const sizes: Record<string, number> = {};
    for (const handler of handlers) {
      const result = await build({
        ...CONNECTOR_ESBUILD_OPTIONS,
        external: [...CONNECTOR_ESBUILD_OPTIONS.external],
        entryPoints: [path.join(handlersDir, handler)],
        outfile: path.join(temp.dir, handler.replace(/\.ts$/, ''), 'index.js'),
        sourcemap: false,
        write: false,
        logLevel: 'error',
      });
      sizes[handler] = result.outputFiles.reduce((total, file) => total + file.contents.byteLength, 0);
    }

    // Assess
    expect(handlers.length).toBeGreaterThanOrEqual(9);
    const over = Object.entries(sizes).filter(([, bytes]) => bytes > BUNDLE_BUDGET_BYTES);
    expect(over).toEqual([]);
  }, 120_000);
});
