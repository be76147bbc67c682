import type { WorkResult } from '../model/xero-write';

/**
 * How long paused work (the Xero connection waits for an operator) stays out of sight before it is looked at again.
 * Locally it comes back at once when the connection is restored; on AWS within this interval. 15 minutes is also the
 * longest delay SQS lets a sender put on a message, which is how AWS keeps paused work queued (see SqsWorkQueue).
 */
export const PAUSED_WORK_RECHECK_MS = 15 * 60_000;

/**
 * What becomes of one queue message, decided once in core and carried out by each runtime's queue (SQS, SQLite)
 * with the same meaning:
 * - `ack`: done, remove it;
 * - `retry`: a failed attempt; it comes back after the queue's backoff and counts against its receive limit, after
 *   which it is dead-lettered;
 * - `dead`: it can never succeed as it is: to the dead letters now, with the reason;
 * - `wait`: not the message's fault (the connection is paused for a reconnect, or the server asked to slow down with
 *   Retry-After): it comes back after `delayMs` and the wait never counts against its receive limit, however long;
 * - `skip`: not attempted because an earlier message of its group did not finish; it goes back as it was.
 */
export type Settlement =
  | { readonly action: 'ack' }
  | { readonly action: 'retry'; readonly error: string }
  | { readonly action: 'dead'; readonly reason: string }
  | { readonly action: 'wait'; readonly reason: string; readonly delayMs: number; readonly paused: boolean }
  | { readonly action: 'skip' };

export function settlementOf(result: WorkResult): Settlement {
  switch (result.status) {
    case 'done':
      return { action: 'ack' };
    case 'dead':
      return { action: 'dead', reason: result.error };
    case 'paused':
      return { action: 'wait', reason: result.error, delayMs: PAUSED_WORK_RECHECK_MS, paused: true };
    case 'retry':
      return result.retryAfterMs !== undefined && result.retryAfterMs > 0
        ? { action: 'wait', reason: result.error, delayMs: result.retryAfterMs, paused: false }
        : { action: 'retry', error: result.error };
  }
}

/** A queue message as every runtime hands it to a runner. */
export interface WorkMessage {
  readonly id: string;
  readonly body: string;
  /** FIFO group: a message that did not finish holds back the later messages of its group. */
  readonly groupId?: string;
}

export interface SettledMessage<M extends WorkMessage = WorkMessage> {
  readonly message: M;
  readonly settlement: Settlement;
}

/** Runs a batch of messages through one stage and says what becomes of each (one settlement per message). */
export type WorkRunner = <M extends WorkMessage>(messages: readonly M[]) => Promise<SettledMessage<M>[]>;

/** Counts for one log line per settled batch, the same in every runtime. */
export function summarise(settled: readonly SettledMessage[]) {
  const count = (predicate: (s: Settlement) => boolean) => settled.filter((m) => predicate(m.settlement)).length;
  return {
    size: settled.length,
    retried: count((s) => s.action === 'retry'),
    dead: count((s) => s.action === 'dead'),
    paused: count((s) => s.action === 'wait' && s.paused),
    rateLimited: count((s) => s.action === 'wait' && !s.paused),
    skipped: count((s) => s.action === 'skip'),
  };
}
