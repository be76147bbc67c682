import { ReconnectRequiredError, TransientError } from '../../../../lambdas/core/errors';
import type { WorkMessage } from '../../../../lambdas/core/work/settlement';
import {
  changeBatchRunner,
  changesRunner,
  writesRunner,
  xeroEventsRunner,
} from '../../../../lambdas/core/work/work-runners';
import { recordingLogger } from '../../../helpers/in-memory-ports';
import { changeBody, writeBody, xeroEventBody } from '../../../helpers/work-bodies';
import { guid } from '../../../helpers/xero-write-builders';

const message = (n: number, body: string): WorkMessage => ({ id: `m${n}`, body });
const change = (n: number) => message(n, changeBody(n));
const write = (n: number) => message(n, writeBody(n, 'A'));
const xeroEvent = (n: number) =>
  message(n, xeroEventBody(n, { resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/x', tenantId: guid(99) }));

describe('work runners', () => {
  it('should retry, not dead-letter, a change whose use case crashed unexpectedly', async () => {
    const run = changesRunner(async () => {
      throw new Error('socket hang up');
    }, recordingLogger());

    const [settled] = await run([change(1)]);

    expect(settled!.settlement).toEqual({ action: 'retry', error: 'Error: socket hang up' });
  });

  it('should retry a write the post stage returned no result for', async () => {
    const run = writesRunner(async () => [{ status: 'done' }], recordingLogger());

    const settled = await run([write(1), write(2)]);

    expect(settled.map((s) => s.settlement)).toEqual([{ action: 'ack' }, { action: 'retry', error: 'no result' }]);
  });

  it('should keep a Xero event queued while the connection waits for a reconnect, never drop it', async () => {
    const run = xeroEventsRunner(
      async ([event]) => ({
        failed: [{ resourceId: event!.resourceId, error: new ReconnectRequiredError('revoked') }],
      }),
      recordingLogger()
    );

    const [settled] = await run([xeroEvent(1)]);

    expect(settled!.settlement).toMatchObject({ action: 'wait', paused: true });
  });

  it('should retry every change of a batch that cannot start, and dead-letter a malformed one', async () => {
    const run = changeBatchRunner(async () => {
      throw new TransientError('sync state unreadable');
    }, recordingLogger());

    const settled = await run([change(1), message(2, JSON.stringify({ ...JSON.parse(changeBody(2)), table: 'nope' }))]);

    expect(settled.map((s) => s.settlement.action)).toEqual(['retry', 'dead']);
  });

  it('should turn a change whose batch finish failed into a retry that holds back its group', async () => {
    const grouped = (n: number, group: string) => ({ ...change(n), groupId: group });
    const run = changeBatchRunner(
      async (events) => ({
        map: async () => ({ status: 'done' }),
        finish: async () => new Map([[events[0]!, { status: 'retry', error: 'SQS refused' }]]),
      }),
      recordingLogger()
    );

    const settled = await run([grouped(1, 'a'), grouped(2, 'a'), grouped(3, 'b')]);

    expect(settled.map((s) => s.settlement.action)).toEqual(['retry', 'skip', 'ack']);
  });
});
