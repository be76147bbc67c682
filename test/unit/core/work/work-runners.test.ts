import { ReconnectRequiredError } from '../../../../lambdas/core/errors';
import type { WorkMessage } from '../../../../lambdas/core/work/settlement';
import { changesRunner, writesRunner, xeroEventsRunner } from '../../../../lambdas/core/work/work-runners';
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
});
