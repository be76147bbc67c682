/**
 * The catch-up sweep's notes of the connector's own Dataverse writes (core/sweep/own-writes.ts), one buffer per
 * container: the integration log's writes in the map and post stages and the write-back's order updates are noted
 * together, in BatchWriteItem requests of 25, instead of one UpdateItem per record. Handlers that write to Dataverse
 * wrap themselves in `flushingOwnWriteNotes` so what a batch noted is written before the invocation ends.
 */
import { DynamoDbChangeSightings } from '../../adapters/aws/dynamodb-change-sightings';
import { BufferedChangeSightings } from '../../core/sweep/buffered-sightings';
import { dynamo } from './aws-clients';
import type { EnvReader } from './env';
import { loggerPort } from './powertools';

let buffer: BufferedChangeSightings | undefined;

export function ownWriteNotes(env: EnvReader<'SYNC_STATE_TABLE'>): BufferedChangeSightings {
  buffer ??= new BufferedChangeSightings(
    new DynamoDbChangeSightings(dynamo(), env.require('SYNC_STATE_TABLE')),
    loggerPort
  );
  return buffer;
}

/** Runs the handler, then writes the notes its batch left (also when it threw: the writes to Dataverse happened). */
export function flushingOwnWriteNotes<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      await buffer?.flush();
    }
  };
}
