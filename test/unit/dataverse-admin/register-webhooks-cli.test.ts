import { runDataverseCommands } from '../../../src/cli/dataverse-commands';
import { createProgram } from '../../../src/cli/main';
import { filteringAttributesOf } from '../../../lambdas/core/dataverse-admin';
import type { FakeOrg } from './fake-dataverse-org';
import { startFakeOrg, useFakeOrgPerTest } from './fake-dataverse-org';
import { captureIo, runCaptured } from '../../helpers/capture-io';

const KEY = 'wh-key-3f9c1d7e-very-secret-value-0123456789';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(org: FakeOrg, argv: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCaptured((io) => runDataverseCommands(argv, io), {
    DATAVERSE_URL: org.url,
    DATAVERSE_ACCESS_TOKEN: 'test-token',
    DATAVERSE_WEBHOOK_KEY: KEY,
    ...env,
  });
}

const register = (org: FakeOrg, ...extra: string[]) =>
  run(org, ['register-webhooks', '--url', 'https://connector.example.com', ...extra]);

describe('connector register-webhooks / unregister-webhooks', () => {
  const fake = useFakeOrgPerTest();

  const rowsOf = (set: string) => [...(fake.org.rows.get(set)?.values() ?? [])];

  it('should create one endpoint, fifteen async post-operation steps and the order-line images on a fresh org', async () => {
    const result = await register(fake.org);

    expect(result.code).toBe(0);
    const endpoints = rowsOf('serviceendpoints');
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      name: 'D365 to Xero connector',
      url: 'https://connector.example.com/webhooks/dataverse',
      contract: 8,
      authtype: 5,
      authvalue: `<settings><setting name="x-connector-key" value="${KEY}" /></settings>`,
      messageformat: 2,
    });
    const steps = rowsOf('sdkmessageprocessingsteps');
    expect(steps).toHaveLength(15);
    for (const step of steps) {
      expect(step).toMatchObject({ stage: 40, mode: 1, asyncautodelete: true });
      expect(step._eventhandler_value).toBe(endpoints[0]!.serviceendpointid);
      expect(step._sdkmessageid_value).toBeDefined();
      expect(step._sdkmessagefilterid_value).toBeDefined();
    }
    const accountUpdate = steps.find((step) => step.name === 'D365 to Xero connector: Update of account');
    expect(accountUpdate?.filteringattributes).toBe(filteringAttributesOf('account'));
    const images = rowsOf('sdkmessageprocessingstepimages');
    expect(images).toHaveLength(3);
    const lineSteps = steps.filter((step) => String(step.name).endsWith('of salesorderdetail'));
    for (const image of images) {
      expect(image).toMatchObject({ entityalias: 'order', attributes: 'salesorderid' });
      const step = lineSteps.find((s) => s.sdkmessageprocessingstepid === image._sdkmessageprocessingstepid_value);
      expect(step).toBeDefined();
      const isDelete = String(step!.name).includes('Delete');
      expect(image.imagetype).toBe(isDelete ? 0 : 1);
    }
    expect(result.out).toContain(`DATAVERSE_CONNECTOR_USER_ID=${fake.org.userId}`);
  });

  it('should change nothing when run a second time', async () => {
    await register(fake.org);
    const writesBefore = fake.org.writes().length;

    const second = await register(fake.org);

    expect(second.code).toBe(0);
    expect(fake.org.writes()).toHaveLength(writesBefore);
    expect(second.out).toMatch(/created 0, updated 0, removed 0; 19 unchanged/);
  });

  it('should update exactly the step whose filtering attributes were changed by hand', async () => {
    await register(fake.org);
    const step = rowsOf('sdkmessageprocessingsteps').find(
      (s) => s.name === 'D365 to Xero connector: Update of contact'
    )!;
    step.filteringattributes = 'firstname';
    const writesBefore = fake.org.writes().length;

    const result = await register(fake.org);

    const writes = fake.org.writes().slice(writesBefore);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.method).toBe('PATCH');
    expect(writes[0]!.url).toContain(`sdkmessageprocessingsteps(${String(step.sdkmessageprocessingstepid)})`);
    expect(step.filteringattributes).toBe(filteringAttributesOf('contact'));
    expect(result.out).toMatch(/update\s+step "D365 to Xero connector: Update of contact" \[filteringattributes\]/);
  });

  it('should only read during a dry run and print the plan without the webhook key', async () => {
    const result = await register(fake.org, '--dry-run');

    expect(result.code).toBe(0);
    expect(fake.org.server.requests.length).toBeGreaterThan(0);
    expect(fake.org.server.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(result.out).toMatch(/create\s+webhook "D365 to Xero connector"/);
    expect(result.out).toContain('would create 19');
    expect(result.out + result.err).not.toContain(KEY);
  });

  it('should show a placeholder instead of the key in the JSON plan', async () => {
    const result = await register(fake.org, '--dry-run', '--json');

    const printed = JSON.parse(result.out) as {
      actions: { collection: string; body?: { authvalue?: string } }[];
    };
    const endpoint = printed.actions.find((action) => action.collection === 'serviceendpoints');
    expect(endpoint?.body?.authvalue).toBe('<webhook key>');
    expect(result.out + result.err).not.toContain(KEY);
  });

  it('should never print the key when the endpoint is rewritten or a write fails', async () => {
    await register(fake.org);
    fake.org.overrides.push({
      match: (request) => request.method === 'PATCH',
      reply: { status: 400, body: { error: { code: '0x80040203', message: `bad authvalue ${KEY}` } } },
    });

    const result = await register(fake.org, '--rewrite-key');

    expect(result.code).toBe(1);
    expect(result.out + result.err).not.toContain(KEY);
    expect(result.err).toMatch(/rejected \(400/);
  });

  it('should remove every step and then the endpoint on unregister', async () => {
    await register(fake.org);

    const result = await run(fake.org, ['unregister-webhooks']);

    expect(result.code).toBe(0);
    expect(rowsOf('serviceendpoints')).toHaveLength(0);
    expect(rowsOf('sdkmessageprocessingsteps')).toHaveLength(0);
    expect(rowsOf('sdkmessageprocessingstepimages')).toHaveLength(0);
    const deletes = fake.org.writes().filter((request) => request.method === 'DELETE');
    expect(deletes).toHaveLength(16);
    expect(deletes.at(-1)!.url).toContain('serviceendpoints(');
  });

  it('should say there is nothing to remove when no webhook is registered', async () => {
    const result = await run(fake.org, ['unregister-webhooks']);

    expect(result.code).toBe(0);
    expect(result.out).toContain('nothing to remove');
    expect(fake.org.writes()).toHaveLength(0);
  });

  it('should exit 2 without calling Dataverse when the configuration is incomplete', async () => {
    const noKey = await run(fake.org, ['register-webhooks', '--url', 'https://c.example.com'], {
      DATAVERSE_WEBHOOK_KEY: '',
    });
    const plainHttp = await run(fake.org, ['register-webhooks', '--url', 'http://c.example.com']);
    const noUrl = await run(fake.org, ['unregister-webhooks'], { DATAVERSE_URL: '' });

    expect([noKey.code, plainHttp.code, noUrl.code]).toEqual([2, 2, 2]);
    expect(noKey.err).toContain('DATAVERSE_WEBHOOK_KEY');
    expect(noUrl.err).toContain('DATAVERSE_URL');
    expect(fake.org.server.requests).toHaveLength(0);
  });

  it('should finish a registration interrupted part-way when run again', async () => {
    let posts = 0;
    fake.org.overrides.push({
      match: (request) => request.method === 'POST' && ++posts === 4,
      reply: { status: 400, body: { error: { code: '0x80040203', message: 'invalid' } } },
    });

    const first = await register(fake.org);
    const second = await register(fake.org);

    expect(first.code).toBe(1);
    expect(first.err).toContain('run the command again to finish');
    expect(second.code).toBe(0);
    expect(rowsOf('serviceendpoints')).toHaveLength(1);
    expect(rowsOf('sdkmessageprocessingsteps')).toHaveLength(15);
    expect(rowsOf('sdkmessageprocessingstepimages')).toHaveLength(3);
  });

  it('should write nothing and exit 1 when the fake.org lacks an SDK message filter', async () => {
    const filters = fake.org.rows.get('sdkmessagefilters')!;
    for (const [id, row] of filters) if (row.primaryobjecttypecode === 'salesorderdetail') filters.delete(id);

    const result = await register(fake.org);

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/problem\s+Dataverse has no SDK message filter for Create of salesorderdetail/);
    expect(fake.org.writes()).toHaveLength(0);
  });

  it('should only read when unregistering as a dry run', async () => {
    await register(fake.org);
    const writes = fake.org.writes().length;

    const result = await run(fake.org, ['unregister-webhooks', '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/delete\s+webhook "D365 to Xero connector"/);
    expect(fake.org.writes()).toHaveLength(writes);
    expect(rowsOf('sdkmessageprocessingsteps')).toHaveLength(15);
  });

  it('should confirm a DATAVERSE_CONNECTOR_USER_ID that matches the application user', async () => {
    const result = await run(fake.org, ['register-webhooks', '--url', 'https://c.example.com', '--dry-run'], {
      DATAVERSE_CONNECTOR_USER_ID: fake.org.userId.toUpperCase(),
    });

    expect(result.out).toContain('already matches');
  });
});

describe('connector register-webhooks failures', () => {
  it('should exit 1 with a role hint when Dataverse denies access', async () => {
    const org = await startFakeOrg();
    try {
      org.server.setRoute(() => ({ status: 403, body: { error: { code: '0x80040220', message: 'no privilege' } } }));

      const result = await register(org);

      expect(result.code).toBe(1);
      expect(result.err).toMatch(/access denied \(403\).*System Customizer/s);
      expect(result.err).not.toContain(KEY);
    } finally {
      await org.close();
    }
  });
});

describe('dataverse commands inside the main connector CLI', () => {
  it('should take --url even though the main CLI has a global --url option', async () => {
    const org = await startFakeOrg();
    const io = captureIo({ DATAVERSE_URL: org.url, DATAVERSE_ACCESS_TOKEN: 't', DATAVERSE_WEBHOOK_KEY: KEY });
    try {
      // The main CLI registers the Dataverse commands itself.
      const program = createProgram(io);

      await program.parseAsync(['register-webhooks', '--url', 'https://public.example.com', '--dry-run'], {
        from: 'user',
      });

      expect(io.out()).toContain('https://public.example.com/webhooks/dataverse');
      expect(org.writes()).toHaveLength(0);

      const missing = createProgram(io);
      await expect(missing.parseAsync(['register-webhooks', '--dry-run'], { from: 'user' })).rejects.toMatchObject({
        exitCode: 2,
      });
      expect(io.err()).toContain('--url <public base url> is required');
    } finally {
      await org.close();
    }
  });
});
