import { SQSClient, SendMessageBatchCommand, ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { WAIT_UNTIL_ATTRIBUTE, runSqsWork } from '../../../../lambdas/adapters/aws/sqs-work-queue';
import type { ChangeEvent } from '../../../../lambdas/core/model/change-event';
import type { WorkResult } from '../../../../lambdas/core/model/xero-write';
import { PAUSED_WORK_RECHECK_MS } from '../../../../lambdas/core/work/settlement';
import { changesRunner } from '../../../../lambdas/core/work/work-runners';
import { deliver, fakeQueuePair } from '../../../helpers/fake-sqs';

const sqsMock = mockClient(SQSClient);
const MINUTE = 60_000;

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const change = (n: number, version: string) =>
  JSON.stringify({
    table: 'account',
    id: guid(n),
    message: 'Update',
    occurredAt: '2026-11-26T10:00:00.000Z',
    dedupeId: `${n}-${version}`,
    source: 'dataverse-webhook',
  } satisfies ChangeEvent);

function setup(fifo: boolean) {
  const { sqs, queue, dlq, deps } = fakeQueuePair(sqsMock, { name: 'changes', fifo, visibilityTimeoutSeconds: 360 });
  const seen: string[] = [];
  let answer: (event: ChangeEvent) => WorkResult = () => ({ status: 'done' });
  const run = changesRunner(async (event) => {
    seen.push(`${event.id.slice(-1)}:${event.dedupeId.split('-')[1]}`);
    return answer(event);
  }, deps.logger);
  const send = (n: number, version: string) =>
    queue.send({
      MessageBody: change(n, version),
      ...(fifo ? { MessageGroupId: `account:${n}`, MessageDeduplicationId: `${n}-${version}` } : {}),
    });
  return {
    sqs,
    queue,
    dlq,
    seen,
    send,
    answerWith: (fn: typeof answer) => (answer = fn),
    deliver: () => deliver(queue, (event) => runSqsWork(event, run, deps)),
  };
}

describe('SqsWorkQueue', () => {
  it("should hold back a record's later changes in the batch when one stays queued, and run other records", async () => {
    const t = setup(true);
    t.send(1, 'a');
    t.send(1, 'b');
    t.send(2, 'a');
    t.answerWith((event) =>
      event.dedupeId === '1-a' ? { status: 'retry', error: 'TransientError: Dataverse 503' } : { status: 'done' }
    );

    const delivered = await t.deliver();

    expect(delivered).toHaveLength(3);
    expect(t.seen).toEqual(['1:a', '2:a']);
    expect(t.queue.bodies()).toEqual([change(1, 'a'), change(1, 'b')]);
  });

  it('should dead-letter a FIFO message into its group, with the reason cut to what SQS allows', async () => {
    const t = setup(true);
    t.send(1, 'a');
    t.answerWith(() => ({ status: 'dead', error: `MappingError: ${'x'.repeat(3000)}` }));

    await t.deliver();

    const [dead] = t.dlq.messages;
    expect(dead).toMatchObject({ body: change(1, 'a'), groupId: 'account:1' });
    expect(dead!.attributes.reason!.StringValue).toHaveLength(1000);
    expect(t.queue.messages).toEqual([]);
  });

  it('should hide a message for at most 11 hours, inside the 12 hours SQS allows from its receipt', async () => {
    const t = setup(false);
    t.send(1, 'a');
    t.answerWith(() => ({ status: 'retry', error: 'RateLimitedError: day limit', retryAfterMs: 20 * 60 * MINUTE }));

    await t.deliver();

    const [hide] = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(hide!.args[0].input.Entries![0]!.VisibilityTimeout).toBe(11 * 3600);
    expect(t.queue.messages[0]!.visibleAt - t.sqs.now).toBe(11 * 3600 * 1000);
  });

  it('should replace a paused message received twice by a delayed copy on a standard queue', async () => {
    const t = setup(false);
    t.send(1, 'a');
    t.answerWith(() => ({ status: 'paused', error: 'ReconnectRequiredError: reconnect' }));

    await t.deliver(); // first receive: hidden
    t.sqs.advance(PAUSED_WORK_RECHECK_MS);
    await t.deliver(); // second receive: replaced

    const sends = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(sends).toEqual([
      {
        QueueUrl: 'https://sqs/changes',
        Entries: [
          {
            Id: expect.any(String),
            MessageBody: change(1, 'a'),
            DelaySeconds: 900,
            MessageAttributes: {
              [WAIT_UNTIL_ATTRIBUTE]: { DataType: 'Number', StringValue: String(t.sqs.now + PAUSED_WORK_RECHECK_MS) },
            },
          },
        ],
      },
    ]);
    expect(t.queue.messages).toHaveLength(1);
    expect(t.queue.messages[0]!.receiveCount).toBe(0);
  });

  it('should not work on a FIFO copy before its time: it is hidden and its group waits behind it', async () => {
    const t = setup(true);
    t.send(1, 'a');
    t.answerWith(() => ({ status: 'paused', error: 'ReconnectRequiredError: reconnect' }));
    await t.deliver();
    t.sqs.advance(PAUSED_WORK_RECHECK_MS);
    await t.deliver(); // replaced: the FIFO copy has no delay and is visible at once
    t.send(1, 'b');
    expect(t.seen).toEqual(['1:a', '1:a']);

    await t.deliver();

    expect(t.seen).toEqual(['1:a', '1:a']);
    expect(t.queue.messages.map((m) => [m.body, m.visibleAt - t.sqs.now])).toEqual([
      [change(1, 'a'), PAUSED_WORK_RECHECK_MS],
      // Received in the same batch behind the copy, skipped: back after the queue's visibility timeout.
      [change(1, 'b'), 360_000],
    ]);
    t.answerWith(() => ({ status: 'done' }));
    t.sqs.advance(PAUSED_WORK_RECHECK_MS);
    await t.deliver();
    expect(t.seen).toEqual(['1:a', '1:a', '1:a', '1:b']);
    expect(t.queue.messages).toEqual([]);
    expect(t.dlq.messages).toEqual([]);
  });
});
