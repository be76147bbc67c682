/**
 * xero-writes queue → post stage → Xero. Thin: parse the envelopes, run the batch through the one use case, turn
 * results into SQS actions. The whole SQS batch is posted together so Xero sees ≤50-element calls, which is why this
 * handler builds the partial-batch response itself rather than processing record by record.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../core/errors';
import type { WorkResult, XeroWrite } from '../core/model/xero-write';
import type { Logger } from '../core/ports';
import { parseXeroWrite } from '../core/sync/schemas';
import { batchResponse, settleSqsRecord, type SqsWorkDeps } from './shared/sqs-work';
import { createPostWrites } from '../core/sync/post-writes';
import { clock, requireEnv, sqs } from './shared/aws-clients';
import { mappingSettings } from './shared/settings';
import { outcomes, syncState } from './shared/sync-deps';
import { withXeroDeadline, xeroGateway, xeroKeyIndex } from './shared/xero-deps';
import { loggerPort, metrics } from './shared/powertools';

export interface PostHandlerDeps extends SqsWorkDeps {
  readonly postWrites: (writes: readonly XeroWrite[]) => Promise<WorkResult[]>;
  readonly logger: Logger;
}

export function createHandler(getDeps: () => Promise<PostHandlerDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    const parsed: { record: SQSRecord; write: XeroWrite }[] = [];
    const failed: string[] = [];
    for (const record of event.Records) {
      try {
        parsed.push({ record, write: parseXeroWrite(record.body) });
      } catch (error) {
        deps.logger.error('malformed write message', { messageId: record.messageId, error: describeError(error) });
        if (!(await settleSqsRecord(deps, record, { status: 'dead', error: describeError(error) })))
          failed.push(record.messageId);
      }
    }
    const results = parsed.length > 0 ? await deps.postWrites(parsed.map((p) => p.write)) : [];
    for (const [index, { record }] of parsed.entries()) {
      const result = results[index] ?? { status: 'retry', error: 'no result' };
      try {
        if (!(await settleSqsRecord(deps, record, result))) failed.push(record.messageId);
      } catch (error) {
        deps.logger.error('could not settle message', { messageId: record.messageId, error: describeError(error) });
        failed.push(record.messageId);
      }
    }
    return batchResponse(failed);
  };
}

const postHandler = createHandler(async () => {
  const postWrites = createPostWrites({
    xero: xeroGateway(),
    state: syncState(),
    outcomes: await outcomes(),
    settings: mappingSettings(),
    clock,
    logger: loggerPort,
    keyIndex: xeroKeyIndex(),
  });
  return {
    sqs: sqs(),
    queueUrl: requireEnv('WRITES_QUEUE_URL'),
    deadLetterQueueUrl: requireEnv('WRITES_DLQ_URL'),
    logger: loggerPort,
    postWrites: async (writes: readonly XeroWrite[]) => {
      try {
        return await postWrites(writes);
      } finally {
        metrics.publishStoredMetrics();
      }
    },
  };
});

// Waits for the tenant's Xero budget end in time to give the work back (shared/xero-deps.ts).
export const handler = withXeroDeadline(postHandler);
