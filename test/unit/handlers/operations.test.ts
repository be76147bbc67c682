import { createBackfill, type BackfillLedger, type RecordLister } from '../../../lambdas/core/backfill/backfill';
import { ValidationError } from '../../../lambdas/core/errors';
import type { SyncedTable } from '../../../lambdas/core/model/change-event';
import type { OperationAnswer, OperationDeps } from '../../../lambdas/core/operations/operations';
import { DEFAULT_MAPPING_SETTINGS } from '../../../lambdas/core/settings';
import { createPlanChange } from '../../../lambdas/core/sync/plan-change';
import { createHandler, dayBudgetFrom } from '../../../lambdas/handlers/operations';
import { buildAccount, guid } from '../../helpers/dataverse-factories';
import { InMemoryDataverse } from '../../helpers/in-memory-dataverse';
import { InMemorySyncState, RecordingQueues, fixedClock } from '../../helpers/in-memory-ports';

class InMemoryLedger implements BackfillLedger {
  readonly keys = new Set<string>();
  async queued(runId: string, table: SyncedTable, ids: readonly string[]) {
    return new Set(ids.filter((id) => this.keys.has(`${runId}/${table}/${id}`)));
  }
  async remember(runId: string, table: SyncedTable, ids: readonly string[]) {
    for (const id of ids) this.keys.add(`${runId}/${table}/${id}`);
  }
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function listerOf(records: Partial<Record<SyncedTable, string[]>>): RecordLister & { listings: number } {
  const lister = {
    listings: 0,
    async *listRecordIds(table: SyncedTable) {
      lister.listings++;
      for (const id of records[table] ?? []) yield id;
    },
  };
  return lister;
}

/** A Lambda context whose remaining time drops by `stepMs` each time it is asked. */
function contextWithTime(startMs: number, stepMs: number) {
  let remaining = startMs;
  return {
    getRemainingTimeInMillis: () => {
      const now = remaining;
      remaining -= stepMs;
      return now;
    },
  };
}

/**
 * A context where queueing a batch costs 10 s and re-reading one already queued costs 1 s (listing and a ledger
 * read, no SQS or ledger writes): roughly the proportions on AWS.
 */
function contextCharging(queues: RecordingQueues, startMs: number) {
  const queuedAtStart = queues.changes.length;
  let checks = 0;
  return {
    getRemainingTimeInMillis: () => {
      const batchesQueued = Math.ceil((queues.changes.length - queuedAtStart) / 100);
      return startMs - batchesQueued * 10_000 - checks++ * 1_000;
    },
  };
}

const roomy = { getRemainingTimeInMillis: () => 14 * 60_000 };

function setup(records: Partial<Record<SyncedTable, string[]>> = {}, dayBudget = 5000) {
  const dataverse = new InMemoryDataverse();
  const queues = new RecordingQueues();
  const ledger = new InMemoryLedger();
  const lister = listerOf(records);
  let depsBuilt = 0;
  const deps = (): OperationDeps => {
    depsBuilt++;
    return {
      planChange: createPlanChange({
        reader: dataverse,
        state: new InMemorySyncState(),
        settings: DEFAULT_MAPPING_SETTINGS,
      }),
      backfill: createBackfill({ lister, changes: queues, ledger, clock: fixedClock() }),
      dayBudget,
      clock: fixedClock(),
    };
  };
  const handler = createHandler(async () => deps(), { reserveMs: 60_000 });
  return { handler, dataverse, queues, ledger, lister, depsBuilt: () => depsBuilt };
}

describe('operations handler: preview', () => {
  it('should answer the Xero contact an account would become, queueing nothing', async () => {
    const t = setup();
    t.dataverse.add(buildAccount({ accountid: guid(7), name: 'Alpine Ski House' }));

    const answer = await t.handler({ action: 'preview', table: 'account', id: guid(7).toUpperCase() }, roomy);

    expect(answer).toMatchObject({
      writes: [{ kind: 'upsert-contact', contact: { ContactNumber: guid(7), Name: 'Alpine Ski House' } }],
      forward: [],
    });
    expect(t.queues.changes).toHaveLength(0);
  });

  it('should refuse a table or id that is not a synced table and a GUID, before reading any settings', async () => {
    const t = setup();

    const badId = await t.handler({ action: 'preview', table: 'account', id: 'not-a-guid' }, roomy);
    const badTable = await t.handler({ action: 'preview', table: 'invoice', id: guid(1) }, roomy);
    const unknown = await t.handler({ action: 'delete-everything' }, roomy);

    for (const answer of [badId, badTable, unknown]) expect(answer).toMatchObject({ error: 'bad_request' });
    expect((badId as { message: string }).message).toContain('GUID');
    expect(t.depsBuilt()).toBe(0);
  });

  it('should answer not_found naming the record when Dataverse does not have it', async () => {
    const t = setup();

    const answer = await t.handler({ action: 'preview', table: 'salesorder', id: guid(9) }, roomy);

    expect(answer).toEqual({ error: 'not_found', message: `salesorder ${guid(9)} not found in Dataverse` });
  });

  it('should answer cannot_map with the reason when the record cannot be read or mapped', async () => {
    const t = setup();
    t.dataverse.getAccount = async () => {
      throw new ValidationError('account has no name');
    };

    const answer = await t.handler({ action: 'preview', table: 'account', id: guid(3) }, roomy);

    expect(answer).toEqual({ error: 'cannot_map', message: 'ValidationError: account has no name' });
  });
});

describe('operations handler: backfill', () => {
  it('should estimate on a dry run against the day budget, queueing nothing', async () => {
    const t = setup({ account: ids('a', 120), salesorder: ids('o', 60) }, 1000);

    const answer = await t.handler({ action: 'backfill', tables: ['salesorder', 'account'], dryRun: true }, roomy);

    expect(answer).toMatchObject({
      dryRun: true,
      runId: expect.stringMatching(/^[0-9a-f]{16}$/),
      estimate: { records: { account: 120, salesorder: 60 }, xeroCalls: 3 * 2 + 2 * 4, dayBudget: 1000, days: 1 },
    });
    expect(t.queues.changes).toHaveLength(0);
  });

  it('should queue everything in one invocation when time allows and answer done', async () => {
    const t = setup({ account: ids('a', 150), product: ids('p', 20) });

    const answer = await t.handler({ action: 'backfill', tables: ['account', 'product'] }, roomy);

    expect(answer).toMatchObject({
      state: 'done',
      progress: { account: { listed: 150, queued: 150 }, product: { listed: 20, queued: 20 } },
    });
    expect(t.queues.changes.map((c) => c.source)).toEqual(Array(170).fill('backfill'));
  });

  it('should stop before the time runs low and resume on the next invocation without queueing twice', async () => {
    const t = setup({ account: ids('a', 850), contact: ids('c', 130) });
    const request = { action: 'backfill', tables: ['account', 'contact'], since: '2026-01-01' };
    const answers: OperationAnswer[] = [];

    // Each invocation has room for about three new batches of 100 before the time falls under the reserve.
    for (let i = 0; i < 10; i++) {
      const answer = await t.handler(request, contextCharging(t.queues, 95_000));
      answers.push(answer);
      if ('state' in answer && answer.state === 'done') break;
      if (!('state' in answer)) throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
    }

    const states = answers.map((a) => ('state' in a ? a.state : 'error'));
    expect(states.length).toBeGreaterThan(2);
    expect(states.slice(0, -1).every((state) => state === 'partial')).toBe(true);
    expect(states.at(-1)).toBe('done');
    // Every invocation got further than the one before: it queued something new.
    const queuedPer = answers.map((a) =>
      'progress' in a ? Object.values(a.progress).reduce((n, p) => n + p.queued, 0) : 0
    );
    expect(queuedPer.every((n) => n > 0)).toBe(true);
    expect(answers[0]).toMatchObject({ progress: { account: { listed: 400, queued: 400 } } });
    expect(t.queues.changes).toHaveLength(980);
    expect(new Set(t.queues.changes.map((c) => `${c.table}:${c.id}`)).size).toBe(980);
    const runIds = new Set(answers.map((a) => ('runId' in a ? a.runId : '')));
    expect(runIds.size).toBe(1);
  });

  it('should answer partial with nothing queued when re-reading what is already queued takes the whole budget', async () => {
    const t = setup({ account: ids('a', 450) });
    const request = { action: 'backfill', tables: ['account'] };

    const first = await t.handler(request, contextWithTime(90_000, 10_000));
    const second = await t.handler(request, contextWithTime(90_000, 10_000));

    expect(first).toMatchObject({ state: 'partial', progress: { account: { queued: 400 } } });
    expect(second).toMatchObject({ state: 'partial', progress: { account: { listed: 400, queued: 0 } } });
  });

  it('should answer backfill_failed with the reason when listing fails', async () => {
    const t = setup();
    t.lister.listRecordIds = () => {
      throw new ValidationError('listRecordIds: `since` is not a date');
    };

    const answer = await t.handler({ action: 'backfill', tables: ['account'] }, roomy);

    expect(answer).toEqual({ error: 'backfill_failed', message: expect.stringContaining('is not a date') });
  });

  it('should refuse unknown tables and dates that do not parse', async () => {
    const t = setup();

    expect(await t.handler({ action: 'backfill', tables: ['invoice'] }, roomy)).toMatchObject({
      error: 'bad_request',
    });
    expect(await t.handler({ action: 'backfill', tables: [] }, roomy)).toMatchObject({ error: 'bad_request' });
    expect(await t.handler({ action: 'backfill', tables: ['account'], since: 'last week' }, roomy)).toMatchObject({
      error: 'bad_request',
      message: expect.stringContaining('since'),
    });
  });
});

describe('dayBudgetFrom', () => {
  it('should take XERO_DAY_BUDGET when it is a positive whole number and 5,000 otherwise', () => {
    expect(dayBudgetFrom({ XERO_DAY_BUDGET: '1000' })).toBe(1000);
    expect(dayBudgetFrom({ XERO_DAY_BUDGET: 'lots' })).toBe(5000);
    expect(dayBudgetFrom({})).toBe(5000);
  });
});
