import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoDbOutcomeJournal,
  JOURNAL_ENTRIES_PER_HOUR,
} from '../../../lambdas/adapters/aws/dynamodb-outcome-journal';
import { dynamicsRecordLink, readOutcomeJournal } from '../../../lambdas/adapters/aws/outcome-journal-reader';
import type { Clock, Logger, SyncOutcome } from '../../../lambdas/core/ports';
import { startMoto, type MotoServer } from '../../helpers/moto-server';
import { createSyncStateTable } from '../../helpers/sync-state-table';

const TABLE = 'sync-state';
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function idOf(n: number): string {
  return `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function outcome(n: number, overrides: Partial<SyncOutcome> = {}): SyncOutcome {
  return {
    table: 'account',
    id: idOf(n),
    name: `Account ${n}`,
    status: 'synced',
    message: 'Contact created',
    xeroId: `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`,
    event: 'Update',
    ...overrides,
  };
}

describe('DynamoDbOutcomeJournal (sync-state table, moto)', () => {
  let moto: MotoServer;
  let client: DynamoDBClient;
  let calls: string[] = [];
  let now: Date;
  const clock: Clock = { now: () => now };

  beforeAll(async () => {
    moto = await startMoto();
    client = new DynamoDBClient(moto.clientConfig);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' }
    );
  }, 60_000);
  afterAll(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await createSyncStateTable(client, TABLE);
    calls = [];
    now = new Date('2026-12-08T10:15:00.000Z');
  });

  it('should write a batch of outcomes with one call per clock hour, only when flushed', async () => {
    const journal = new DynamoDbOutcomeJournal(client, TABLE, clock, silent);
    for (let n = 0; n < 10; n++) await journal.record(outcome(n));
    expect(calls).toEqual([]);
    await journal.flush();
    expect(calls).toEqual(['UpdateItemCommand']);

    now = new Date('2026-12-08T10:59:59.000Z');
    await journal.record(outcome(10, { status: 'failed', message: 'Xero refused: no name', willRetry: false }));
    now = new Date('2026-12-08T11:00:00.000Z');
    await journal.record(outcome(11, { status: 'skipped', message: 'unchanged' }));
    calls = [];
    await journal.flush();
    expect(calls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    calls = [];
    await journal.flush();
    expect(calls).toEqual([]);
  });

  it('should read back counts, 24 hourly buckets, newest outcomes by name and final failures only', async () => {
    const journal = new DynamoDbOutcomeJournal(client, TABLE, clock, silent);
    now = new Date('2026-12-07T09:30:00.000Z'); // 25 hours back: outside the window
    await journal.record(outcome(99));
    now = new Date('2026-12-08T08:05:00.000Z');
    await journal.record(outcome(1));
    await journal.record(outcome(2, { status: 'failed', message: 'Xero 503', willRetry: true }));
    now = new Date('2026-12-08T10:10:00.000Z');
    await journal.record(
      outcome(3, {
        table: 'salesorder',
        name: 'ORD-1001',
        status: 'failed',
        message: 'Account code 200 is archived',
        willRetry: false,
        xeroId: undefined,
      })
    );
    await journal.record(outcome(4, { xeroShortCode: '!abc12' }));
    await journal.flush();

    calls = [];
    const view = await readOutcomeJournal(
      client,
      TABLE,
      new Date('2026-12-08T10:20:00.000Z'),
      dynamicsRecordLink('https://org.crm.dynamics.com/')
    );
    expect(calls).toEqual(['BatchGetItemCommand']);
    expect(view.counts).toEqual({ synced: 2, failed: 2, skipped: 0 });
    expect(view.hourly).toHaveLength(24);
    expect(view.hourly[0]!.hourStart).toBe('2026-12-07T11:00:00.000Z');
    expect(view.hourly[23]).toEqual({ hourStart: '2026-12-08T10:00:00.000Z', synced: 1, failed: 1 });
    expect(view.hourly[21]).toEqual({ hourStart: '2026-12-08T08:00:00.000Z', synced: 1, failed: 1 });
    expect(view.recent.map((o) => o.name)).toEqual(['ORD-1001', 'Account 4', 'Account 1', 'Account 2']);
    expect(view.failures).toEqual([
      {
        table: 'salesorder',
        id: idOf(3),
        name: 'ORD-1001',
        dynamicsUrl: `https://org.crm.dynamics.com/main.aspx?pagetype=entityrecord&etn=salesorder&id=${idOf(3)}`,
        at: '2026-12-08T10:10:00.000Z',
        status: 'failed',
        message: 'Account code 200 is archived',
      },
    ]);
    expect(view.recent[1]!.xeroUrl).toContain('shortcode=!abc12');
  });

  it('should drop a failure from the failures once a later outcome of the same record synced it', async () => {
    const journal = new DynamoDbOutcomeJournal(client, TABLE, clock, silent);
    now = new Date('2026-12-08T08:05:00.000Z');
    await journal.record(outcome(5, { status: 'failed', message: 'Name is required', willRetry: false }));
    await journal.record(outcome(6, { status: 'failed', message: 'Name is required', willRetry: false }));
    await journal.flush();
    now = new Date('2026-12-08T10:05:00.000Z');
    await journal.record(outcome(5));
    await journal.flush();

    const view = await readOutcomeJournal(
      client,
      TABLE,
      new Date('2026-12-08T10:20:00.000Z'),
      dynamicsRecordLink(undefined)
    );
    expect(view.failures.map((f) => f.id)).toEqual([idOf(6)]);
    expect(view.counts).toEqual({ synced: 1, failed: 2, skipped: 0 });
  });

  it('should keep exact counts and count what it cannot list once an hour is full', async () => {
    const journal = new DynamoDbOutcomeJournal(client, TABLE, clock, silent);
    for (let start = 0; start < JOURNAL_ENTRIES_PER_HOUR + 20; start += 50) {
      for (let n = start; n < Math.min(start + 50, JOURNAL_ENTRIES_PER_HOUR + 20); n++)
        await journal.record(outcome(n));
      await journal.flush();
    }
    const view = await readOutcomeJournal(client, TABLE, now);
    expect(view.counts.synced).toBe(JOURNAL_ENTRIES_PER_HOUR + 20);
    expect(view.unlisted).toBe(20);
    const item = await DynamoDBDocumentClient.from(client).send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'journal#2026-12-08T10' } })
    );
    expect(item.Item!.entries).toHaveLength(JOURNAL_ENTRIES_PER_HOUR);
    expect(item.Item!.ttl).toBe(Math.ceil(now.getTime() / 1000) + 48 * 3600);
  });

  it('should never throw when DynamoDB refuses the write', async () => {
    const warnings: string[] = [];
    const journal = new DynamoDbOutcomeJournal(client, 'no-such-table', clock, {
      ...silent,
      warn: (message) => warnings.push(message),
    });
    await journal.record(outcome(1));
    await expect(journal.flush()).resolves.toBeUndefined();
    expect(warnings).toEqual(['outcome journal not written']);
  });
});
