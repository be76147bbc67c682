/**
 * Webhook ingest remembers what it delivered, so the sweep can tell a change it finds from one a webhook brought.
 * A wrapper around the changes queue: a webhook change is noted only after the queue accepted it. A failure to note
 * never fails the webhook (the sweep would then queue the change once more, which the pipeline absorbs).
 */
import { describeError } from '../errors';
import type { ChangeEvent, SyncedTable } from '../model/change-event';
import type { ChangeQueue, Logger } from '../ports';
import type { ChangeSightings } from './ports';

export function noteDeliveredChanges(queue: ChangeQueue, sightings: ChangeSightings, logger: Logger): ChangeQueue {
  return {
    async enqueue(events: readonly ChangeEvent[]) {
      await queue.enqueue(events);
      for (const event of events) {
        if (event.source !== 'dataverse-webhook') continue;
        await noteQuietly(sightings, logger, event.table, event.id, 'delivered', event.occurredAt);
      }
    },
  };
}

/** For a webhook the connector ignores because it made the change itself (see judge-found-change.ts). */
export function noteOwnChange(
  sightings: ChangeSightings,
  logger: Logger
): (table: SyncedTable, id: string, occurredAt: string) => Promise<void> {
  return (table, id, occurredAt) => noteQuietly(sightings, logger, table, id, 'own', occurredAt);
}

async function noteQuietly(
  sightings: ChangeSightings,
  logger: Logger,
  table: SyncedTable,
  id: string,
  kind: 'delivered' | 'own',
  at: string
): Promise<void> {
  try {
    await sightings.note(table, id, kind, at);
  } catch (error) {
    logger.warn('change sighting not recorded', { table, id, kind, error: describeError(error) });
  }
}
