/**
 * changes queue (FIFO, group = table:id) → map stage → xero-writes queue. Thin: the changes runner (core/work) takes
 * each change in order and holds back a record's later changes when one does not finish; the map batch
 * (core/sync/map-batch.ts) sends the batch's writes together; SqsWorkQueue settles.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runSqsWork, type SqsWorkDeps } from '../adapters/aws/sqs-work-queue';
import { changeBatchRunner, type StartChangeBatch } from '../core/work/work-runners';
import { createMapBatch } from '../core/sync/map-batch';
import { sqs } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseReader } from './shared/dataverse-deps';
import { mappingSettings } from './shared/settings';
import { changeQueue, outcomeJournal, outcomes, syncState, writeQueue } from './shared/sync-deps';
import { loggerPort, metrics } from './shared/powertools';
import { flushingOwnWriteNotes } from './shared/own-write-notes';

export interface MapHandlerDeps extends SqsWorkDeps {
  /** Writes the batch's buffered outcomes (the status page's journal) once the batch is settled. */
  readonly flushOutcomes?: () => Promise<void>;
  readonly mapBatch: StartChangeBatch;
}

export function createHandler(getDeps: () => Promise<MapHandlerDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    try {
      return await runSqsWork(event, changeBatchRunner(deps.mapBatch, deps.logger), deps);
    } finally {
      await deps.flushOutcomes?.();
    }
  };
}

const env = envFor('mapChanges');
const mapHandler = createHandler(async () => {
  const mapBatch = createMapBatch({
    reader: dataverseReader(env),
    state: syncState(env),
    settings: mappingSettings(env),
    writes: writeQueue(env),
    changes: changeQueue(env),
    outcomes: outcomes(env),
    logger: loggerPort,
  });
  return {
    sqs: sqs(),
    queueUrl: env.require('CHANGES_QUEUE_URL'),
    deadLetterQueueUrl: env.require('CHANGES_DLQ_URL'),
    logger: loggerPort,
    flushOutcomes: () => outcomeJournal(env).flush(),
    mapBatch: async (events) => {
      const batch = await mapBatch(events);
      return {
        map: batch.map,
        finish: async () => {
          try {
            return await batch.finish();
          } finally {
            metrics.publishStoredMetrics();
          }
        },
      };
    },
  };
});

// The integration log's writes onto skipped or failed records are noted for the sweep once per batch.
export const handler = flushingOwnWriteNotes(mapHandler);
