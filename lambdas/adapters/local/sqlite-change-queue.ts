/**
 * The `ChangeQueue` port over the SQLite queue: one message per change, grouped by record so changes to one record
 * are processed in order, de-duplicated by the event's dedupeId (redelivered webhooks), and coalesced: a change of a
 * record that already has one waiting, untouched, adds nothing.
 */
import { ValidationError } from '../../core/errors';
import { CHANGE_MESSAGES, isSyncedTable, type ChangeEvent } from '../../core/model/change-event';
import type { ChangeQueue } from '../../core/ports';
import type { SqliteQueue } from './sqlite-queue';

export class SqliteChangeQueue implements ChangeQueue {
  constructor(private readonly queue: SqliteQueue) {}

  async enqueue(events: readonly ChangeEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.queue.send(
      'changes',
      events.map((event) => ({
        body: JSON.stringify(event),
        groupId: changeGroupId(event),
        dedupeId: event.dedupeId,
        // The map stage reads the record's current state, so a change still waiting covers any later one.
        coalesce: true,
      }))
    );
  }
}

/** FIFO scope of a change: one record. */
export function changeGroupId(event: Pick<ChangeEvent, 'table' | 'id'>): string {
  return `${event.table}:${event.id}`;
}

/** Reads a changes-queue message body back into a ChangeEvent; throws ValidationError on anything malformed. */
export function parseChangeEventBody(body: string): ChangeEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ValidationError('change message is not JSON');
  }
  const event = value as Partial<ChangeEvent> | null;
  const issues: string[] = [];
  if (!event || typeof event !== 'object') throw new ValidationError('change message is not an object');
  if (typeof event.table !== 'string' || !isSyncedTable(event.table)) issues.push('table');
  if (typeof event.id !== 'string' || event.id === '') issues.push('id');
  if (typeof event.message !== 'string' || !(CHANGE_MESSAGES as readonly string[]).includes(event.message))
    issues.push('message');
  if (typeof event.occurredAt !== 'string') issues.push('occurredAt');
  if (typeof event.dedupeId !== 'string') issues.push('dedupeId');
  if (typeof event.source !== 'string') issues.push('source');
  if (issues.length > 0) throw new ValidationError('change message is malformed', issues);
  return event as ChangeEvent;
}
