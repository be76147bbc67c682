import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler as createMapHandler } from '../../../lambdas/handlers/map-changes';
import { oneAtATime } from '../../../lambdas/core/work/work-runners';
import { createHandler as createWritebackHandler } from '../../../lambdas/handlers/xero-writeback';
import { deliver, fakeQueuePair } from '../../helpers/fake-sqs';

const sqsMock = mockClient(SQSClient);

const queues = (fifo: boolean) => fakeQueuePair(sqsMock, { name: 'queue', fifo });

describe('SQS consumer handlers', () => {
  it('should dead-letter a malformed Xero event with the reason instead of dropping it', async () => {
    const { queue, dlq, deps } = queues(false);
    let applied = 0;
    const handler = createWritebackHandler(async () => ({
      ...deps,
      apply: async () => {
        applied += 1;
        return { applied: 0, ignored: 0, failed: [], patched: 0 };
      },
    }));
    queue.send({ MessageBody: '{"resourceId":' });

    await deliver(queue, async (event) => (await handler(event)) as never);

    expect(applied).toBe(0);
    expect(queue.messages).toEqual([]);
    expect(dlq.messages.map((m) => m.attributes.reason?.StringValue)).toEqual([
      expect.stringContaining('malformed Xero event message'),
    ]);
  });

  it('should run changes one record at a time and hold back a record whose change will be retried', async () => {
    const { queue, dlq, deps } = queues(true);
    const seen: string[] = [];
    const handler = createMapHandler(async () => ({
      ...deps,
      mapBatch: oneAtATime(async (event) => {
        seen.push(event.dedupeId);
        return event.dedupeId === 'a1' ? { status: 'retry', error: 'TransientError: 503' } : { status: 'done' };
      }),
    }));
    const change = (group: string, dedupeId: string) => ({
      MessageBody: JSON.stringify({
        table: 'account',
        id: `00000000-0000-4000-8000-00000000000${group === 'a' ? 1 : 2}`,
        message: 'Update',
        occurredAt: '2026-11-26T10:00:00.000Z',
        dedupeId,
        source: 'dataverse-webhook',
      }),
      MessageGroupId: group,
      MessageDeduplicationId: dedupeId,
    });
    queue.send(change('a', 'a1'));
    queue.send(change('a', 'a2'));
    queue.send(change('b', 'b1'));

    await deliver(queue, handler);

    expect(seen).toEqual(['a1', 'b1']);
    expect(queue.bodies().map((b) => JSON.parse(b).dedupeId)).toEqual(['a1', 'a2']);
    expect(dlq.messages).toEqual([]);
  });

  it('should flush the outcome journal once per batch, after every change of the batch ran', async () => {
    const { queue, deps } = queues(true);
    const steps: string[] = [];
    const handler = createMapHandler(async () => ({
      ...deps,
      flushOutcomes: async () => {
        steps.push('flush');
      },
      mapBatch: oneAtATime(async (event) => {
        steps.push(event.dedupeId);
        return { status: 'done' };
      }),
    }));
    for (const n of [1, 2, 3]) {
      queue.send({
        MessageBody: JSON.stringify({
          table: 'account',
          id: `00000000-0000-4000-8000-00000000000${n}`,
          message: 'Update',
          occurredAt: '2026-11-26T10:00:00.000Z',
          dedupeId: `c${n}`,
          source: 'dataverse-webhook',
        }),
        MessageGroupId: `g${n}`,
        MessageDeduplicationId: `c${n}`,
      });
    }

    await deliver(queue, handler);

    expect(steps).toEqual(['c1', 'c2', 'c3', 'flush']);
  });
});
