/**
 * One behaviour suite for both runtimes' work queues: the same runners (core/work) settled on SQLite (the local
 * worker loop) and on SQS (the Lambda path, against an in-memory SQS with a redrive policy, standard and FIFO).
 * Every case must hold on each: the semantics are the product's, not a runtime's.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runSqsWork } from '../../../lambdas/adapters/aws/sqs-work-queue';
import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteQueue } from '../../../lambdas/adapters/local/sqlite-queue';
import { pollOnce } from '../../../lambdas/adapters/local/worker-loop';
import type { WorkResult } from '../../../lambdas/core/model/xero-write';
import { PAUSED_WORK_RECHECK_MS, type WorkRunner } from '../../../lambdas/core/work/settlement';
import { changesRunner, writesRunner, xeroEventsRunner } from '../../../lambdas/core/work/work-runners';
import { PermanentError, ReconnectRequiredError } from '../../../lambdas/core/errors';
import { deliver, fakeQueuePair } from '../../helpers/fake-sqs';
import { recordingLogger } from '../../helpers/in-memory-ports';
import { changeBody, writeBody, xeroEventBody } from '../../helpers/work-bodies';
import { guid } from '../../helpers/xero-write-builders';

const MAX_RECEIVES = 5;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface WorkQueueHarness {
  send(body: string, groupId?: string): void;
  /** One delivery as the runtime makes it: the messages visible now, run and settled. */
  deliver(run: WorkRunner): Promise<void>;
  advance(ms: number): void;
  deadLetters(): { body: string; reason: string }[];
  /** Messages still on the queue, visible or not (dead letters excluded). */
  queued(): number;
}

const sqsMock = mockClient(SQSClient);

function sqliteHarness(): WorkQueueHarness {
  let now = 1_000_000;
  const queue = new SqliteQueue(openDatabase({ memory: true }), {
    maxReceives: MAX_RECEIVES,
    now: () => now,
    random: () => 1,
  });
  const signal = new AbortController().signal;
  return {
    send: (body, groupId) => queue.send('writes', [{ body, ...(groupId ? { groupId } : {}) }]),
    deliver: async (run) => {
      await pollOnce({
        queue,
        name: 'writes',
        batchSize: 10,
        visibilityMs: 10 * MINUTE,
        idleMs: 0,
        signal,
        handleBatch: run,
      });
    },
    advance: (ms) => (now += ms),
    deadLetters: () => queue.deadLetters('writes').map((d) => ({ body: d.body, reason: d.lastError })),
    queued: () => {
      const depth = queue.depth('writes');
      return depth.ready + depth.inFlight + depth.delayed;
    },
  };
}

function sqsHarness(fifo: boolean): WorkQueueHarness {
  // As the sync pipeline builds it: visibility 6 × the function timeout, maxReceiveCount 5.
  const { sqs, queue, dlq, deps } = fakeQueuePair(sqsMock, {
    name: 'work',
    fifo,
    visibilityTimeoutSeconds: 720,
    maxReceiveCount: MAX_RECEIVES,
  });
  let sent = 0;
  return {
    send: (body, groupId) =>
      queue.send({
        MessageBody: body,
        ...(fifo ? { MessageGroupId: groupId ?? `g${sent}`, MessageDeduplicationId: `d${++sent}` } : {}),
      }),
    deliver: async (run) => {
      await deliver(queue, (event) => runSqsWork(event, run, deps));
    },
    advance: (ms) => sqs.advance(ms),
    deadLetters: () => dlq.messages.map((m) => ({ body: m.body, reason: m.attributes.reason?.StringValue ?? '' })),
    queued: () => queue.messages.length,
  };
}

/** A writes runner whose post stage answers from `script` (per record id and attempt), counting attempts. */
function scriptedWrites(script: (id: string, attempt: number) => WorkResult) {
  const attempts = new Map<string, number>();
  const calls: number[] = [];
  const run = writesRunner(async (writes) => {
    calls.push(writes.length);
    return writes.map((write) => {
      const attempt = (attempts.get(write.source.id) ?? 0) + 1;
      attempts.set(write.source.id, attempt);
      return script(write.source.id, attempt);
    });
  }, recordingLogger());
  return { run, calls, attempts: (n: number) => attempts.get(guid(n)) ?? 0 };
}

describe.each([
  ['SQLite (local worker)', sqliteHarness],
  ['SQS standard queue (Lambda)', () => sqsHarness(false)],
  ['SQS FIFO queue (Lambda)', () => sqsHarness(true)],
])('work queue behaviour on %s', (_name, harnessFor) => {
  let queue: WorkQueueHarness;
  beforeEach(() => {
    queue = harnessFor();
  });

  it('should remove finished work and post a batch of writes in one call', async () => {
    const { run, calls } = scriptedWrites(() => ({ status: 'done' }));
    for (const n of [1, 2, 3]) queue.send(writeBody(n));

    await queue.deliver(run);

    expect(calls).toEqual([3]);
    expect(queue.queued()).toBe(0);
    expect(queue.deadLetters()).toEqual([]);
  });

  it('should dead-letter a permanent failure at once, with its reason', async () => {
    const { run, attempts } = scriptedWrites(() => ({ status: 'dead', error: 'XeroValidationError: bad e-mail' }));
    queue.send(writeBody(1));

    await queue.deliver(run);

    expect(attempts(1)).toBe(1);
    expect(queue.queued()).toBe(0);
    expect(queue.deadLetters()).toEqual([{ body: writeBody(1), reason: 'XeroValidationError: bad e-mail' }]);
  });

  it.each([
    [
      'change',
      (calls: string[]) => changesRunner(async () => (calls.push('map'), { status: 'done' }), recordingLogger()),
    ],
    ['write', (calls: string[]) => writesRunner(async () => (calls.push('post'), []), recordingLogger())],
    [
      'Xero event',
      (calls: string[]) => xeroEventsRunner(async () => (calls.push('apply'), { failed: [] }), recordingLogger()),
    ],
  ])(
    'should dead-letter a malformed %s message with the reason, without running the use case',
    async (what, runner) => {
      const calls: string[] = [];
      queue.send('{"table":"invoice"');

      await queue.deliver(runner(calls));

      expect(calls).toEqual([]);
      expect(queue.queued()).toBe(0);
      expect(queue.deadLetters()).toEqual([
        { body: '{"table":"invoice"', reason: expect.stringContaining(`malformed ${what} message`) },
      ]);
    }
  );

  it('should retry a transient failure and dead-letter it once it has used its receives', async () => {
    const { run, attempts } = scriptedWrites(() => ({ status: 'retry', error: 'TransientError: Xero 503' }));
    queue.send(writeBody(1));

    for (let round = 0; round < 3 * MAX_RECEIVES && queue.deadLetters().length === 0; round++) {
      await queue.deliver(run);
      queue.advance(HOUR);
    }

    expect(attempts(1)).toBe(MAX_RECEIVES);
    expect(queue.queued()).toBe(0);
    expect(queue.deadLetters().map((d) => d.body)).toEqual([writeBody(1)]);
  });

  it("should hold a rate-limited message for the server's Retry-After and never count the wait", async () => {
    const limitedRounds = 3 * MAX_RECEIVES;
    const { run, attempts } = scriptedWrites((_id, attempt) =>
      attempt <= limitedRounds
        ? { status: 'retry', error: 'RateLimitedError: 429', retryAfterMs: 10 * MINUTE }
        : { status: 'done' }
    );
    queue.send(writeBody(1));

    for (let round = 1; round <= limitedRounds; round++) {
      await queue.deliver(run);
      expect(attempts(1)).toBe(round);
      queue.advance(9 * MINUTE);
      await queue.deliver(run); // too early: Retry-After has not passed
      expect(attempts(1)).toBe(round);
      queue.advance(2 * MINUTE);
    }
    await queue.deliver(run);

    expect(attempts(1)).toBe(limitedRounds + 1);
    expect(queue.queued()).toBe(0);
    expect(queue.deadLetters()).toEqual([]);
  });

  it('should keep paused work queued through more than maxReceiveCount pauses and post it after the reconnect', async () => {
    let connected = false;
    const { run, attempts } = scriptedWrites(() =>
      connected ? { status: 'done' } : { status: 'paused', error: 'ReconnectRequiredError: reconnect Xero' }
    );
    queue.send(writeBody(1));
    queue.send(writeBody(2));

    const pauses = 4 * MAX_RECEIVES;
    for (let round = 1; round <= pauses; round++) {
      await queue.deliver(run);
      queue.advance(PAUSED_WORK_RECHECK_MS - MINUTE);
      await queue.deliver(run); // paused work is not handed out again before its recheck
      queue.advance(MINUTE);
    }
    expect(attempts(1)).toBe(pauses);
    expect(queue.queued()).toBe(2);
    expect(queue.deadLetters()).toEqual([]);

    connected = true;
    await queue.deliver(run);

    expect([attempts(1), attempts(2)]).toEqual([pauses + 1, pauses + 1]);
    expect(queue.queued()).toBe(0);
    expect(queue.deadLetters()).toEqual([]);
  });

  it('should pause change and Xero-event work the same way as writes', async () => {
    let connected = false;
    const seen: string[] = [];
    const reconnect = () => new ReconnectRequiredError('reconnect Xero');
    const runners = [
      changesRunner(async (event) => {
        seen.push(`change ${event.id}`);
        return connected ? { status: 'done' } : { status: 'paused', error: 'reconnect' };
      }, recordingLogger()),
      xeroEventsRunner(async ([event]) => {
        seen.push(`event ${event!.resourceId}`);
        return { failed: connected ? [] : [{ resourceId: event!.resourceId, error: reconnect() }] };
      }, recordingLogger()),
    ];
    for (const [index, run] of runners.entries()) {
      const q = harnessFor();
      q.send(index === 0 ? changeBody(1) : xeroEventBody(1));
      for (let round = 0; round < 2 * MAX_RECEIVES; round++) {
        await q.deliver(run);
        q.advance(PAUSED_WORK_RECHECK_MS);
      }
      connected = true;
      await q.deliver(run);
      connected = false;
      expect(q.queued()).toBe(0);
      expect(q.deadLetters()).toEqual([]);
    }
    expect(seen.filter((s) => s.startsWith('change')).length).toBe(2 * MAX_RECEIVES + 1);
    expect(seen.filter((s) => s.startsWith('event')).length).toBe(2 * MAX_RECEIVES + 1);
  });

  it('should dead-letter a Xero event whose write-back failed for good, with the reason', async () => {
    const run = xeroEventsRunner(
      async ([event]) => ({
        failed: [
          { resourceId: event!.resourceId, error: new PermanentError('Dataverse refused the column', 'DV_400') },
        ],
      }),
      recordingLogger()
    );
    queue.send(xeroEventBody(1));

    await queue.deliver(run);

    expect(queue.queued()).toBe(0);
    expect(queue.deadLetters()).toEqual([
      { body: xeroEventBody(1), reason: 'PermanentError: Dataverse refused the column' },
    ]);
  });

  it('should count a use case that throws as a failed attempt of every message in the batch', async () => {
    let calls = 0;
    const run = writesRunner(async () => {
      calls += 1;
      throw new Error('socket hang up');
    }, recordingLogger());
    queue.send(writeBody(1));
    queue.send(writeBody(2));

    for (let round = 0; round < 3 * MAX_RECEIVES && queue.deadLetters().length < 2; round++) {
      await queue.deliver(run);
      queue.advance(HOUR);
    }

    expect(queue.queued()).toBe(0);
    expect(
      queue
        .deadLetters()
        .map((d) => d.body)
        .sort()
    ).toEqual([writeBody(1), writeBody(2)]);
    expect(calls).toBeGreaterThanOrEqual(MAX_RECEIVES);
  });
});
