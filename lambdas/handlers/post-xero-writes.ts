/**
 * xero-writes queue → post stage → Xero. Thin: the writes runner (core/work) posts the whole SQS batch together so
 * Xero sees ≤50-element calls; SqsWorkQueue settles each message.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runSqsWork, type SqsWorkDeps } from '../adapters/aws/sqs-work-queue';
import type { WorkResult, XeroWrite } from '../core/model/xero-write';
import { writesRunner } from '../core/work/work-runners';
import { createPostWrites } from '../core/sync/post-writes';
import { clock, sqs } from './shared/aws-clients';
import { envFor } from './shared/env';
import { mappingSettings } from './shared/settings';
import { outcomeJournal, outcomes, syncState } from './shared/sync-deps';
import { withXeroDeadline, xeroGateway, xeroGatewayFor, xeroKeyIndex, xeroKeyIndexFor } from './shared/xero-deps';
import { flushingOwnWriteNotes } from './shared/own-write-notes';
import { loggerPort, metrics } from './shared/powertools';

export interface PostHandlerDeps extends SqsWorkDeps {
  /** Writes the batch's buffered outcomes (the status page's journal) once the batch is settled. */
  readonly flushOutcomes?: () => Promise<void>;
  readonly postWrites: (writes: readonly XeroWrite[]) => Promise<WorkResult[]>;
}

export function createHandler(getDeps: () => Promise<PostHandlerDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    try {
      return await runSqsWork(event, writesRunner(deps.postWrites, deps.logger), deps);
    } finally {
      await deps.flushOutcomes?.();
    }
  };
}

const env = envFor('postXeroWrites');
const postHandler = createHandler(async () => {
  const postWrites = createPostWrites({
    xero: xeroGateway(env),
    state: syncState(env),
    outcomes: outcomes(env),
    settings: mappingSettings(env),
    clock,
    logger: loggerPort,
    keyIndex: xeroKeyIndex(env),
    xeroFor: xeroGatewayFor(env),
    keyIndexFor: xeroKeyIndexFor(env),
  });
  return {
    sqs: sqs(),
    queueUrl: env.require('WRITES_QUEUE_URL'),
    deadLetterQueueUrl: env.require('WRITES_DLQ_URL'),
    logger: loggerPort,
    flushOutcomes: () => outcomeJournal(env).flush(),
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
export const handler = withXeroDeadline(flushingOwnWriteNotes(postHandler));
