import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteQueue, type LeasedMessage } from '../../../lambdas/adapters/local/sqlite-queue';
import { pollOnce, startWorker, type WorkerQueue } from '../../../lambdas/adapters/local/worker-loop';
import type { SettledMessage, Settlement } from '../../../lambdas/core/work/settlement';

const all = (messages: readonly LeasedMessage[], settlement: Settlement): SettledMessage<LeasedMessage>[] =>
  messages.map((message) => ({ message, settlement }));
const ack: Settlement = { action: 'ack' };

function countingQueue(queue: SqliteQueue): WorkerQueue & { receives: number } {
  const wrapper = {
    receives: 0,
    receive: (name: 'changes' | 'writes', max: number, visibilityMs: number) => {
      wrapper.receives += 1;
      return queue.receive(name, max, visibilityMs);
    },
    ack: (id: string, check?: { receipt?: string }) => queue.ack(id, check),
    fail: (id: string, failure: { error: string; permanent?: boolean; receipt?: string }) => queue.fail(id, failure),
    release: (id: string, options?: { delayMs?: number; receipt?: string }) => queue.release(id, options),
  };
  return wrapper;
}

/** Resolves once `predicate` holds, polling on the event loop (no wall-clock assertions). */
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !predicate(); i += 1) await new Promise((r) => setTimeout(r, 2));
  if (!predicate()) throw new Error('condition never became true');
}

describe('startWorker', () => {
  it('should top up a short batch after the batch window, so a trickle becomes one fuller call', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    queue.send('writes', [{ body: 'first' }]);
    const batches: string[][] = [];
    const controller = new AbortController();
    const done = startWorker({
      queue,
      name: 'writes',
      batchSize: 50,
      batchWindowMs: 50,
      visibilityMs: 30_000,
      idleMs: 5,
      signal: controller.signal,
      handleBatch: async (messages) => {
        batches.push(messages.map((m) => m.body));
        return all(messages, ack);
      },
    });
    // Arrives while the worker waits out the window with "first" in hand.
    setTimeout(() => queue.send('writes', [{ body: 'second' }, { body: 'third' }]), 10);
    await until(() => batches.flat().length === 3);
    controller.abort();
    await done;

    expect(batches).toEqual([['first', 'second', 'third']]);
  });

  it('should process every message in per-group order, ack them, and stop when aborted', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    const bodies = Array.from({ length: 25 }, (_, i) => ({ body: `m${i}`, groupId: `g${i % 3}` }));
    queue.send('changes', bodies);
    const seen: string[] = [];
    const controller = new AbortController();
    const done = startWorker({
      queue,
      name: 'changes',
      batchSize: 4,
      visibilityMs: 30_000,
      idleMs: 5,
      signal: controller.signal,
      handleBatch: async (messages) => {
        seen.push(...messages.map((m) => m.body));
        return all(messages, ack);
      },
    });
    await until(() => seen.length === 25);
    controller.abort();
    await done;

    expect([...seen].sort()).toEqual(bodies.map((b) => b.body).sort());
    for (const group of ['g0', 'g1', 'g2']) {
      const inGroup = bodies.filter((b) => b.groupId === group).map((b) => b.body);
      expect(seen.filter((b) => inGroup.includes(b))).toEqual(inGroup);
    }
    expect(queue.depth('changes')).toEqual({ ready: 0, inFlight: 0, delayed: 0, deadLetters: 0 });
  });

  it('should finish and settle the in-flight batch before resolving on abort', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    queue.send('writes', [{ body: 'slow' }, { body: 'fails' }]);
    const controller = new AbortController();
    let releaseHandler!: () => void;
    let started = false;
    const done = startWorker({
      queue,
      name: 'writes',
      batchSize: 10,
      visibilityMs: 30_000,
      idleMs: 5,
      signal: controller.signal,
      handleBatch: async (messages: readonly LeasedMessage[]) => {
        started = true;
        await new Promise<void>((resolve) => (releaseHandler = resolve));
        return messages.map((message) => ({
          message,
          settlement:
            message.body === 'fails'
              ? { action: 'wait', reason: 'RateLimitedError: 429', delayMs: 60_000, paused: false }
              : ack,
        }));
      },
    });
    await until(() => started);
    controller.abort();
    let resolved = false;
    void done.then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);

    releaseHandler();
    await done;
    expect(queue.depth('writes')).toEqual({ ready: 0, inFlight: 0, delayed: 1, deadLetters: 0 });
  });

  it('should release paused messages without counting them and wait idleMs instead of spinning', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }), { maxReceives: 1 });
    queue.send('changes', [{ body: 'needs-reconnect' }]);
    const counting = countingQueue(queue);
    const controller = new AbortController();
    let calls = 0;
    const done = startWorker({
      queue: counting,
      name: 'changes',
      batchSize: 10,
      visibilityMs: 30_000,
      idleMs: 60_000,
      signal: controller.signal,
      handleBatch: async (messages) => {
        calls += 1;
        return all(messages, { action: 'wait', reason: 'reconnect required', delayMs: 0, paused: true });
      },
    });
    await until(() => calls === 1);
    await new Promise((r) => setTimeout(r, 30));
    // With a 60 s idle pause, a hot loop would have polled many times by now.
    expect(counting.receives).toBe(1);
    controller.abort();
    await done;
    expect(queue.deadLetters('changes')).toEqual([]);
    expect(queue.receive('changes', 1, 1000)[0]?.receiveCount).toBe(1);
  });

  it('should hand paused work out again at once when the connection was restored while its batch ran', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    queue.send('writes', [{ body: 'a' }, { body: 'b' }]);
    let epoch = 0;
    const paused: Settlement = { action: 'wait', reason: 'reconnect required', delayMs: 15 * 60_000, paused: true };
    const options = {
      queue,
      name: 'writes' as const,
      batchSize: 1,
      visibilityMs: 30_000,
      idleMs: 5,
      signal: new AbortController().signal,
      connectionEpoch: () => epoch,
    };

    // Settled with the connection still paused: hidden for the recheck interval.
    await pollOnce({ ...options, handleBatch: async (messages) => all(messages, paused) });
    expect(queue.depth('writes')).toMatchObject({ ready: 1, delayed: 1 });
    // Found paused, but the operator reconnected before it was settled: back at once.
    await pollOnce({
      ...options,
      handleBatch: async (messages) => {
        epoch += 1;
        return all(messages, paused);
      },
    });
    expect(queue.depth('writes')).toMatchObject({ ready: 1, delayed: 1 });
    expect(queue.receive('writes', 10, 1000).map((m) => [m.body, m.receiveCount])).toEqual([['b', 1]]);
  });

  it('should fail the whole batch when the handler throws, and keep running', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }), { maxReceives: 1 });
    queue.send('changes', [{ body: 'a' }, { body: 'b' }]);
    queue.send('changes', [{ body: 'c', delayMs: 0 }]);
    const controller = new AbortController();
    let calls = 0;
    const done = startWorker({
      queue,
      name: 'changes',
      batchSize: 2,
      visibilityMs: 30_000,
      idleMs: 5,
      signal: controller.signal,
      handleBatch: async (messages) => {
        calls += 1;
        if (calls === 1) throw new Error('kaboom');
        return all(messages, ack);
      },
    });
    await until(() => calls >= 2 && queue.depth('changes').ready === 0 && queue.depth('changes').inFlight === 0);
    controller.abort();
    await done;
    expect(
      queue
        .deadLetters('changes')
        .map((d) => [d.body, d.lastError])
        .sort()
    ).toEqual([
      ['a', 'Error: kaboom'],
      ['b', 'Error: kaboom'],
    ]);
  });
});

describe('pollOnce with lanes (several Xero organisations)', () => {
  const laneOptions = (queue: SqliteQueue, batches: LeasedMessage[][]) => ({
    queue,
    name: 'writes' as const,
    batchSize: 2,
    visibilityMs: 30_000,
    idleMs: 5,
    signal: new AbortController().signal,
    lanes: { of: (m: LeasedMessage) => m.body.slice(0, 1), count: () => 3 },
    handleBatch: async (messages: readonly LeasedMessage[]) => {
      batches.push([...messages]);
      return all(messages, ack);
    },
  });

  it('should give each lane a full batch of its own, and leave the rest queued uncounted in order', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    queue.send(
      'writes',
      ['a1', 'b1', 'a2', 'b2', 'a3', 'a4', 'b3', 'c1'].map((body) => ({ body }))
    );
    const batches: LeasedMessage[][] = [];

    await pollOnce(laneOptions(queue, batches));
    await pollOnce(laneOptions(queue, batches));

    expect(batches.map((batch) => batch.map((m) => m.body))).toEqual([
      ['a1', 'b1', 'a2', 'b2', 'c1'],
      ['a3', 'a4', 'b3'],
    ]);
    // Released over the lane's share without counting: the second batch is their first receive.
    expect(batches[1]!.map((m) => m.receiveCount)).toEqual([1, 1, 1]);
    expect(queue.depth('writes')).toMatchObject({ ready: 0, inFlight: 0, delayed: 0 });
  });

  it('should not wait out the batch window once one lane has a full batch', async () => {
    const queue = new SqliteQueue(openDatabase({ memory: true }));
    queue.send('writes', [{ body: 'a1' }, { body: 'a2' }, { body: 'b1' }]);
    const batches: LeasedMessage[][] = [];
    const windowMs = 60_000; // the test would time out if the worker waited for it

    await pollOnce({ ...laneOptions(queue, batches), batchWindowMs: windowMs });

    expect(batches.map((batch) => batch.map((m) => m.body))).toEqual([['a1', 'a2', 'b1']]);
  });
});
