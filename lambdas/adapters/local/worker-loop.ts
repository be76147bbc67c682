/**
 * A poll loop over one queue: lease a batch, hand it to the handler, then ack what succeeded, fail what failed and
 * release what the handler paused. Sleeps `idleMs` whenever there was nothing to do (empty queue, every message
 * paused, or a handler crash) so an idle or paused connector never spins. On abort it finishes the batch in hand,
 * settles it, and resolves.
 */
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import type { LeasedMessage, QueueName } from './sqlite-queue';

/** The part of SqliteQueue the loop needs (a fake in tests). */
export interface WorkerQueue {
  receive(queue: QueueName, max: number, visibilityMs: number): LeasedMessage[];
  ack(id: string, check?: { receipt?: string }): boolean;
  fail(id: string, failure: { retryAfterMs?: number; error: string; permanent?: boolean; receipt?: string }): unknown;
  release(id: string, options?: { delayMs?: number; receipt?: string }): boolean;
}

export interface BatchFailure {
  readonly id: string;
  readonly retryAfterMs?: number;
  readonly error: string;
  /** Can never succeed as it is: dead-letter now instead of retrying. */
  readonly permanent?: boolean;
}

export interface BatchResult {
  /** Messages to retry later (counts as an attempt; dead-lettered after maxReceives). */
  readonly failed: readonly BatchFailure[];
  /** Messages to put back untouched (e.g. sync paused until an operator reconnects Xero). */
  readonly released?: readonly string[];
  /** Per released message, how long it stays hidden (e.g. until a rate limit's Retry-After); default releaseDelayMs. */
  readonly releaseDelays?: ReadonlyMap<string, number>;
}

export interface WorkerOptions {
  readonly queue: WorkerQueue;
  /** The queue to poll. */
  readonly name: QueueName;
  readonly batchSize: number;
  /** Lease length: longer than the slowest batch, or the messages are handed out twice. */
  readonly visibilityMs: number;
  readonly handleBatch: (messages: readonly LeasedMessage[]) => Promise<BatchResult>;
  /** Pause between polls when there is nothing to do. */
  readonly idleMs: number;
  readonly signal: AbortSignal;
  /**
   * When a poll finds fewer than batchSize messages, wait this long once and top the batch up: Xero takes 50
   * documents per call, so a short wait turns a trickle of webhooks into fewer, fuller calls. Default 0.
   */
  readonly batchWindowMs?: number;
  /** How long released messages stay hidden. Default: idleMs. */
  readonly releaseDelayMs?: number;
  readonly logger?: Logger;
}

export async function startWorker(options: WorkerOptions): Promise<void> {
  const { queue, name, signal, logger } = options;
  const releaseDelayMs = options.releaseDelayMs ?? options.idleMs;
  logger?.info('worker started', { queue: name });
  while (!signal.aborted) {
    let progressed = false;
    try {
      let messages = queue.receive(name, options.batchSize, options.visibilityMs);
      if (messages.length > 0 && messages.length < options.batchSize && (options.batchWindowMs ?? 0) > 0) {
        await sleep(options.batchWindowMs ?? 0, signal);
        messages = messages.concat(queue.receive(name, options.batchSize - messages.length, options.visibilityMs));
      }
      if (messages.length > 0) progressed = await processBatch(options, messages, releaseDelayMs);
    } catch (error) {
      // A database error (locked, disk full): log and back off rather than crash the runtime.
      logger?.error('worker poll failed', { queue: name, error: describeError(error) });
    }
    if (!progressed) await sleep(options.idleMs, signal);
  }
  logger?.info('worker stopped', { queue: name });
}

/** Returns true when at least one message was acked or failed, i.e. polling again right away is worthwhile. */
async function processBatch(
  options: WorkerOptions,
  messages: readonly LeasedMessage[],
  releaseDelayMs: number
): Promise<boolean> {
  const { queue, name, logger } = options;
  let result: BatchResult;
  try {
    result = await options.handleBatch(messages);
  } catch (error) {
    const description = describeError(error);
    logger?.error('batch handler threw; failing the whole batch', { queue: name, size: messages.length });
    result = { failed: messages.map((m) => ({ id: m.id, error: description })) };
  }
  const failed = new Map(result.failed.map((f) => [f.id, f]));
  const released = new Set(result.released ?? []);
  let settled = 0;
  for (const message of messages) {
    const failure = failed.get(message.id);
    if (failure) {
      queue.fail(message.id, {
        receipt: message.receipt,
        error: failure.error,
        ...(failure.permanent ? { permanent: true } : {}),
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      });
      settled += 1;
    } else if (released.has(message.id)) {
      queue.release(message.id, {
        delayMs: result.releaseDelays?.get(message.id) ?? releaseDelayMs,
        receipt: message.receipt,
      });
    } else {
      queue.ack(message.id, { receipt: message.receipt });
      settled += 1;
    }
  }
  if (failed.size > 0 || released.size > 0) {
    logger?.info('batch settled', {
      queue: name,
      size: messages.length,
      failed: failed.size,
      released: released.size,
    });
  }
  return settled > 0;
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
