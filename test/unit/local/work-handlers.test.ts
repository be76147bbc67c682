import type { LeasedMessage } from '../../../lambdas/adapters/local/sqlite-queue';
import type { WorkResult, XeroWrite } from '../../../lambdas/core/model/xero-write';
import { changesHandler, PAUSED_RELEASE_MS, writesHandler } from '../../../src/local/work-handlers';

const message = (id: string, body: string): LeasedMessage => ({
  id,
  receipt: `r-${id}`,
  queue: 'writes',
  body,
  receiveCount: 1,
  sentAt: new Date(),
});
const write = (id: string): string =>
  JSON.stringify({
    kind: 'upsert-contact',
    source: { table: 'account', id, event: 'Update' },
    contact: { ContactNumber: id, Name: id },
  } satisfies XeroWrite);

describe('local work handlers', () => {
  it('should post the whole batch at once and turn results into queue actions', async () => {
    const seen: number[] = [];
    const results: WorkResult[] = [
      { status: 'done' },
      { status: 'retry', error: 'timeout' },
      { status: 'retry', error: 'minute limit', retryAfterMs: 42_000 },
      { status: 'dead', error: 'XeroValidationError: bad e-mail' },
      { status: 'paused', error: 'reconnect required' },
    ];
    const handle = writesHandler(async (writes) => {
      seen.push(writes.length);
      return results;
    });

    const outcome = await handle(['a', 'b', 'c', 'd', 'e'].map((id) => message(id, write(id))));

    expect(seen).toEqual([5]);
    expect(outcome.failed).toEqual([
      { id: 'b', error: 'timeout' },
      { id: 'd', error: 'XeroValidationError: bad e-mail', permanent: true },
    ]);
    // A server-dictated wait and a paused connection do not count as failed attempts.
    expect(outcome.released).toEqual(['c', 'e']);
    expect([...(outcome.releaseDelays ?? new Map())]).toEqual([
      ['c', 42_000],
      ['e', PAUSED_RELEASE_MS],
    ]);
  });

  it('should dead-letter a malformed message without calling the use case', async () => {
    let calls = 0;
    const handle = changesHandler(async () => {
      calls++;
      return { status: 'done' };
    });

    const outcome = await handle([message('x', '{"table":"invoice"}')]);

    expect(calls).toBe(0);
    expect(outcome.failed).toEqual([expect.objectContaining({ id: 'x', permanent: true })]);
  });
});
