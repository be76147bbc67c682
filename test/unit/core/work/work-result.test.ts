import {
  PermanentError,
  RateLimitedError,
  ReconnectRequiredError,
  TransientError,
  XeroValidationError,
} from '../../../../lambdas/core/errors';
import type { ChangeEvent } from '../../../../lambdas/core/model/change-event';
import type { XeroWrite } from '../../../../lambdas/core/model/xero-write';
import { DEFAULT_MAPPING_SETTINGS } from '../../../../lambdas/core/settings';
import { BatchContext } from '../../../../lambdas/core/sync/batch-context';
import { createMapChange } from '../../../../lambdas/core/sync/map-change';
import { PAUSED_WORK_RECHECK_MS, settlementOf } from '../../../../lambdas/core/work/settlement';
import { workResultOf } from '../../../../lambdas/core/work/work-result';
import {
  InMemorySyncState,
  RecordingOutcomes,
  RecordingQueues,
  fixedClock,
  recordingLogger,
} from '../../../helpers/in-memory-ports';

const id = '00000000-0000-4000-8000-000000000001';
const event: ChangeEvent = {
  table: 'account',
  id,
  message: 'Update',
  occurredAt: '2026-11-26T10:00:00.000Z',
  dedupeId: 'op-1',
  source: 'dataverse-webhook',
};
const write: XeroWrite = {
  kind: 'upsert-contact',
  source: { table: 'account', id, event: 'Update' },
  contact: { ContactNumber: id, Name: 'A' },
};

/** What the map stage makes of a read that throws `error`. */
async function mapStageResult(error: unknown) {
  const failing = async () => {
    throw error;
  };
  const mapChange = createMapChange({
    reader: { getAccount: failing, getContact: failing, getProduct: failing, getSalesOrder: failing },
    state: new InMemorySyncState(),
    settings: DEFAULT_MAPPING_SETTINGS,
    writes: new RecordingQueues(),
    changes: new RecordingQueues(),
    outcomes: new RecordingOutcomes(),
    logger: recordingLogger(),
  });
  return mapChange(event);
}

/** What the post stage makes of a write that failed with `error`. */
async function postStageResult(error: unknown) {
  const ctx = new BatchContext([write], {
    xero: {} as never,
    state: new InMemorySyncState(),
    outcomes: new RecordingOutcomes(),
    settings: DEFAULT_MAPPING_SETTINGS,
    clock: fixedClock(),
    logger: recordingLogger(),
  });
  await ctx.fail(0, error);
  return (await ctx.finish())[0];
}

describe('workResultOf', () => {
  it.each([
    ['a permanent failure', new XeroValidationError('Email address is invalid'), { status: 'dead' }],
    ['a connection that needs an operator', new ReconnectRequiredError('revoked'), { status: 'paused' }],
    ['a 429', new RateLimitedError('slow down', 30_000), { status: 'retry', retryAfterMs: 30_000 }],
    ['a transient failure', new TransientError('503'), { status: 'retry' }],
    ['anything unexpected', new Error('socket hang up'), { status: 'retry' }],
  ])('should turn %s into the matching result', (_what, error, expected) => {
    const result = workResultOf(error);
    expect(result).toMatchObject(expected);
    if (!(error instanceof RateLimitedError)) expect(result).not.toHaveProperty('retryAfterMs');
  });

  it("should take a wait only from a 429's Retry-After, not from any error that has a retryAfterMs field", () => {
    expect(workResultOf(Object.assign(new Error('odd'), { retryAfterMs: 5_000 }))).toEqual({
      status: 'retry',
      error: 'Error: odd',
    });
  });

  it.each([
    ['a 429', () => new RateLimitedError('Dataverse 429', 12_000, 'dataverse')],
    ['an odd error with retryAfterMs', () => Object.assign(new Error('odd'), { retryAfterMs: 5_000 })],
    ['a reconnect', () => new ReconnectRequiredError('revoked')],
    ['a permanent failure', () => new PermanentError('no way')],
  ])('should give the same result in the map and post stages for %s', async (_what, errorOf) => {
    expect(await mapStageResult(errorOf())).toEqual(await postStageResult(errorOf()));
  });
});

describe('settlementOf', () => {
  it('should let paused work and a server-dictated wait wait, and count only real failed attempts', () => {
    expect(settlementOf({ status: 'done' })).toEqual({ action: 'ack' });
    expect(settlementOf({ status: 'dead', error: 'bad' })).toEqual({ action: 'dead', reason: 'bad' });
    expect(settlementOf({ status: 'paused', error: 'reconnect' })).toEqual({
      action: 'wait',
      reason: 'reconnect',
      delayMs: PAUSED_WORK_RECHECK_MS,
      paused: true,
    });
    expect(settlementOf({ status: 'retry', error: '429', retryAfterMs: 30_000 })).toEqual({
      action: 'wait',
      reason: '429',
      delayMs: 30_000,
      paused: false,
    });
    expect(settlementOf({ status: 'retry', error: '503', retryAfterMs: 0 })).toEqual({ action: 'retry', error: '503' });
  });
});
