/**
 * The SQLite side of the work runners: each settlement decided in core/work carried out on the local queue with the
 * meaning SqsWorkQueue gives it on AWS:
 * - ack → removed;
 * - retry → a failed attempt: back after a backoff, dead-lettered once it has used `maxReceives` receives;
 * - dead → a dead letter now, with the reason;
 * - wait → released without counting the receive, hidden for `delayMs` (a paused connection, a Retry-After), so no
 *   wait ever dead-letters a message; paused work comes back at once when the connection is restored;
 * - skip → released as it was (the SQLite queue leases one message per group, so the runner never skips here).
 */
import type { SettledMessage } from '../../core/work/settlement';
import type { LeasedMessage } from './sqlite-queue';

/** The part of SqliteQueue settling needs (a fake in tests). */
export interface SettlingQueue {
  ack(id: string, check?: { receipt?: string }): boolean;
  fail(id: string, failure: { error: string; permanent?: boolean; receipt?: string }): unknown;
  release(id: string, options?: { delayMs?: number; receipt?: string }): boolean;
}

export interface SettleOptions {
  /** Paused work settled after the connection came back must not wait out its recheck: release it at once. */
  readonly connectionRestored?: boolean;
}

/** Settles a batch; returns how many messages were finished with (acked, failed or dead-lettered). */
export function settleOnSqlite(
  queue: SettlingQueue,
  settled: readonly SettledMessage<LeasedMessage>[],
  options: SettleOptions = {}
): number {
  let finished = 0;
  for (const { message, settlement } of settled) {
    const receipt = message.receipt;
    switch (settlement.action) {
      case 'ack':
        queue.ack(message.id, { receipt });
        finished += 1;
        break;
      case 'retry':
        queue.fail(message.id, { error: settlement.error, receipt });
        finished += 1;
        break;
      case 'dead':
        queue.fail(message.id, { error: settlement.reason, permanent: true, receipt });
        finished += 1;
        break;
      case 'wait': {
        const delayMs = settlement.paused && options.connectionRestored ? 0 : settlement.delayMs;
        queue.release(message.id, { delayMs, receipt });
        break;
      }
      case 'skip':
        queue.release(message.id, { receipt });
    }
  }
  return finished;
}
