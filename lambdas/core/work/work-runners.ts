/**
 * One runner per queue kind: parse each message, run the stage's use case, turn its result into a settlement. Both
 * runtimes call these (the Lambda handlers through SqsWorkQueue, the local workers through the SQLite worker loop),
 * so parsing, error handling and the settle decision exist once.
 *
 * 1. Parse every message; a malformed one is dead-lettered at once with the reason (it can never succeed).
 * 2. Run the use case: changes one at a time in order with their sends finished together per batch, writes as
 *    one batch (Xero takes ≤50 documents a call), Xero events one at a time.
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

type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly result: Extract<WorkResult, { status: 'dead' }> };

/** `logger` says a malformed message is dead-lettered; without one the caller says so when it settles it. */
function parseWith<T>(parse: (body: string) => T, what: string, message: WorkMessage, logger?: Logger): Parsed<T> {
  try {
    return { ok: true, value: parse(message.body) };
  } catch (error) {
    const reason = `malformed ${what} message: ${describeError(error)}`;
    logger?.warn('malformed message dead-lettered', { messageId: message.id, what, reason });
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

/**
 * A map stage that works a batch of changes as a group (core/sync/map-batch.ts): `map` takes the changes one at a
 * time in order, and what they send or write may wait for `finish`, which sends it together.
 */
export interface ChangeBatch {
  map(event: ChangeEvent): Promise<WorkResult>;
  /** Sends and writes what the mapped changes left waiting; a result for each change whose part of it failed. */
  finish(): Promise<ReadonlyMap<ChangeEvent, WorkResult>>;
}

/** Starts a batch; `events` are the batch's changes (those that parsed), so their state can be read at once. */
export type StartChangeBatch = (events: readonly ChangeEvent[]) => Promise<ChangeBatch>;

/** A map stage with nothing to send together: each change is finished when `mapChange` returns. */
export function oneAtATime(mapChange: (event: ChangeEvent) => Promise<WorkResult>): StartChangeBatch {
  return async () => ({ map: mapChange, finish: async () => new Map() });
}

/** changes queue → map stage, one change at a time; a change that did not finish holds back its record's next ones. */
export function changesRunner(mapChange: (event: ChangeEvent) => Promise<WorkResult>, logger: Logger): WorkRunner {
  return changeBatchRunner(oneAtATime(mapChange), logger);
}

/**
 * changes queue → map stage as a group: each change mapped in order, then the batch's sends finished together. A
 * change whose finish failed counts as not finished, and holds back its record's later changes like one that failed.
 */
export function changeBatchRunner(start: StartChangeBatch, logger: Logger): WorkRunner {
  return async <M extends WorkMessage>(messages: readonly M[]) => {
    // Parsed up front so the batch can read its records' state at once; a malformed one is reported when settled.
    const parsed = messages.map((message) => parseWith(parseChangeEvent, 'change', message));
    const events = parsed.flatMap((p) => (p.ok ? [p.value] : []));
    let batch: ChangeBatch;
    try {
      batch = await start(events);
    } catch (error) {
      const failed = workResultOf(error);
      return settleInOrder(
        messages,
        parsed.map((p) => (p.ok ? failed : p.result))
      );
    }
    const results: (WorkResult | undefined)[] = [];
    const heldGroups = new Set<string>();
    for (const [index, message] of messages.entries()) {
      const p = parsed[index]!;
      if (message.groupId !== undefined && heldGroups.has(message.groupId)) {
        results.push(undefined);
        continue;
      }
      if (!p.ok) logger.warn('malformed message dead-lettered', { messageId: message.id, reason: p.result.error });
      const result = p.ok ? await attempt(() => batch.map(p.value)) : p.result;
      if (message.groupId !== undefined && holdsGroup(result)) heldGroups.add(message.groupId);
      results.push(result);
    }
    let failures: ReadonlyMap<ChangeEvent, WorkResult>;
    try {
      failures = await batch.finish();
    } catch (error) {
      const failed = workResultOf(error);
      failures = new Map(events.map((event) => [event, failed]));
    }
    return settleInOrder(
      messages,
      results.map((result, index) => {
        const p = parsed[index]!;
        return result?.status === 'done' && p.ok ? (failures.get(p.value) ?? result) : result;
      })
    );
  };
}

/** A change that stays queued must not be overtaken by its successors (a dead-lettered one is finished with). */
function holdsGroup(result: WorkResult): boolean {
  const action = settlementOf(result).action;
  return action === 'retry' || action === 'wait';
}

/** Settlements in message order; `undefined` (not attempted) and anything after an unfinished change of its group are skipped. */
function settleInOrder<M extends WorkMessage>(
  messages: readonly M[],
  results: readonly (WorkResult | undefined)[]
): SettledMessage<M>[] {
  const heldGroups = new Set<string>();
  return messages.map((message, index) => {
    const result = results[index];
    const held = message.groupId !== undefined && heldGroups.has(message.groupId);
    if (result === undefined || held) return { message, settlement: { action: 'skip' } };
    if (message.groupId !== undefined && holdsGroup(result)) heldGroups.add(message.groupId);
    return { message, settlement: settlementOf(result) };
  });
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
