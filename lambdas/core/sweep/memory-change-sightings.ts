import type { SyncedTable } from '../model/change-event';
import type { ChangeSightings, RecordSightings, SightingKind, SightingNote } from './ports';

/** Sightings in memory: for tests and single-process use. Keeps the latest instant per record and kind. */
export class MemoryChangeSightings implements ChangeSightings {
  private readonly records = new Map<string, { delivered?: string; own?: string }>();

  async note(table: SyncedTable, id: string, kind: SightingKind, at: string): Promise<void> {
    const key = `${table}:${id.toLowerCase()}`;
    const current = this.records.get(key) ?? {};
    const previous = current[kind];
    if (previous === undefined || Date.parse(at) > Date.parse(previous)) current[kind] = at;
    this.records.set(key, current);
  }

  async noteMany(notes: readonly SightingNote[]): Promise<void> {
    for (const { table, id, kind, at } of notes) await this.note(table, id, kind, at);
  }

  async get(table: SyncedTable, id: string): Promise<RecordSightings> {
    return { ...this.records.get(`${table}:${id.toLowerCase()}`) };
  }
}
