/**
 * Sightings held in memory and written together: a batch notes one own write per record it syncs, and on DynamoDB a
 * note each would cost one request per record. Notes go to `noteMany` when `maxPending` records wait (one full
 * BatchWriteItem) and at the end of the batch (`flush`, called by the handler); a note that is never written costs
 * the sweep one re-sync of its record, the same as a note that could not be read (own-writes.ts).
 *
 * 1. `note` keeps the latest instant per record and kind; a full buffer is written at once.
 * 2. `flush` hands what waits to the store in one call and empties the buffer; a failure is logged, never thrown
 *    (a missing note never fails or repeats a sync).
 */
import { describeError } from '../errors';
import type { SyncedTable } from '../model/change-event';
import type { Logger } from '../ports';
import type { ChangeSightings, RecordSightings, SightingKind, SightingNote } from './ports';

/** BatchWriteItem takes 25 items a request. */
const DEFAULT_MAX_PENDING = 25;

export class BufferedChangeSightings implements ChangeSightings {
  private pending = new Map<string, SightingNote>();

  constructor(
    private readonly store: ChangeSightings,
    private readonly logger: Logger,
    private readonly maxPending = DEFAULT_MAX_PENDING
  ) {}

  async note(table: SyncedTable, id: string, kind: SightingKind, at: string): Promise<void> {
    const key = `${kind}:${table}:${id.toLowerCase()}`;
    const previous = this.pending.get(key);
    if (previous === undefined || Date.parse(previous.at) < Date.parse(at))
      this.pending.set(key, { table, id, kind, at });
    if (this.pending.size >= this.maxPending) await this.flush();
  }

  async noteMany(notes: readonly SightingNote[]): Promise<void> {
    for (const { table, id, kind, at } of notes) await this.note(table, id, kind, at);
  }

  /** What the store has, with what still waits here. */
  async get(table: SyncedTable, id: string): Promise<RecordSightings> {
    const stored = await this.store.get(table, id);
    const waiting = (kind: SightingKind) => this.pending.get(`${kind}:${table}:${id.toLowerCase()}`)?.at;
    return { ...later(stored, 'delivered', waiting('delivered')), ...later(stored, 'own', waiting('own')) };
  }

  /** Writes every waiting note. Never throws. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const notes = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.store.noteMany(notes);
    } catch (error) {
      this.logger.warn('change sightings not recorded', { notes: notes.length, error: describeError(error) });
    }
  }
}

function later(stored: RecordSightings, kind: SightingKind, waiting: string | undefined): RecordSightings {
  const current = stored[kind];
  if (waiting === undefined || (current !== undefined && Date.parse(current) >= Date.parse(waiting))) {
    return current === undefined ? {} : { [kind]: current };
  }
  return { [kind]: waiting };
}
