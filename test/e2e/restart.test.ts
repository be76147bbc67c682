/**
 * Restarts: the connector stopped mid-queue — gracefully in process, killed with SIGKILL while a Xero write was in
 * flight, or asked to stop with SIGTERM — and started again on the same DATA_DIR. Every record must end in Xero
 * exactly once: nothing lost, nothing duplicated.
 */
import { randomUUID } from 'node:crypto';
import type { LocalConnector } from '../../src/local/local-connector';
import {
  closeQuietly,
  collectingLogger,
  consentOverHttp,
  contactsByNumber,
  deliverWebhook,
  getStatus,
  startFakes,
  startRealConnector,
  tempDataDir,
  waitFor,
  waitForDrain,
  type Fakes,
} from '../helpers/e2e-harness';
import { spawnConnector, stopChild, waitForHealthy, type ConnectorChild } from '../helpers/e2e-child';

jest.setTimeout(90_000);

interface Scenario {
  fakes: Fakes;
  data: ReturnType<typeof tempDataDir>;
  url: string;
}

const scenarios: Scenario[] = [];
const children: ConnectorChild[] = [];
const inProcess: LocalConnector[] = [];

afterAll(async () => {
  for (const child of children) await stopChild(child);
  await closeQuietly(...inProcess);
  for (const scenario of scenarios) {
    await closeQuietly(scenario.fakes.systems);
    scenario.data.remove();
  }
});

async function scenario(label: string): Promise<Scenario> {
  const data = tempDataDir(label);
  const fakes = await startFakes(data.dir, { seed: false });
  const created = { fakes, data, url: `http://127.0.0.1:${fakes.port}` };
  scenarios.push(created);
  return created;
}

/** Creates `count` accounts in the fake Dataverse and delivers their Create webhooks to the connector. */
async function createAccounts(s: Scenario, count: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    s.fakes.systems.dataverseServer.state.create('account', {
      accountid: id,
      name: `${label} customer ${String(i).padStart(3, '0')}`,
    });
    ids.push(id);
  }
  const key = s.fakes.env.DATAVERSE_WEBHOOK_KEY;
  for (let i = 0; i < ids.length; i += 10) {
    const answers = await Promise.all(
      ids.slice(i, i + 10).map((id) =>
        deliverWebhook(s.url, key, {
          table: 'account',
          id,
          message: 'Create',
          changed: { name: `${label} customer` },
        })
      )
    );
    for (const answer of answers) expect(answer.status).toBeLessThan(300);
  }
  return ids;
}

const synced = (s: Scenario, ids: readonly string[]) =>
  ids.filter((id) => contactsByNumber(s.fakes.systems, id).length > 0).length;

function expectExactlyOnce(s: Scenario, ids: readonly string[]): void {
  const counts = ids.map((id) => contactsByNumber(s.fakes.systems, id).length);
  expect(counts.filter((n) => n !== 1)).toEqual([]);
  expect(s.fakes.systems.accounting.state.snapshot().contacts).toHaveLength(ids.length);
}

it('should finish the queue exactly once after a graceful stop (app.close) and a restart', async () => {
  const s = await scenario('restart-close');
  const first = await startRealConnector(s.fakes.env, collectingLogger().logger);
  inProcess.push(first);
  expect((await consentOverHttp(s.url)).status).toBe(200);
  // Slow Dataverse reads so the queue is still busy when the connector stops.
  s.fakes.systems.dataverseServer.knobs.setLatency(60);
  const ids = await createAccounts(s, 60, 'Close');
  await waitFor('the first contacts in Xero', () => synced(s, ids) >= 3);
  await first.close();
  const atStop = synced(s, ids);
  expect(atStop).toBeLessThan(ids.length);

  s.fakes.systems.dataverseServer.knobs.setLatency(0);
  const second = await startRealConnector(s.fakes.env, collectingLogger().logger);
  inProcess.push(second);
  expect((await getStatus(s.url)).connection.state).toBe('connected');
  await waitFor('every contact in Xero', () => synced(s, ids) === ids.length, { timeoutMs: 30_000 });
  const status = await waitForDrain(s.url);
  expectExactlyOnce(s, ids);
  expect(status.counts.failed).toBe(0);
  await second.close();
});

it('should finish the queue exactly once after SIGKILL during a Xero write and a restart', async () => {
  const s = await scenario('restart-kill');
  const first = spawnConnector(s.fakes.env);
  children.push(first);
  await waitForHealthy(first, s.url);
  expect((await consentOverHttp(s.url)).status).toBe(200);
  s.fakes.systems.dataverseServer.knobs.setLatency(60);
  // More accounts than two Xero calls carry (50 each): the held write can never be the last one, whatever the
  // map stage's batches made of the queue by then.
  const ids = await createAccounts(s, 120, 'Kill');
  await waitFor('the first contacts in Xero', () => synced(s, ids) >= 3);
  // Hold the next Xero write in flight, kill the connector while it waits, then let the write land anyway:
  // the restarted connector cannot know it succeeded and must not create the contacts again.
  const { knobs } = s.fakes.systems.accounting;
  knobs.pause();
  await waitFor('a Xero write in flight', () => knobs.inFlight() >= 1);
  first.process.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  knobs.resume();
  await waitFor('the held write to land', () => knobs.inFlight() === 0);
  expect(synced(s, ids)).toBeLessThan(ids.length);

  s.fakes.systems.dataverseServer.knobs.setLatency(0);
  const second = spawnConnector(s.fakes.env);
  children.push(second);
  await waitForHealthy(second, s.url);
  await waitFor('every contact in Xero', () => synced(s, ids) === ids.length, { timeoutMs: 40_000 }).catch(
    async (error: Error) => {
      // Say where the missing work sits: leased by the killed process, or gone.
      const status = await getStatus(s.url);
      throw new Error(
        `${error.message}; ${synced(s, ids)}/${ids.length} synced; queues ${JSON.stringify(status.queues)}`
      );
    }
  );
  const status = await waitForDrain(s.url);
  expectExactlyOnce(s, ids);
  expect(status.counts.failed).toBe(0);
  await stopChild(second);
});

it('should exit 0 on SIGTERM mid-queue and finish the work after a restart', async () => {
  const s = await scenario('restart-term');
  const first = spawnConnector(s.fakes.env);
  children.push(first);
  await waitForHealthy(first, s.url);
  expect((await consentOverHttp(s.url)).status).toBe(200);
  s.fakes.systems.dataverseServer.knobs.setLatency(60);
  const ids = await createAccounts(s, 40, 'Term');
  await waitFor('the first contacts in Xero', () => synced(s, ids) >= 2);
  first.process.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  expect(synced(s, ids)).toBeLessThan(ids.length);

  s.fakes.systems.dataverseServer.knobs.setLatency(0);
  const second = spawnConnector(s.fakes.env);
  children.push(second);
  await waitForHealthy(second, s.url);
  await waitFor('every contact in Xero', () => synced(s, ids) === ids.length, { timeoutMs: 30_000 });
  await waitForDrain(s.url);
  expectExactlyOnce(s, ids);
  await stopChild(second);
});
