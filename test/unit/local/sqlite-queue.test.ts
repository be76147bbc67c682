import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, schemaVersion, type SqliteDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteQueue, type SqliteQueueOptions } from '../../../lambdas/adapters/local/sqlite-queue';

/** A queue over an in-memory database with a hand-driven clock. */
function makeQueue(options: SqliteQueueOptions = {}) {
  const clock = { t: 1_000_000 };
  const db = openDatabase({ memory: true });
  const queue = new SqliteQueue(db, { now: () => clock.t, random: () => 0.5, ...options });
  return { queue, clock, db };
}

describe('SqliteQueue', () => {
  const open: SqliteDatabase[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });

  describe('waking delayed work', () => {
    it('should make released and backing-off messages visible at once', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      queue.send('writes', [{ body: 'a' }]);
      const [a] = queue.receive('writes', 1, 30_000);
      queue.release(a!.id, { delayMs: 60_000 });
      expect(queue.receive('writes', 1, 30_000)).toHaveLength(0);

      expect(queue.wakeDelayed()).toBe(1);

      expect(queue.receive('writes', 1, 30_000).map((m) => m.body)).toEqual(['a']);
    });
  });

  describe('recovery at start-up', () => {
    it('should hand out messages leased by a process that died, without waiting for the lease to expire', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      queue.send('changes', [{ body: 'a', groupId: 'g' }]);
      expect(queue.receive('changes', 1, 300_000)).toHaveLength(1);
      expect(queue.receive('changes', 1, 300_000)).toHaveLength(0);

      expect(queue.recoverLeases()).toBe(1);

      expect(queue.receive('changes', 1, 300_000).map((m) => [m.body, m.receiveCount])).toEqual([['a', 2]]);
    });
  });

  describe('permanent failures', () => {
    it('should dead-letter a permanent failure at once, with its reason, and let its group move on', () => {
      const { queue, db } = makeQueue({ maxReceives: 5 });
      open.push(db);
      queue.send('writes', [
        { body: 'bad', groupId: 'g' },
        { body: 'next', groupId: 'g' },
      ]);
      const [bad] = queue.receive('writes', 1, 30_000);

      expect(queue.fail(bad!.id, { error: 'XeroValidationError: Email address is invalid', permanent: true })).toBe(
        'dead'
      );

      expect(queue.deadLetters('writes').map((d) => [d.body, d.lastError])).toEqual([
        ['bad', 'XeroValidationError: Email address is invalid'],
      ]);
      expect(queue.receive('writes', 1, 30_000).map((m) => m.body)).toEqual(['next']);
    });
  });

  describe('FIFO per group', () => {
    it('should never lease a message while an earlier one of its group is in flight', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      queue.send('changes', [
        { body: 'a1', groupId: 'account:1' },
        { body: 'a2', groupId: 'account:1' },
        { body: 'b1', groupId: 'account:2' },
      ]);

      const first = queue.receive('changes', 10, 30_000);
      expect(first.map((m) => m.body)).toEqual(['a1', 'b1']);
      expect(queue.receive('changes', 10, 30_000)).toEqual([]);

      queue.ack(first[0]!.id);
      expect(queue.receive('changes', 10, 30_000).map((m) => m.body)).toEqual(['a2']);
    });

    it('should hold back later messages of a group while the earlier one waits for its retry backoff', () => {
      const { queue, clock, db } = makeQueue({ baseBackoffMs: 1000 });
      open.push(db);
      queue.send('changes', [
        { body: 'first', groupId: 'g' },
        { body: 'second', groupId: 'g' },
      ]);
      const [first] = queue.receive('changes', 10, 30_000);
      expect(queue.fail(first!.id, { error: 'TransientError: timeout' })).toBe('retry');

      expect(queue.receive('changes', 10, 30_000)).toEqual([]);
      clock.t += 1000;
      const again = queue.receive('changes', 10, 30_000);
      expect(again.map((m) => [m.body, m.receiveCount, m.lastError])).toEqual([
        ['first', 2, 'TransientError: timeout'],
      ]);
    });

    it('should let the group move on once its head is dead-lettered', () => {
      const { queue, db } = makeQueue({ maxReceives: 1 });
      open.push(db);
      queue.send('changes', [
        { body: 'poison', groupId: 'g' },
        { body: 'next', groupId: 'g' },
      ]);
      const [poison] = queue.receive('changes', 10, 30_000);
      expect(queue.fail(poison!.id, { error: 'PermanentError: bad' })).toBe('dead');
      expect(queue.receive('changes', 10, 30_000).map((m) => m.body)).toEqual(['next']);
    });

    it('should keep messages without a group independent of each other', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      queue.send('writes', [{ body: 'x' }, { body: 'y' }, { body: 'z' }]);
      expect(queue.receive('writes', 2, 30_000).map((m) => m.body)).toEqual(['x', 'y']);
      expect(queue.receive('writes', 2, 30_000).map((m) => m.body)).toEqual(['z']);
    });

    it('should keep the two queues apart', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      queue.send('changes', [{ body: 'c' }]);
      expect(queue.receive('writes', 10, 1000)).toEqual([]);
      expect(queue.receive('changes', 10, 1000).map((m) => m.body)).toEqual(['c']);
    });
  });

  describe('delays and leases', () => {
    it('should hide a delayed message until its delay has passed', () => {
      const { queue, clock, db } = makeQueue();
      open.push(db);
      queue.send('changes', [{ body: 'later', delayMs: 5000 }]);
      expect(queue.receive('changes', 1, 1000)).toEqual([]);
      expect(queue.depth('changes')).toEqual({ ready: 0, inFlight: 0, delayed: 1, deadLetters: 0 });
      clock.t += 5000;
      expect(queue.receive('changes', 1, 1000).map((m) => m.body)).toEqual(['later']);
    });

    it('should return a message whose lease expired after the process was killed, from a reopened database file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'queue-crash-'));
      try {
        let t = 5_000_000;
        const now = () => t;
        const firstDb = openDatabase({ dataDir: dir });
        const firstProcess = new SqliteQueue(firstDb, { now });
        firstProcess.send('changes', [{ body: 'survivor', groupId: 'salesorder:1' }]);
        const leased = firstProcess.receive('changes', 1, 60_000);
        expect(leased).toHaveLength(1);
        // Simulated kill -9: no ack, no release; the connection just goes away.
        firstDb.close();

        const secondDb = openDatabase({ dataDir: dir });
        const secondProcess = new SqliteQueue(secondDb, { now });
        expect(secondProcess.receive('changes', 1, 60_000)).toEqual([]);
        expect(secondProcess.depth('changes').inFlight).toBe(1);
        t += 60_000;
        const again = secondProcess.receive('changes', 1, 60_000);
        expect(again.map((m) => [m.id, m.body, m.receiveCount])).toEqual([[leased[0]!.id, 'survivor', 2]]);
        secondDb.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should dead-letter a message whose lease keeps expiring once it has used up its receives', () => {
      const { queue, clock, db } = makeQueue({ maxReceives: 2 });
      open.push(db);
      queue.send('changes', [{ body: 'crasher' }]);
      queue.receive('changes', 1, 1000);
      clock.t += 1000;
      queue.receive('changes', 1, 1000);
      clock.t += 1000;
      expect(queue.receive('changes', 1, 1000)).toEqual([]);
      const [dead] = queue.deadLetters('changes');
      expect(dead?.body).toBe('crasher');
      expect(dead?.lastError).toMatch(/lease expired/);
    });

    it('should not count a receive when a message is released', () => {
      const { queue, db } = makeQueue({ maxReceives: 2 });
      open.push(db);
      queue.send('changes', [{ body: 'paused' }]);
      for (let i = 0; i < 5; i += 1) {
        const [message] = queue.receive('changes', 1, 1000);
        expect(message?.receiveCount).toBe(1);
        expect(queue.release(message!.id)).toBe(true);
      }
      expect(queue.deadLetters('changes')).toEqual([]);
    });

    it('should keep a released message hidden for the requested delay', () => {
      const { queue, clock, db } = makeQueue();
      open.push(db);
      queue.send('changes', [{ body: 'paused' }]);
      const [message] = queue.receive('changes', 1, 1000);
      queue.release(message!.id, { delayMs: 3000 });
      expect(queue.receive('changes', 1, 1000)).toEqual([]);
      clock.t += 3000;
      expect(queue.receive('changes', 1, 1000)).toHaveLength(1);
    });

    it('should ignore a stale worker settling a lease that expired and went to another worker', () => {
      const { queue, clock, db } = makeQueue();
      open.push(db);
      queue.send('changes', [{ body: 'contested' }]);
      const [slow] = queue.receive('changes', 1, 1000);
      clock.t += 1000;
      const [fresh] = queue.receive('changes', 1, 1000);
      expect(fresh?.id).toBe(slow?.id);

      expect(queue.ack(slow!.id, { receipt: slow!.receipt })).toBe(false);
      expect(queue.fail(slow!.id, { receipt: slow!.receipt, error: 'late' })).toBe('unknown');
      expect(queue.release(slow!.id, { receipt: slow!.receipt })).toBe(false);
      expect(queue.depth('changes').inFlight).toBe(1);
      expect(queue.ack(fresh!.id, { receipt: fresh!.receipt })).toBe(true);
    });

    it('should remove a message on ack and refuse to ack it twice', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      queue.send('changes', [{ body: 'done' }]);
      const [message] = queue.receive('changes', 1, 1000);
      expect(queue.ack(message!.id)).toBe(true);
      expect(queue.ack(message!.id)).toBe(false);
      expect(queue.depth('changes')).toEqual({ ready: 0, inFlight: 0, delayed: 0, deadLetters: 0 });
    });
  });

  describe('retries', () => {
    /** Fails the message `attempts` times and measures, in 250 ms steps, how long each retry stayed hidden. */
    function measureBackoffs(random: number, attempts: number): number[] {
      const { queue, clock, db } = makeQueue({
        maxReceives: 10,
        baseBackoffMs: 1000,
        maxBackoffMs: 8000,
        random: () => random,
      });
      open.push(db);
      queue.send('changes', [{ body: 'flaky' }]);
      const delays: number[] = [];
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const [message] = queue.receive('changes', 1, 1000);
        queue.fail(message!.id, { error: 'boom' });
        let waited = 0;
        while (queue.depth('changes').ready === 0) {
          clock.t += 250;
          waited += 250;
        }
        delays.push(waited);
      }
      return delays;
    }

    it('should back off exponentially, capped at the maximum', () => {
      // random() = 1 → the full capped delay: min(8000, 1000·2^(n−1)).
      expect(measureBackoffs(1, 6)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    });

    it('should jitter each backoff between half and the full delay', () => {
      expect(measureBackoffs(0, 4)).toEqual([500, 1000, 2000, 4000]);
      expect(measureBackoffs(0.5, 4)).toEqual([750, 1500, 3000, 6000]);
    });

    it('should honour retryAfterMs instead of the computed backoff', () => {
      const { queue, clock, db } = makeQueue({ baseBackoffMs: 10 });
      open.push(db);
      queue.send('writes', [{ body: 'limited' }]);
      const [message] = queue.receive('writes', 1, 1000);
      queue.fail(message!.id, { error: 'RateLimitedError: minute', retryAfterMs: 60_000 });
      clock.t += 59_999;
      expect(queue.receive('writes', 1, 1000)).toEqual([]);
      clock.t += 1;
      expect(queue.receive('writes', 1, 1000)).toHaveLength(1);
    });

    it('should dead-letter a message after maxReceives failures, keeping the last error', () => {
      const { queue, clock, db } = makeQueue({ maxReceives: 3 });
      open.push(db);
      queue.send('changes', [{ body: 'doomed', groupId: 'product:9' }]);
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        clock.t += 10 * 60_000;
        const [message] = queue.receive('changes', 1, 1000);
        outcomes.push(String(queue.fail(message!.id, { error: `attempt ${attempt} failed` })));
      }
      expect(outcomes).toEqual(['retry', 'retry', 'dead']);
      clock.t += 10 * 60_000;
      expect(queue.receive('changes', 1, 1000)).toEqual([]);
      const dead = queue.deadLetters('changes');
      expect(dead.map((d) => [d.body, d.groupId, d.receiveCount, d.lastError])).toEqual([
        ['doomed', 'product:9', 3, 'attempt 3 failed'],
      ]);
      expect(queue.depth('changes').deadLetters).toBe(1);
    });
  });

  describe('de-duplication', () => {
    it('should drop a repeated dedupeId within the window and accept it after', () => {
      const { queue, clock, db } = makeQueue({ dedupeWindowMs: 5 * 60_000 });
      open.push(db);
      expect(queue.send('changes', [{ body: 'one', dedupeId: 'op-1' }]).ids).toHaveLength(1);
      const repeat = queue.send('changes', [
        { body: 'one again', dedupeId: 'op-1' },
        { body: 'other', dedupeId: 'op-2' },
      ]);
      expect(repeat.duplicates).toBe(1);
      expect(repeat.ids).toHaveLength(1);
      clock.t += 5 * 60_000;
      expect(queue.send('changes', [{ body: 'one later', dedupeId: 'op-1' }]).ids).toHaveLength(1);
      const bodies: string[] = [];
      for (let m = queue.receive('changes', 10, 1000); m.length > 0; m = queue.receive('changes', 10, 1000)) {
        for (const message of m) {
          bodies.push(message.body);
          queue.ack(message.id);
        }
      }
      expect(bodies.sort()).toEqual(['one', 'one later', 'other']);
    });

    it('should de-duplicate within a single send', () => {
      const { queue, db } = makeQueue();
      open.push(db);
      const result = queue.send('changes', [
        { body: 'a', dedupeId: 'same' },
        { body: 'b', dedupeId: 'same' },
      ]);
      expect(result.duplicates).toBe(1);
      expect(queue.depth('changes').ready).toBe(1);
    });
  });

  describe('dead letters', () => {
    function killAll(queue: SqliteQueue, groups: string[]) {
      queue.send(
        'changes',
        groups.map((groupId) => ({ body: groupId, groupId }))
      );
      for (const message of queue.receive('changes', groups.length, 1000)) {
        queue.fail(message.id, { error: 'PermanentError: no' });
      }
    }

    it('should redrive every dead letter and report the count', () => {
      const { queue, db } = makeQueue({ maxReceives: 1 });
      open.push(db);
      killAll(queue, ['account:1', 'contact:2', 'account:3']);
      expect(queue.redrive('changes')).toBe(3);
      expect(queue.deadLetters('changes')).toEqual([]);
      const redriven = queue.receive('changes', 10, 1000);
      expect(redriven.map((m) => m.receiveCount)).toEqual([1, 1, 1]);
      expect(queue.redrive('changes')).toBe(0);
    });

    it('should redrive only the dead letters matching the filter', () => {
      const { queue, db } = makeQueue({ maxReceives: 1 });
      open.push(db);
      killAll(queue, ['account:1', 'contact:2', 'account:3']);
      expect(queue.redrive('changes', { groupIdPrefix: 'account:' })).toBe(2);
      expect(queue.deadLetters('changes').map((d) => d.groupId)).toEqual(['contact:2']);
      expect(queue.redrive('writes')).toBe(0);
    });

    it('should retry a single dead letter by id', () => {
      const { queue, db } = makeQueue({ maxReceives: 1 });
      open.push(db);
      killAll(queue, ['salesorder:7']);
      const [dead] = queue.deadLetters('changes');
      expect(queue.retryDeadLetter(dead!.id)).toBe(true);
      expect(queue.retryDeadLetter(dead!.id)).toBe(false);
      expect(queue.receive('changes', 1, 1000).map((m) => m.id)).toEqual([dead!.id]);
    });
  });

  it('should apply its schema migration once however often it is opened', () => {
    const { db } = makeQueue();
    open.push(db);
    new SqliteQueue(db);
    new SqliteQueue(db);
    expect(schemaVersion(db, 'queue')).toBe(1);
  });
});
