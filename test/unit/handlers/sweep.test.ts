import { preflightStatusOf, type PreflightReport } from '../../../lambdas/core/preflight/preflight-report';
import { MemoryChangeSightings } from '../../../lambdas/core/sweep/memory-change-sightings';
import type { SweepReport } from '../../../lambdas/core/sweep/sweep-report';
import { createHandler as createDataverseHandler } from '../../../lambdas/handlers/dataverse-webhook';
import { awsStatusSnapshot } from '../../../lambdas/handlers/shared/aws-status-snapshot';
import { fixedClock, recordingLogger } from '../../helpers/in-memory-ports';
import { metrics } from '../../../lambdas/handlers/shared/powertools';
import { createHandler as createSweepHandler } from '../../../lambdas/handlers/sweep';
import { apiGatewayEvent } from '../../helpers/api-gateway-events';

const KEY = 'k'.repeat(40);
const ACCOUNT = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';
const CONNECTOR_USER = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const webhook = (initiatingUserId?: string) =>
  JSON.stringify({
    MessageName: 'Update',
    PrimaryEntityName: 'account',
    PrimaryEntityId: ACCOUNT,
    OperationId: '11111111-2222-4333-8444-555555555555',
    OperationCreatedOn: '/Date(1764150000000)/',
    OrganizationId: '3f9d2a71-64c8-4b0e-a5d2-8e1c7b40f6a9',
    ...(initiatingUserId ? { InitiatingUserId: initiatingUserId } : {}),
    InputParameters: [],
  });

describe('dataverse-webhook handler with sightings', () => {
  function setup() {
    const sightings = new MemoryChangeSightings();
    const handler = createDataverseHandler(async () => ({
      queue: { enqueue: async () => undefined },
      sightings,
      webhookKey: KEY,
      connectorUserId: CONNECTOR_USER,
      syncedTables: ['account', 'contact', 'product', 'salesorder'],
    }));
    const post = (body: string) =>
      handler(
        apiGatewayEvent({
          resource: '/webhooks/dataverse',
          method: 'POST',
          query: { code: KEY },
          headers: { 'content-type': 'application/json' },
          body,
        })
      );
    return { sightings, post };
  }

  it('should note a queued change as delivered at its operation time', async () => {
    const { sightings, post } = setup();
    expect((await post(webhook())).statusCode).toBe(202);
    expect(await sightings.get('account', ACCOUNT)).toEqual({ delivered: new Date(1764150000000).toISOString() });
  });

  it("should note the connector's own (ignored) change separately", async () => {
    const { sightings, post } = setup();
    expect((await post(webhook(CONNECTOR_USER))).statusCode).toBe(202);
    expect(await sightings.get('account', ACCOUNT)).toEqual({ own: new Date(1764150000000).toISOString() });
  });
});

const report = (missed: number): SweepReport => ({
  startedAt: '2026-11-26T10:00:00.000Z',
  finishedAt: '2026-11-26T10:00:01.000Z',
  tables: [{ table: 'salesorder', found: 3, queued: 2, missed, truncated: false }],
  found: 3,
  queued: 2,
  missed,
  missedTotal: missed,
});

describe('sweep handler', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should publish SweepMissedChanges and the preflight problems', async () => {
    const added: Array<[string, number]> = [];
    jest.spyOn(metrics, 'addMetric').mockImplementation((name, _unit, value) => {
      added.push([name, value]);
      return metrics;
    });
    jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const preflight: PreflightReport = {
      checkedAt: '2026-11-26T10:00:00.000Z',
      ok: false,
      problems: [{ setting: 'salesAccountCode', value: '999', message: 'missing', validChoices: ['200 Sales'] }],
      warnings: [],
    };
    const handler = createSweepHandler(async () => ({
      sweep: async () => report(2),
      preflightIfDue: async () => preflight,
    }));
    expect(await handler()).toEqual({ found: 3, queued: 2, missed: 2, preflightOk: false });
    expect(added).toEqual([
      ['SweepMissedChanges', 2],
      ['SweepFailedTables', 0],
      ['PreflightProblems', 1],
    ]);
  });

  it('should keep the sweep result when the preflight cannot run', async () => {
    jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const handler = createSweepHandler(async () => ({
      sweep: async () => report(0),
      preflightIfDue: async () => {
        throw new Error('Xero unavailable');
      },
    }));
    expect(await handler()).toMatchObject({ missed: 0, preflightOk: undefined });
  });
});

describe('AWS /status', () => {
  it('should include the sweep figures and the preflight problems with their valid choices', async () => {
    const snapshot = await awsStatusSnapshot({
      clock: fixedClock(),
      logger: recordingLogger(),
      connection: async () => ({ state: 'connected' as const }),
      tenantPinned: async () => true,
      queues: async () => ({}),
      deadLetters: async () => [],
      journal: async () => ({
        counts: { synced: 0, failed: 0, skipped: 0 },
        hourly: [],
        recent: [],
        failures: [],
        unlisted: 0,
      }),
      checks: async () => ({
        sweep: { missedLastRun: 1 },
        preflight: preflightStatusOf({
          checkedAt: 'x',
          ok: false,
          problems: [{ setting: 'salesTaxType', value: 'X', message: 'missing', validChoices: ['OUTPUT2 GST'] }],
          warnings: [],
        }),
      }),
      connectPath: '/dev/oauth/xero/connect',
    });
    expect(snapshot).toMatchObject({
      sweep: { missedLastRun: 1 },
      preflight: { ok: false, problems: [{ setting: 'salesTaxType', validChoices: 'OUTPUT2 GST' }] },
    });
  });
});
