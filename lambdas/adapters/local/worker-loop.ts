/**
 * A poll loop over one queue: lease a batch, run it through the stage's work runner (core/work), settle what it
 * decided (settleOnSqlite). Sleeps `idleMs` whenever nothing was finished (empty queue, every message waiting, or a
 * crash) so an idle or paused connector never spins. On abort it finishes the batch in hand, settles it, and resolves.
 */
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { summarise, type SettledMessage } from '../../core/work/settlement';
import type { LeasedMessage, QueueName } from './sqlite-queue';
import { settleOnSqlite, type SettlingQueue } from './sqlite-work-settlement';

/** The part of SqliteQueue the loop needs (a fake in tests). */
export interface WorkerQueue extends SettlingQueue {
  receive(queue: QueueName, max: number, visibilityMs: number): LeasedMessage[];
}

export interface WorkerOptions {
  readonly queue: WorkerQueue;
  /** The queue to poll. */
  readonly name: QueueName;
  readonly batchSize: number;
  /** Lease length: longer than the slowest batch, or the messages are handed out twice. */
  readonly visibilityMs: number;
  /** The stage's work runner (changesRunner, writesRunner, xeroEventsRunner). */
  readonly handleBatch: (messages: readonly LeasedMessage[]) => Promise<readonly SettledMessage<LeasedMessage>[]>;
  /** Pause between polls when there is nothing to do. */
  readonly idleMs: number;
  readonly signal: AbortSignal;
  /**
   * When a poll finds fewer than batchSize messages, wait this long once and top the batch up: Xero takes 50
   * documents per call, so a short wait turns a trickle of webhooks into fewer, fuller calls. Default 0.
   */
  readonly batchWindowMs?: number;
  /**
   * A number that changes whenever the Xero connection is restored. A batch that found the connection paused but is
   * settled after a restore releases its paused messages at once (the restore's wake-up came before them).
   */
  readonly connectionEpoch?: () => number;
  /**
   * Work that splits into independent lanes inside one batch (the writes queue with several Xero organisations: the
   * post stage posts each organisation's part in parallel, ≤50 documents per Xero call). Each lane then gets up to
   * `batchSize` messages of its own per poll; with one shared `batchSize` three organisations would share one call's
   * 50 documents and each make three times the calls for its records. Messages over a lane's share are released
   * uncounted, in order, for the next poll.
   */
  readonly lanes?: { readonly of: (message: LeasedMessage) => string; readonly count: () => number };
  readonly logger?: Logger;
}

export async function startWorker(options: WorkerOptions): Promise<void> {
  const { name, signal, logger } = options;
  logger?.info('worker started', { queue: name });
  while (!signal.aborted) {
    let progressed = false;
    try {
      progressed = await pollOnce(options);
    } catch (error) {
      // A database error (locked, disk full): log and back off rather than crash the runtime.
      logger?.error('worker poll failed', { queue: name, error: describeError(error) });
    }
    if (!progressed) await sleep(options.idleMs, signal);
  }
  logger?.info('worker stopped', { queue: name });
}

/** One poll: lease, run, settle. Returns true when a message was finished with, i.e. polling again at once pays. */
export async function pollOnce(options: WorkerOptions): Promise<boolean> {
  const { queue, name, signal } = options;
  const lanes = Math.max(1, options.lanes?.count() ?? 1);
  // With lanes, a little more than a full batch per lane, so an uneven mix still fills each lane's share.
  const max = lanes > 1 ? options.batchSize * (lanes + 1) : options.batchSize;
  let messages = queue.receive(name, max, options.visibilityMs);
  if (messages.length > 0 && !anyLaneFull(options, messages) && (options.batchWindowMs ?? 0) > 0) {
    await sleep(options.batchWindowMs ?? 0, signal);
    messages = messages.concat(queue.receive(name, max - messages.length, options.visibilityMs));
  }
  if (lanes > 1) messages = keepLaneShares(options, messages);
  if (messages.length === 0) return false;
  const epoch = options.connectionEpoch?.();
  const settled = await run(options, messages);
  const finished = settleOnSqlite(queue, settled, {
    connectionRestored: epoch !== undefined && options.connectionEpoch?.() !== epoch,
  });
  if (settled.some((s) => s.settlement.action !== 'ack'))
    options.logger?.info('batch settled', { queue: name, ...summarise(settled) });
  return finished > 0;
}

/** A full batch in hand (one lane's share, without lanes the whole batch): no reason to wait for more. */
function anyLaneFull(options: WorkerOptions, messages: readonly LeasedMessage[]): boolean {
  if (!options.lanes) return messages.length >= options.batchSize;
  const counts = new Map<string, number>();
  for (const message of messages) {
    const lane = options.lanes.of(message);
    const count = (counts.get(lane) ?? 0) + 1;
    if (count >= options.batchSize) return true;
    counts.set(lane, count);
  }
  return false;
}

/** The first `batchSize` messages of each lane (queue order); the rest go back uncounted for the next poll. */
function keepLaneShares(options: WorkerOptions, messages: readonly LeasedMessage[]): LeasedMessage[] {
  const counts = new Map<string, number>();
  const kept: LeasedMessage[] = [];
  for (const message of messages) {
    const lane = options.lanes?.of(message) ?? '';
    const count = (counts.get(lane) ?? 0) + 1;
    counts.set(lane, count);
    if (count <= options.batchSize) kept.push(message);
    else options.queue.release(message.id, { receipt: message.receipt });
  }
  return kept;
}

/** A runner that throws (a bug) fails the whole batch as one counted attempt, as a crashed Lambda would. */
async function run(options: WorkerOptions, messages: readonly LeasedMessage[]) {
  let settled: readonly SettledMessage<LeasedMessage>[];
  try {
    settled = await options.handleBatch(messages);
  } catch (error) {
    options.logger?.error('batch handler threw; failing the whole batch', {
      queue: options.name,
      size: messages.length,
    });
    const settlement = { action: 'retry', error: describeError(error) } as const;
    return messages.map((message) => ({ message, settlement }));
  }
  // Every leased message gets exactly one settlement; one the runner left out is retried, never lost.
  const byMessage = new Map(settled.map((s) => [s.message.id, s]));
  return messages.map(
    (message) =>
      byMessage.get(message.id) ?? {
        message,
        settlement: { action: 'retry', error: 'not settled by the runner' } as const,
      }
  );
}

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
