/** The pipeline's own state and queues on AWS. */
import { DynamoDbSyncState } from '../../adapters/aws/dynamodb-sync-state';
import { MetricsOutcomeSink } from '../../adapters/aws/metrics-outcome-sink';
import { SqsChangeQueue, SqsWriteQueue } from '../../adapters/aws/sqs-queues';
import { dynamo, once, requireEnv, sqs } from './aws-clients';
import { loggerPort, metrics } from './powertools';

export const syncState = once(() => new DynamoDbSyncState(dynamo(), requireEnv('SYNC_STATE_TABLE')));
export const outcomes = once(() => new MetricsOutcomeSink(metrics, loggerPort));
export const changeQueue = once(() => new SqsChangeQueue(sqs(), requireEnv('CHANGES_QUEUE_URL')));
export const writeQueue = once(() => new SqsWriteQueue(sqs(), requireEnv('WRITES_QUEUE_URL')));
