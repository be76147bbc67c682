/**
 * changes queue (FIFO, group = table:id) → map stage → xero-writes queue. Thin: the changes runner (core/work) takes
 * each change in order and holds back a record's later changes when one does not finish; SqsWorkQueue settles.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runSqsWork, type SqsWorkDeps } from '../adapters/aws/sqs-work-queue';
import type { ChangeEvent } from '../core/model/change-event';
import type { WorkResult } from '../core/model/xero-write';
import { changesRunner } from '../core/work/work-runners';
import { createMapChange } from '../core/sync/map-change';
import { sqs } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseReader } from './shared/dataverse-deps';
import { mappingSettings } from './shared/settings';
import { changeQueue, outcomeJournal, outcomes, syncState, writeQueue } from './shared/sync-deps';
import { loggerPort, metrics } from './shared/powertools';

export interface MapHandlerDeps extends SqsWorkDeps {
  /** Writes the batch's buffered outcomes (the status page's journal) once the batch is settled. */
  readonly flushOutcomes?: () => Promise<void>;
  readonly mapChange: (event: ChangeEvent) => Promise<WorkResult>;
}

export function createHandler(getDeps: () => Promise<MapHandlerDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    try {
      return await runSqsWork(event, changesRunner(deps.mapChange, deps.logger), deps);
    } finally {
      await deps.flushOutcomes?.();
    }
  };
}

const env = envFor('mapChanges');
export const handler = createHandler(async () => {
  const mapChange = createMapChange({
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
    mapChange: async (event: ChangeEvent) => {
      try {
        return await mapChange(event);
      } finally {
        metrics.publishStoredMetrics();
      }
    },
  };
});
