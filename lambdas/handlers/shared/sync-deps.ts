/** The pipeline's own state and queues on AWS. */
import { DynamoDbSyncState } from '../../adapters/aws/dynamodb-sync-state';
import { MetricsOutcomeSink } from '../../adapters/aws/metrics-outcome-sink';
import { DynamoDbOutcomeJournal } from '../../adapters/aws/dynamodb-outcome-journal';
import { DataverseSession, DataverseWriter } from '../../adapters/dataverse/dataverse-writer';
import { createIntegrationLogSinkFromEnv } from '../../adapters/dataverse/integration-log-sink';
import type { OutcomeSink } from '../../core/ports';
import { fanOutOutcomes } from '../../core/sync/outcome-fan-out';
import { dataverseTokenSource, type DataverseEnv } from './dataverse-deps';
import { clock, dynamo, once } from './aws-clients';
import type { EnvReader } from './env';
import { DataverseSweepFinder } from '../../adapters/dataverse/dataverse-sweep-finder';
import { noteOwnOutcomeWrites } from '../../core/sweep/own-writes';
import { ownWriteNotes } from './own-write-notes';
import { loggerPort, metrics } from './powertools';

export const syncState = once(
  (env: EnvReader<'SYNC_STATE_TABLE'>) => new DynamoDbSyncState(dynamo(), env.require('SYNC_STATE_TABLE'))
);

/** The status page's outcome journal: buffers, and the handler flushes it once per SQS batch. */
export const outcomeJournal = once(
  (env: EnvReader<'SYNC_STATE_TABLE'>) =>
    new DynamoDbOutcomeJournal(dynamo(), env.require('SYNC_STATE_TABLE'), clock, loggerPort)
);

type OutcomesEnv = DataverseEnv &
  EnvReader<
    'SYNC_STATE_TABLE',
    | 'DATAVERSE_LOG_MODE'
    | 'DATAVERSE_WRITE_BACK'
    | 'DATAVERSE_PUBLISHER_PREFIX'
    | 'DATAVERSE_LOG_ENTITY_SET'
    | 'DATAVERSE_LOG_REGARDING_NAVIGATION'
  >;

/** Metrics and log lines, the outcome journal, plus the Dataverse integration-log table unless DATAVERSE_LOG_MODE=off. */
export const outcomes = once((env: OutcomesEnv): OutcomeSink => {
  const writer = new DataverseWriter(
    new DataverseSession({
      serverUrl: env.require('DATAVERSE_URL'),
      tokenSource: dataverseTokenSource(env),
      logger: loggerPort,
    })
  );
  const integrationLog = createIntegrationLogSinkFromEnv(
    {
      DATAVERSE_LOG_MODE: env.optional('DATAVERSE_LOG_MODE'),
      DATAVERSE_WRITE_BACK: env.optional('DATAVERSE_WRITE_BACK'),
      DATAVERSE_PUBLISHER_PREFIX: env.optional('DATAVERSE_PUBLISHER_PREFIX'),
      DATAVERSE_LOG_ENTITY_SET: env.optional('DATAVERSE_LOG_ENTITY_SET'),
      DATAVERSE_LOG_REGARDING_NAVIGATION: env.optional('DATAVERSE_LOG_REGARDING_NAVIGATION'),
    },
    { writer, logger: loggerPort }
  );
  // The integration log writes onto the synced record: noted, so the catch-up sweep does not re-sync it for that.
  const ownWrites = {
    sightings: ownWriteNotes(env), // written per batch: handlers wrap themselves in flushingOwnWriteNotes
    versions: new DataverseSweepFinder({
      serverUrl: env.require('DATAVERSE_URL'),
      tokenSource: dataverseTokenSource(env),
      logger: loggerPort,
    }),
    logger: loggerPort,
  };
  const sinks: OutcomeSink[] = [
    new MetricsOutcomeSink(metrics, loggerPort),
    outcomeJournal(env),
    ...(integrationLog ? [noteOwnOutcomeWrites(integrationLog, ownWrites)] : []),
  ];
  return fanOutOutcomes(sinks, loggerPort);
});

// The queues moved to queue-deps.ts; re-exported for the handlers that import them from here.
export { changeQueue, writeQueue } from './queue-deps';
