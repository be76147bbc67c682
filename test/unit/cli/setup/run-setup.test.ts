/**
 * The setup use case with fakes around it: an in-memory settings store, a fake Dataverse org (WhoAmI, webhook
 * registration, metadata), a fake Xero token endpoint and a fake connector answering `?format=link`.
 */
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { runSetup } from '../../../../src/cli/setup/run-setup';
import { SetupInputError, SetupStepError } from '../../../../src/cli/setup/setup-errors';
import type { SettingsStore, SetupTarget } from '../../../../src/cli/setup/setup-target';
import { startFakeHttpServer, type FakeHttpServer } from '../../../helpers/fake-http-server';
import { withoutProxy } from '../../../helpers/no-proxy';
import { startFakeOrg, type FakeOrg } from '../../dataverse-admin/fake-dataverse-org';

withoutProxy();

const ADMIN_TOKEN = 'generated-admin-token-0123456789';
const XERO_SECRET = 'xero-client-secret-value-42';

let org: FakeOrg;
let xero: FakeHttpServer;
let connector: FakeHttpServer;
let data: Map<string, Record<string, string>>;
let writes: string[];

beforeEach(async () => {
  org = await startFakeOrg();
  xero = await startFakeHttpServer((r) =>
    r.headers.authorization === `Basic ${Buffer.from(`app:${XERO_SECRET}`).toString('base64')}`
      ? { status: 400, body: { error: 'invalid_grant' } }
      : { status: 401, body: { error: 'invalid_client' } }
  );
  connector = await startFakeHttpServer((r) =>
    r.headers.authorization === `Bearer ${ADMIN_TOKEN}`
      ? {
          status: 200,
          body: { url: 'https://connector.example.com/oauth/xero/connect?link=signed', expiresAt: 'soon' },
        }
      : { status: 401 }
  );
  data = new Map<string, Record<string, string>>([
    ['xero-app', { XERO_CLIENT_ID: '', XERO_CLIENT_SECRET: '' }],
    ['admin-token', { CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN }],
    ['dataverse-webhook-key', { DATAVERSE_WEBHOOK_KEY: 'generated-webhook-key-0123456789' }],
  ]);
  writes = [];
});
afterEach(async () => {
  await org.close();
  await xero.close();
  await connector.close();
});

function target(overrides: Partial<SetupTarget> = {}): SetupTarget {
  const store: SettingsStore = {
    read: () => Promise.resolve(new Map([...data].map(([k, v]) => [k, { ...v }]))),
    write: (group, value) => {
      writes.push(group);
      data.set(group, { ...value });
      return Promise.resolve();
    },
  };
  return {
    description: 'fake stack',
    groups: [
      { name: 'xero-app', keys: ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'], generatedKeys: [] },
      { name: 'dataverse-app', keys: ['DATAVERSE_ACCESS_TOKEN'], generatedKeys: [] },
      { name: 'xero-webhook-key', keys: ['XERO_WEBHOOK_KEY'], generatedKeys: [] },
      { name: 'admin-token', keys: [], generatedKeys: ['CONNECTOR_ADMIN_TOKEN'] },
      { name: 'dataverse-webhook-key', keys: [], generatedKeys: ['DATAVERSE_WEBHOOK_KEY'] },
    ],
    store,
    defaults: { DATAVERSE_URL: org.url },
    xeroIdentityUrl: xero.url,
    callbackUrl: 'https://connector.example.com/oauth/xero/callback',
    webhookBase: { url: 'https://connector.example.com' },
    connect: { url: `${connector.url}/oauth/xero/connect` },
    mapping: DEFAULT_MAPPING_SETTINGS,
    ...overrides,
  };
}

const VALUES = {
  XERO_CLIENT_ID: 'app',
  XERO_CLIENT_SECRET: XERO_SECRET,
  XERO_WEBHOOK_KEY: 'xero-webhook-key',
  DATAVERSE_ACCESS_TOKEN: 'dv-token',
};

async function run(env: Record<string, string | undefined>, options: { dryRun?: boolean; t?: SetupTarget } = {}) {
  let out = '';
  const result = await runSetup({
    target: options.t ?? target(),
    sources: { file: {}, env },
    dryRun: !!options.dryRun,
    say: (t) => (out += t),
  });
  return { out, result };
}

describe('runSetup', () => {
  it('should run the eight steps in order and end with the consent link', async () => {
    const { out, result } = await run(VALUES);
    const steps = [...out.matchAll(/^(\d)\/8 ([^:]+): (.+)$/gm)].map((m) => `${m[1]} ${m[3]}`);
    expect(steps).toEqual(['1 done', '2 done', '3 done', '4 done', '5 done', '6 done', '7 done', '8 done']);
    expect(result).toEqual({
      changed: true,
      consentLink: 'https://connector.example.com/oauth/xero/connect?link=signed',
    });
    expect(data.get('xero-app')).toEqual({ XERO_CLIENT_ID: 'app', XERO_CLIENT_SECRET: XERO_SECRET });
    expect(writes.sort()).toEqual(['dataverse-app', 'xero-app', 'xero-webhook-key']);
    const endpoint = [...(org.rows.get('serviceendpoints')?.values() ?? [])][0];
    expect(endpoint?.url).toBe('https://connector.example.com/webhooks/dataverse');
    expect(out).toContain(`dataverseConnectorUserId: '${org.userId}'`);
    expect(out).not.toContain(XERO_SECRET);
    expect(out).not.toContain(ADMIN_TOKEN);
  });

  it('should write nothing and register nothing when the Xero secret is wrong', async () => {
    const failure = await run({ ...VALUES, XERO_CLIENT_SECRET: 'wrong' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SetupInputError);
    expect(writes).toEqual([]);
    expect(org.writes()).toEqual([]);
  });

  it('should write nothing when Dataverse refuses the credentials, naming what to check', async () => {
    org.overrides.push({ match: (r) => r.url.includes('WhoAmI'), reply: { status: 401 } });
    const failure = await run(VALUES).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SetupInputError);
    expect((failure as Error).message).toMatch(/Dataverse refused the credentials.*DATAVERSE_ACCESS_TOKEN/);
    expect(writes).toEqual([]);
  });

  it('should name every missing value at once and write nothing', async () => {
    const failure = await run({ XERO_CLIENT_ID: 'app' }).catch((e: unknown) => e);
    expect((failure as SetupInputError).names).toEqual([
      'XERO_CLIENT_SECRET',
      'XERO_WEBHOOK_KEY',
      'DATAVERSE_TENANT_ID',
      'DATAVERSE_CLIENT_ID',
      'DATAVERSE_CLIENT_SECRET',
    ]);
    expect(writes).toEqual([]);
  });

  it('should plan without writing on a dry run', async () => {
    const { out } = await run(VALUES, { dryRun: true });
    expect(out).toMatch(/4\/8 Write the settings: would do/);
    expect(out).toMatch(/5\/8 Register the Dataverse webhook: would do/);
    expect(out).toMatch(/6\/8 .*: would do/);
    expect(out).toMatch(/8\/8 Connect Xero: would do/);
    expect(writes).toEqual([]);
    expect(org.writes()).toEqual([]);
    expect(connector.requests).toEqual([]);
  });

  it('should change nothing on a second run and say so', async () => {
    await run(VALUES);
    const orgWrites = org.writes().length;
    writes = [];
    const { out, result } = await run(VALUES);
    expect(result.changed).toBe(false);
    expect(out).toMatch(/4\/8 Write the settings: already done/);
    expect(out).toMatch(/5\/8 Register the Dataverse webhook: already done/);
    expect(out).toMatch(/6\/8 .*: already done/);
    expect(out).toMatch(/Nothing changed: everything was already set up/);
    expect(writes).toEqual([]);
    expect(org.writes()).toHaveLength(orgWrites);
  });

  it('should resume after a failure part-way: the settings stay written and the next run finishes the rest', async () => {
    // A create is not retried on a 5xx (it may have happened): one refusal fails the run.
    org.overrides.push({
      match: (r) => r.method === 'POST' && r.url.includes('serviceendpoints'),
      reply: { status: 500, body: { error: { message: 'boom' } } },
    });
    await expect(run(VALUES)).rejects.toThrow(
      /5\/8 Register the Dataverse webhook failed: .*server error 500.*run setup again to finish/
    );
    expect(data.get('xero-app')?.XERO_CLIENT_SECRET).toBe(XERO_SECRET);
    writes = [];
    const { out } = await run(VALUES);
    expect(out).toMatch(/4\/8 Write the settings: already done/);
    expect(out).toMatch(/5\/8 Register the Dataverse webhook: done/);
    expect(writes).toEqual([]);
  });

  it('should fail step 8 clearly when the connector refuses the admin token', async () => {
    data.set('admin-token', { CONNECTOR_ADMIN_TOKEN: 'another-token-0123456789' });
    await expect(run(VALUES)).rejects.toThrow(SetupStepError);
    await expect(run(VALUES)).rejects.toThrow(/answered 401 instead of a consent link/);
  });
});
