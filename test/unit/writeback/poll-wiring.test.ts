import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteCheckpointStore } from '../../../lambdas/adapters/local/sqlite-checkpoint-store';
import { createHandler } from '../../../lambdas/handlers/xero-writeback';
import { SQSClient } from '@aws-sdk/client-sqs';
import { recordingLogger } from '../../helpers/in-memory-ports';
import { sqsEvent, sqsRecordFactory } from '../../helpers/sqs-events';
import { tempDir } from '../../helpers/temp-dir';
import { invoiceEvent } from './writeback-fakes';

describe('invoice poll wiring', () => {
  it('should keep checkpoints across reopening the database', async () => {
    const { dir, remove } = tempDir('poll');
    try {
      const first = new SqliteCheckpointStore(openDatabase({ dataDir: dir }));
      await first.save('xero-invoices', '2026-11-26T10:00:00Z');
      await first.save('xero-invoices', '2026-11-26T11:00:00Z');

      const reopened = new SqliteCheckpointStore(openDatabase({ dataDir: dir }));

      expect(await reopened.load('xero-invoices')).toBe('2026-11-26T11:00:00Z');
      expect(await reopened.load('unknown')).toBeUndefined();
    } finally {
      remove();
    }
  });

  it('should run the poll for the schedule payload and apply queued events otherwise', async () => {
    const applied: string[] = [];
    let polls = 0;
    const handler = createHandler(
      async () => ({
        sqs: new SQSClient({ region: 'eu-west-1' }),
        queueUrl: 'https://sqs/xero-events',
        deadLetterQueueUrl: 'https://sqs/xero-events-dlq',
        logger: recordingLogger(),
        apply: async (events) => {
          applied.push(...events.map((e) => e.resourceId));
          return { applied: events.length, ignored: 0, failed: [], patched: events.length };
        },
      }),
      async () => async () => {
        polls++;
        return '2026-11-26T12:00:00Z';
      }
    );

    expect(await handler({ action: 'poll-invoices' })).toEqual({ checkpoint: '2026-11-26T12:00:00Z' });
    const event = invoiceEvent('7f1c0c3e-2b7a-4d7e-9a4f-0e7b3c1d2a11', {
      eventDateUtc: '2026-11-26T10:00:00.000',
      tenantId: '5a1dbb0c-7e3f-4c2a-9d61-0c7f3b9e2a41',
    });
    const response = await handler(sqsEvent([sqsRecordFactory(JSON.stringify(event), { messageId: 'm1' })]));

    expect(polls).toBe(1);
    expect(applied).toEqual([event.resourceId]);
    expect(response).toEqual({ batchItemFailures: [] });
  });
});
