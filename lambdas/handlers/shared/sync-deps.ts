/** The pipeline's own state and queues on AWS. */
import { DynamoDbSyncState } from '../../adapters/aws/dynamodb-sync-state';
import { MetricsOutcomeSink } from '../../adapters/aws/metrics-outcome-sink';
import { SqsChangeQueue, SqsWriteQueue } from '../../adapters/aws/sqs-queues';
import { DataverseSession, DataverseWriter } from '../../adapters/dataverse/dataverse-writer';
import { createIntegrationLogSinkFromEnv } from '../../adapters/dataverse/integration-log-sink';
import type { OutcomeSink } from '../../core/ports';
import { fanOutOutcomes } from '../../core/sync/outcome-fan-out';
import { dataverseTokenSource } from './dataverse-deps';
import { dynamo, once, requireEnv, sqs } from './aws-clients';
import { DataverseSweepFinder } from '../../adapters/dataverse/dataverse-sweep-finder';
import { DynamoDbChangeSightings } from '../../adapters/aws/dynamodb-change-sightings';
import { noteOwnOutcomeWrites } from '../../core/sweep/own-writes';
import { loggerPort, metrics } from './powertools';

export const syncState = once(() => new DynamoDbSyncState(dynamo(), requireEnv('SYNC_STATE_TABLE')));
let outcomeSink: Promise<OutcomeSink> | undefined;
/** Metrics and log lines, plus the Dataverse integration-log table unless DATAVERSE_LOG_MODE=off. */
export function outcomes(): Promise<OutcomeSink> {
  outcomeSink ??= (async () => {
    const writer = new DataverseWriter(
      new DataverseSession({
        serverUrl: requireEnv('DATAVERSE_URL'),
        tokenSource: await dataverseTokenSource(),
        logger: loggerPort,
      })
    );
    const integrationLog = createIntegrationLogSinkFromEnv(process.env, { writer, logger: loggerPort });
    // The integration log writes onto the synced record: noted, so the catch-up sweep does not re-sync it for that.
    const ownWrites = {
      sightings: new DynamoDbChangeSightings(dynamo(), requireEnv('SYNC_STATE_TABLE')),
      versions: new DataverseSweepFinder({
        serverUrl: requireEnv('DATAVERSE_URL'),
        tokenSource: await dataverseTokenSource(),
        logger: loggerPort,
      }),
      logger: loggerPort,
    };
    const sinks: OutcomeSink[] = [
      new MetricsOutcomeSink(metrics, loggerPort),
      ...(integrationLog ? [noteOwnOutcomeWrites(integrationLog, ownWrites)] : []),
    ];
    return fanOutOutcomes(sinks, loggerPort);
  })();
  return outcomeSink;
}
export const changeQueue = once(() => new SqsChangeQueue(sqs(), requireEnv('CHANGES_QUEUE_URL')));
export const writeQueue = once(() => new SqsWriteQueue(sqs(), requireEnv('WRITES_QUEUE_URL')));
