/** The SQS queues as the core's ports; apart from sync-deps so the webhook function bundles no Dataverse client. */
import { SqsChangeQueue, SqsWriteQueue } from '../../adapters/aws/sqs-queues';
import { once, sqs } from './aws-clients';
import type { EnvReader } from './env';

export const changeQueue = once(
  (env: EnvReader<'CHANGES_QUEUE_URL'>) => new SqsChangeQueue(sqs(), env.require('CHANGES_QUEUE_URL'))
);
export const writeQueue = once(
  (env: EnvReader<'WRITES_QUEUE_URL'>) => new SqsWriteQueue(sqs(), env.require('WRITES_QUEUE_URL'))
);
