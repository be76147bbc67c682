/**
 * One runner per queue kind: parse each message, run the stage's use case, turn its result into a settlement. Both
 * runtimes call these (the Lambda handlers through SqsWorkQueue, the local workers through the SQLite worker loop),
 * so parsing, error handling and the settle decision exist once.
 *
 * 1. Parse every message; a malformed one is dead-lettered at once with the reason (it can never succeed).
 * 2. Run the use case: changes one at a time in order, writes as one batch (Xero takes ≤50 documents a call),
 *    Xero events one at a time.
 * 3. Turn each outcome into a WorkResult (an unexpected throw through workResultOf) and that into a Settlement.
 */
import { describeError } from '../errors';
import { xeroWebhookEventSchema, type XeroWebhookEvent } from '../ingress/xero-webhook';
import type { ChangeEvent } from '../model/change-event';
import type { WorkResult, XeroWrite } from '../model/xero-write';
import type { Logger } from '../ports';
import { parseChangeEvent, parseXeroWrite } from '../sync/schemas';
import type { ApplyXeroInvoiceEventsResult } from '../writeback/apply-xero-invoice-events';
import { settlementOf, type SettledMessage, type WorkMessage, type WorkRunner } from './settlement';
import { workResultOf } from './work-result';

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly result: WorkResult };

function parseWith<T>(parse: (body: string) => T, what: string, message: WorkMessage, logger: Logger): Parsed<T> {
  try {
    return { ok: true, value: parse(message.body) };
  } catch (error) {
    const reason = `malformed ${what} message: ${describeError(error)}`;
    logger.warn('malformed message dead-lettered', { messageId: message.id, what, reason });
    return { ok: false, result: { status: 'dead', error: reason } };
  }
}

async function attempt(run: () => Promise<WorkResult>): Promise<WorkResult> {
  try {
    return await run();
  } catch (error) {
    return workResultOf(error);
  }
}

/** changes queue → map stage, one change at a time; a change that did not finish holds back its record's next ones. */
export function changesRunner(mapChange: (event: ChangeEvent) => Promise<WorkResult>, logger: Logger): WorkRunner {
  return async <M extends WorkMessage>(messages: readonly M[]) => {
    const settled: SettledMessage<M>[] = [];
    const heldGroups = new Set<string>();
    for (const message of messages) {
      if (message.groupId !== undefined && heldGroups.has(message.groupId)) {
        settled.push({ message, settlement: { action: 'skip' } });
        continue;
      }
      const parsed = parseWith(parseChangeEvent, 'change', message, logger);
      const result = parsed.ok ? await attempt(() => mapChange(parsed.value)) : parsed.result;
      const settlement = settlementOf(result);
      // A dead-lettered change is finished with; one that stays queued must not be overtaken by its successors.
      if (message.groupId !== undefined && (settlement.action === 'retry' || settlement.action === 'wait'))
        heldGroups.add(message.groupId);
      settled.push({ message, settlement });
    }
    return settled;
  };
}

/** xero-writes queue → post stage: the whole batch in one call, so Xero sees batched requests. */
export function writesRunner(
  postWrites: (writes: readonly XeroWrite[]) => Promise<WorkResult[]>,
  logger: Logger
): WorkRunner {
  return async <M extends WorkMessage>(messages: readonly M[]) => {
    const parsed = messages.map((message) => ({
      message,
      parsed: parseWith(parseXeroWrite, 'write', message, logger),
    }));
    const valid = parsed.flatMap(({ message, parsed: p }) => (p.ok ? [{ message, write: p.value }] : []));
    let results: readonly WorkResult[] = [];
    if (valid.length > 0) {
      try {
        results = await postWrites(valid.map((v) => v.write));
      } catch (error) {
        results = valid.map(() => workResultOf(error));
      }
    }
    const resultOf = new Map(valid.map(({ message }, index) => [message, results[index]]));
    return parsed.map(({ message, parsed: p }) => ({
      message,
      settlement: settlementOf(p.ok ? (resultOf.get(message) ?? { status: 'retry', error: 'no result' }) : p.result),
    }));
  };
}

/** xero-events queue → write-back, one event at a time: its invoice's status and payments onto the sales order. */
export function xeroEventsRunner(
  apply: (events: XeroWebhookEvent[]) => Promise<Pick<ApplyXeroInvoiceEventsResult, 'failed'>>,
  logger: Logger
): WorkRunner {
  return async <M extends WorkMessage>(messages: readonly M[]) => {
    const settled: SettledMessage<M>[] = [];
    for (const message of messages) {
      const parsed = parseWith(parseXeroEvent, 'Xero event', message, logger);
      const result = parsed.ok
        ? await attempt(async () => {
            const [failure] = (await apply([parsed.value])).failed;
            return failure ? workResultOf(failure.error) : { status: 'done' };
          })
        : parsed.result;
      settled.push({ message, settlement: settlementOf(result) });
    }
    return settled;
  };
}

function parseXeroEvent(body: string): XeroWebhookEvent {
  return xeroWebhookEventSchema.parse(JSON.parse(body));
}
