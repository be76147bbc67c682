/**
 * changes queue (FIFO, group = table:id) → map stage → xero-writes queue. Thin: Powertools' FIFO processor keeps
 * each record's changes in order (a failed change holds back later changes of the same group only).
 */
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../core/errors';
import type { ChangeEvent } from '../core/model/change-event';
import type { WorkResult } from '../core/model/xero-write';
import type { Logger } from '../core/ports';
import { parseChangeEvent } from '../core/sync/schemas';
import { settleSqsRecord, type SqsWorkDeps } from './shared/sqs-work';
import { createMapChange } from '../core/sync/map-change';
import { sqs } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseReader } from './shared/dataverse-deps';
import { mappingSettings } from './shared/settings';
import { changeQueue, outcomes, syncState, writeQueue } from './shared/sync-deps';
import { loggerPort, metrics } from './shared/powertools';

export interface MapHandlerDeps extends SqsWorkDeps {
  readonly mapChange: (event: ChangeEvent) => Promise<WorkResult>;
  readonly logger: Logger;
}

export function createHandler(getDeps: () => Promise<MapHandlerDeps>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const deps = await getDeps();
    const processor = new SqsFifoPartialProcessorAsync();
    const recordHandler = async (record: SQSRecord) => {
      let result: WorkResult;
      try {
        result = await deps.mapChange(parseChangeEvent(record.body));
      } catch (error) {
        result = { status: 'dead', error: describeError(error) };
      }
      if (!(await settleSqsRecord(deps, record, result))) {
        throw new Error(`change will be retried: ${result.status === 'done' ? '' : result.error}`);
      }
    };
    return processPartialResponse(event, recordHandler, processor, {
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });
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
    mapChange: async (event: ChangeEvent) => {
      try {
        return await mapChange(event);
      } finally {
        metrics.publishStoredMetrics();
      }
    },
  };
});
