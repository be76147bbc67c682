import { randomUUID } from 'node:crypto';
import { integrationLogNames, integrationLogRow, planIntegrationSchema } from '../../../lambdas/core/dataverse-admin';
import { PermanentError } from '../../../lambdas/core/errors';
import { IntegrationLogSink } from '../../../lambdas/adapters/dataverse/integration-log-sink';
import { DataverseSession, DataverseWriter } from '../../../lambdas/adapters/dataverse/dataverse-writer';
import { createStaticTokenSource } from '../../../lambdas/adapters/dataverse/dataverse-token-source';
import { startSandboxDataverse, type SandboxDataverse } from '../../../sandbox/dataverse/server';
import { DEMO_IDS, seedDemoData } from '../../../sandbox/demo-data';
import { runDataverseCommands } from '../../../src/cli/dataverse-commands';
import { withoutProxy } from '../../helpers/no-proxy';
import { runCaptured } from '../../helpers/capture-io';

const KEY = 'sandbox-webhook-key-0123456789abcdef0123456789';
const names = integrationLogNames();
type Row = Record<string, unknown>;

describe('the sandbox Dataverse serves setup-dataverse and register-webhooks', () => {
  let dv: SandboxDataverse;
  withoutProxy();
  beforeEach(async () => {
    dv = await startSandboxDataverse();
    seedDemoData(dv.state);
  });
  afterEach(() => dv.close());

  async function cli(...argv: string[]) {
    return runCaptured((io) => runDataverseCommands(argv, io), {
      DATAVERSE_URL: dv.url,
      DATAVERSE_ACCESS_TOKEN: 'sandbox',
      DATAVERSE_WEBHOOK_KEY: KEY,
    });
  }
  const writer = () =>
    new DataverseWriter(
      new DataverseSession({
        serverUrl: dv.url,
        tokenSource: createStaticTokenSource('sandbox'),
        timeoutMs: 2_000,
        sleep: () => Promise.resolve(),
      })
    );
  const get = async (path: string): Promise<Row> => (await (await fetch(`${dv.apiUrl}/${path}`)).json()) as Row;
  const lastStatus = () => dv.knobs.requests().at(-1)?.status;

  it('should accept the documented bodies of both commands and find nothing to do on a second run', async () => {
    const first = await cli('setup-dataverse');
    expect(first).toMatchObject({ code: 0 });
    expect(await cli('register-webhooks', '--url', 'https://connector.example.com')).toMatchObject({ code: 0 });

    const setupAgain = await cli('setup-dataverse');
    const registerAgain = await cli('register-webhooks', '--url', 'https://connector.example.com');

    expect(setupAgain.out).toMatch(/created 0, updated 0, removed 0/);
    expect(registerAgain.out).toMatch(/created 0, updated 0, removed 0/);
    const steps = (await get('sdkmessageprocessingsteps')).value as Row[];
    expect(steps).toHaveLength(15);
    expect(((await get('sdkmessageprocessingstepimages')).value as Row[]).length).toBe(3);
  });

  it('should take a log row bound through the pinned navigation property and refuse the logical name', async () => {
    await cli('setup-dataverse');
    const accountId = DEMO_IDS.accounts.harbourview;
    const outcome = { table: 'account', id: accountId, status: 'synced', message: 'ok', event: 'Update' } as const;

    await writer().createRecord(names.entitySet, integrationLogRow(outcome, { names }));
    const wrongName = integrationLogRow(outcome, { names, navigation: { account: names.regarding.account } });
    await expect(writer().createRecord(names.entitySet, wrongName)).rejects.toBeInstanceOf(PermanentError);

    expect(lastStatus()).toBe(400);
    const rows = (await get(names.entitySet)).value as Row[];
    expect(rows).toEqual([expect.objectContaining({ _d365x_regardingaccountid_value: accountId })]);
  });

  it('should let the integration-log sink write its row and the write-back once setup has run', async () => {
    await cli('setup-dataverse');
    const logged: string[] = [];
    const log = (message: string) => logged.push(message);
    const sink = new IntegrationLogSink({
      writer: writer(),
      logger: { debug: log, info: log, warn: log, error: log },
    });
    const xeroId = randomUUID();

    await sink.record({
      table: 'contact',
      id: DEMO_IDS.contacts.mayaOkafor,
      status: 'synced',
      message: 'ok',
      event: 'Update',
      xeroId,
    });

    expect(logged).toEqual([]);
    expect(dv.state.get('contact', DEMO_IDS.contacts.mayaOkafor)).toMatchObject({ d365x_xeroid: xeroId });
    expect(((await get(names.entitySet)).value as Row[])[0]).toMatchObject({
      _d365x_regardingcontactid_value: DEMO_IDS.contacts.mayaOkafor,
    });
  });

  it('should refuse a custom column that setup never created, but only once customisations exist', async () => {
    const id = DEMO_IDS.accounts.harbourview;
    await expect(writer().updateRecord('account', id, { d365x_notacolumn: 'x' })).resolves.toBe(true);

    await cli('setup-dataverse', '--no-record-columns');

    await expect(writer().updateRecord('account', id, { d365x_othercolumn: 'x' })).rejects.toBeInstanceOf(
      PermanentError
    );
    expect(lastStatus()).toBe(400);
  });

  it('should refuse a table definition without a primary name column and a step with an unknown stage', async () => {
    const entity = planIntegrationSchema({}, { logTable: null, attributes: {} }).actions[0]!.body!;
    const post = (path: string, body: unknown) =>
      fetch(`${dv.apiUrl}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    expect((await post('EntityDefinitions', { ...entity, Attributes: [] })).status).toBe(400);
    expect((await post('sdkmessageprocessingsteps', { name: 'x', stage: 30, mode: 1, rank: 1 })).status).toBe(400);
    expect((await get(`EntityDefinitions(LogicalName='${names.table}')`)).error).toBeDefined();
  });

  it('should remove the steps and their images with unregister-webhooks', async () => {
    await cli('register-webhooks', '--url', 'https://connector.example.com');

    expect(await cli('unregister-webhooks')).toMatchObject({ code: 0 });

    expect((await get('serviceendpoints')).value).toEqual([]);
    expect((await get('sdkmessageprocessingsteps')).value).toEqual([]);
    expect((await get('sdkmessageprocessingstepimages')).value).toEqual([]);
  });
});
