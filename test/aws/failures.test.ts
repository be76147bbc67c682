/**
 * The synthesized stack when things go wrong: Xero 429s with Retry-After and 5xx bursts, a record dead-lettered
 * and brought back with `connector redrive --aws` / `connector retry --aws`, a revoked connection (reconnect
 * required, its alarm metric, work kept until the operator reconnects), and a function killed mid-batch.
 * Time scale 0.01: visibility timeouts (the queues' and the pauses functions set) pass a hundred times faster.
 */
import { contactsByNumber, deliverWebhook, waitFor } from '../helpers/e2e-harness';
import {
  consentInBrowser,
  DEMO_IDS,
  runConnectorCli,
  startScenario,
  waitForIdle,
  type Scenario,
} from '../helpers/aws-scenario';

jest.setTimeout(120_000);

let s: Scenario;
beforeAll(async () => {
  s = await startScenario({ timeScale: 0.01 });
  expect((await consentInBrowser(s)).status).toBe(200);
}, 240_000);
afterAll(async () => s?.close());

const deliver = (change: Parameters<typeof deliverWebhook>[2]) => deliverWebhook(s.stack.api.url, s.webhookKey, change);
const dv = () => s.sandbox.dataverseServer.state;
const xero = () => s.sandbox.accounting.knobs;
/** The changes queue: the one the map function consumes (its event source mapping says so). */
const changesQueue = () => s.stack.queues.find((q) => q.arn === s.stack.mappingOf(s.stack.fn(/Map/)).spec.queueArn)!;
const deadLetters = () => s.stack.queues.filter((q) => s.stack.queues.some((source) => source.deadLetterArn === q.arn));
const deadLetterDepth = async () =>
  (await Promise.all(deadLetters().map((q) => s.stack.depth(q)))).reduce((a, b) => a + b, 0);
/** Successful Xero writes carrying `id`: creates are PUTs and updates POSTs (issue 13). */
const xeroWrites = (id: string) =>
  xero()
    .requests()
    .filter((r) => ['PUT', 'POST'].includes(r.method) && (r.status ?? 0) < 300 && JSON.stringify(r.body).includes(id));

describe("Xero's limits and outages", () => {
  it('should wait out 429s with Retry-After and land the contact once', async () => {
    const account = dv().create('account', { name: 'Rate Limited Roasters' });
    xero().failNext(3, 429, 1);
    await deliver({ table: 'account', id: account.id, message: 'Create' });
    await waitFor('the contact after the 429s', () => contactsByNumber(s.sandbox, account.id).length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    expect(
      xero()
        .requests()
        .filter((r) => r.status === 429).length
    ).toBeGreaterThanOrEqual(3);
    expect(contactsByNumber(s.sandbox, account.id)).toHaveLength(1);
    expect(xeroWrites(account.id)).toHaveLength(1);
    expect(await deadLetterDepth()).toBe(0);
  });

  it('should ride out a burst of 5xx answers and land the contact once', async () => {
    const account = dv().create('account', { name: 'Flaky Gateway Traders' });
    xero().failNext(4, 503);
    await deliver({ table: 'account', id: account.id, message: 'Create' });
    await waitFor('the contact after the 5xx burst', () => contactsByNumber(s.sandbox, account.id).length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    expect(contactsByNumber(s.sandbox, account.id)).toHaveLength(1);
    expect(await deadLetterDepth()).toBe(0);
  });
});

describe('dead letters and the operator CLI on AWS', () => {
  it('should dead-letter a record Xero cannot take, then sync it after the fix and `connector redrive --aws`', async () => {
    const account = dv().create('account', { name: 'Placeholder' });
    dv().update('account', account.id, { name: null });
    await deliver({ table: 'account', id: account.id, message: 'Create' });
    const dlq = s.stack.queues.find((q) => q.arn === changesQueue().deadLetterArn)!;
    await waitFor('the change in the dead letters', async () => (await s.stack.depth(dlq)) === 1, {
      timeoutMs: 60_000,
    });
    expect(contactsByNumber(s.sandbox, account.id)).toHaveLength(0);

    dv().update('account', account.id, { name: 'Named At Last Ltd' });
    const cli = await runConnectorCli(s.stack, ['redrive', '--aws', dlq.arn]);
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    expect(cli.stdout).toContain('Moving 1 message');

    await waitFor('the redriven contact', () => contactsByNumber(s.sandbox, account.id).length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    expect(contactsByNumber(s.sandbox, account.id)[0]?.Name).toBe('Named At Last Ltd');
    expect(await s.stack.depth(dlq)).toBe(0);
  });

  it('should sync one record queued by `connector retry --aws <changes queue url>`', async () => {
    const cli = await runConnectorCli(s.stack, [
      'retry',
      'account',
      DEMO_IDS.accounts.northwind,
      '--aws',
      changesQueue().url,
    ]);
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    await waitFor('Northwind in Xero', () => contactsByNumber(s.sandbox, DEMO_IDS.accounts.northwind).length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    expect(contactsByNumber(s.sandbox, DEMO_IDS.accounts.northwind)).toHaveLength(1);
  });
});

describe('a revoked Xero connection', () => {
  it('should report reconnect required with the alarm metric, keep the work queued, and sync it after reconsent', async () => {
    const tokenFn = s.stack.fn(/Token/);
    s.sandbox.identity.knobs.revokeAll();
    const account = dv().create('account', { name: 'Waiting For Consent Ltd' });
    await deliver({ table: 'account', id: account.id, message: 'Create' });

    await waitFor(
      'the ReconnectRequired metric',
      () => s.stack.metrics('ReconnectRequired').some((m) => m.functionName === tokenFn.name),
      { timeoutMs: 60_000 }
    );
    const metric = s.stack.metrics('ReconnectRequired').find((m) => m.functionName === tokenFn.name)!;
    expect(s.stack.alarmsSetOffBy(metric)).toHaveLength(1);
    const status = await fetch(`${s.stack.api.url}/status`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(((await status.json()) as { connection: { state: string } }).connection.state).toBe('reconnect_required');
    expect(contactsByNumber(s.sandbox, account.id)).toHaveLength(0);
    expect(await deadLetterDepth()).toBe(0);

    expect((await consentInBrowser(s)).status).toBe(200);
    await waitFor('the paused contact after reconsent', () => contactsByNumber(s.sandbox, account.id).length === 1, {
      timeoutMs: 60_000,
    });
    await waitForIdle(s.stack);
    expect(contactsByNumber(s.sandbox, account.id)).toHaveLength(1);
    expect(await deadLetterDepth()).toBe(0);
  });
});

describe('a function killed mid-batch', () => {
  it('should redeliver its messages after the visibility timeout and write each record exactly once', async () => {
    const postFn = s.stack.fn(/Post/);
    const accounts = ['Killed Mid Batch One', 'Killed Mid Batch Two', 'Killed Mid Batch Three'].map(
      (name) => dv().create('account', { name }).id
    );
    xero().pause();
    try {
      for (const id of accounts) await deliver({ table: 'account', id, message: 'Create' });
      await waitFor('a Xero call held in flight', () => xero().inFlight() >= 1, { timeoutMs: 60_000 });
      expect(s.stack.lambda.killRunning(postFn.name)).toBeGreaterThanOrEqual(1);
    } finally {
      xero().resume();
    }
    await waitFor(
      'every killed record in Xero',
      () => accounts.every((id) => contactsByNumber(s.sandbox, id).length >= 1),
      { timeoutMs: 90_000 }
    );
    await waitForIdle(s.stack);
    for (const id of accounts) expect(contactsByNumber(s.sandbox, id)).toHaveLength(1);
    expect(await deadLetterDepth()).toBe(0);
  });
});
