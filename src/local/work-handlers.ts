/**
 * The local runtime's queue handlers: the same use cases the Lambdas run, with WorkResults turned into the SQLite
 * queue's actions. A wait the server asked for (Retry-After) and a paused connection put the message back without
 * counting an attempt; a permanent failure is dead-lettered at once; other failures back off and count.
 */
import type { BatchResult, BatchFailure } from '../../lambdas/adapters/local/worker-loop';
import type { LeasedMessage } from '../../lambdas/adapters/local/sqlite-queue';
import { describeError, type ConnectorError } from '../../lambdas/core/errors';
import { xeroWebhookEventSchema, type XeroWebhookEvent } from '../../lambdas/core/ingress/xero-webhook';
import type { ChangeEvent } from '../../lambdas/core/model/change-event';
import type { WorkResult, XeroWrite } from '../../lambdas/core/model/xero-write';
import { parseChangeEvent, parseXeroWrite } from '../../lambdas/core/sync/schemas';

/** While Xero waits for re-consent, look again every minute (the status page says why). */
export const PAUSED_RELEASE_MS = 60_000;

class BatchOutcome {
  readonly failed: BatchFailure[] = [];
  readonly released: string[] = [];
  readonly releaseDelays = new Map<string, number>();

  settle(message: LeasedMessage, result: WorkResult) {
    switch (result.status) {
      case 'done':
        return;
      case 'dead':
        this.failed.push({ id: message.id, error: result.error, permanent: true });
        return;
      case 'paused':
        this.released.push(message.id);
        this.releaseDelays.set(message.id, PAUSED_RELEASE_MS);
        return;
      case 'retry':
        if (result.retryAfterMs !== undefined && result.retryAfterMs > 0) {
          this.released.push(message.id);
          this.releaseDelays.set(message.id, result.retryAfterMs);
        } else {
          this.failed.push({ id: message.id, error: result.error });
        }
    }
  }

  toResult(): BatchResult {
    return { failed: this.failed, released: this.released, releaseDelays: this.releaseDelays };
  }
}

/** changes queue: one change at a time through the map stage (the queue keeps each record's changes in order). */
export function changesHandler(mapChange: (event: ChangeEvent) => Promise<WorkResult>) {
  return async (messages: readonly LeasedMessage[]): Promise<BatchResult> => {
    const outcome = new BatchOutcome();
    for (const message of messages) {
      let result: WorkResult;
      try {
        result = await mapChange(parseChangeEvent(message.body));
      } catch (error) {
        result = { status: 'dead', error: describeError(error) };
      }
      outcome.settle(message, result);
    }
    return outcome.toResult();
  };
}

/** writes queue: the whole batch through the post stage at once, so Xero sees batched calls. */
export function writesHandler(postWrites: (writes: readonly XeroWrite[]) => Promise<WorkResult[]>) {
  return async (messages: readonly LeasedMessage[]): Promise<BatchResult> => {
    const outcome = new BatchOutcome();
    const parsed: { message: LeasedMessage; write: XeroWrite }[] = [];
    for (const message of messages) {
      try {
        parsed.push({ message, write: parseXeroWrite(message.body) });
      } catch (error) {
        outcome.settle(message, { status: 'dead', error: describeError(error) });
      }
    }
    if (parsed.length > 0) {
      const results = await postWrites(parsed.map((p) => p.write));
      parsed.forEach(({ message }, index) =>
        outcome.settle(message, results[index] ?? { status: 'retry', error: 'no result' })
      );
    }
    return outcome.toResult();
  };
}

/** xero-events queue: Xero invoice events written back to their sales orders; only transient failures are retried. */
export function xeroEventsHandler(
  apply: (events: XeroWebhookEvent[]) => Promise<{ failed: readonly { resourceId: string; error: ConnectorError }[] }>
) {
  return async (messages: readonly LeasedMessage[]): Promise<BatchResult> => {
    const outcome = new BatchOutcome();
    for (const message of messages) {
      const parsed = xeroWebhookEventSchema.safeParse(safeJson(message.body));
      if (!parsed.success) {
        outcome.settle(message, { status: 'dead', error: 'malformed Xero event' });
        continue;
      }
      const { failed } = await apply([parsed.data]);
      const retryable = failed.find((failure) => failure.error.retryable);
      outcome.settle(
        message,
        retryable
          ? {
              status: 'retry',
              error: describeError(retryable.error),
              retryAfterMs: (retryable.error as { retryAfterMs?: number }).retryAfterMs,
            }
          : { status: 'done' }
      );
    }
    return outcome.toResult();
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
