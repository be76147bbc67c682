import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { CONNECTOR_ESBUILD_OPTIONS, ConnectorFunction } from '../../lib/constructs/connector-function';
import type { TypedErrorNames } from '../fixtures/bundling/typed-error-names';
import { tempDir } from '../helpers/temp-dir';

const FIXTURE = 'test/fixtures/bundling/typed-error-names.ts';
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Loads a bundled handler file in this process, as the Lambda runtime would, and invokes it. */
async function invokeBundle(bundlePath: string): Promise<TypedErrorNames> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading a built CommonJS bundle by path
  const bundle = require(bundlePath) as { handler: () => Promise<TypedErrorNames> };
  return bundle.handler();
}

function expectReadableNames(names: TypedErrorNames): void {
  // Every exported error class keeps its source name, so `new.target.name` and logs read e.g. "PermanentError".
  expect(Object.keys(names.classes)).toEqual(expect.arrayContaining(['PermanentError', 'TransientError']));
  for (const [exportName, runtimeName] of Object.entries(names.classes)) expect(runtimeName).toBe(exportName);
  expect(names.instances).toEqual({
    permanent: 'PermanentError',
    transient: 'TransientError',
    validation: 'ValidationError',
  });
}

describe('ConnectorFunction bundling', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('bundling');
  });
  afterEach(() => temp.remove());

  it('should keep typed error names in a bundle built with the shared esbuild options', async () => {
    // Arrange
    const outfile = path.join(temp.dir, 'shared-options', 'index.js');

    // Act
    await build({
      ...CONNECTOR_ESBUILD_OPTIONS,
      external: [...CONNECTOR_ESBUILD_OPTIONS.external],
      entryPoints: [path.join(REPO_ROOT, FIXTURE)],
      outfile,
      logLevel: 'error',
    });

    // Assess
    expectReadableNames(await invokeBundle(outfile));
  });

  it('should keep typed error names in the asset the construct bundles for deployment', async () => {
    // Arrange
    const app = new App({ outdir: path.join(temp.dir, 'cdk.out') });
    const stack = new Stack(app, 'BundlingTest');
    new ConnectorFunction(stack, 'Names', {
      defaults: { stage: 'dev', logRetentionDays: 7, retainLogs: false, environment: {} },
      entry: FIXTURE,
      description: 'Typed error names fixture',
    });

    // Act
    const assembly = app.synth();

    // Assess
    const assets = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => path.join(assembly.directory, name, 'index.js'))
      .filter((file) => existsSync(file));
    expect(assets).toHaveLength(1);
    expectReadableNames(await invokeBundle(assets[0] as string));
  }, 60_000);
});
