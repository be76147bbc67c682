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
import { requireEnv, sqs } from './shared/aws-clients';
import { dataverseReader } from './shared/dataverse-deps';
import { mappingSettings } from './shared/settings';
import { changeQueue, outcomes, syncState, writeQueue } from './shared/sync-deps';
import { loggerPort, metrics } from './shared/powertools';

export interface MapHandlerDeps extends SqsWorkDeps {
  readonly mapChange: (event: ChangeEvent) => Promise<WorkResult>;
}

export function createHandler(getDeps: () => Promise<MapHandlerDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    return runSqsWork(event, changesRunner(deps.mapChange, deps.logger), deps);
  };
}

export const handler = createHandler(async () => {
  const mapChange = createMapChange({
    reader: await dataverseReader(),
    state: syncState(),
    settings: mappingSettings(),
    writes: writeQueue(),
    changes: changeQueue(),
    outcomes: await outcomes(),
    logger: loggerPort,
  });
  return {
    sqs: sqs(),
    queueUrl: requireEnv('CHANGES_QUEUE_URL'),
    deadLetterQueueUrl: requireEnv('CHANGES_DLQ_URL'),
    logger: loggerPort,
    mapChange: async (event: ChangeEvent) => {
      try {
        return await mapChange(event);
      } finally {
        metrics.publishStoredMetrics();
      }
    },
  };
});
