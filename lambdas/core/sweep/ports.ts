/**
 * Ports of the catch-up sweep. Adapters: lambdas/adapters/dataverse/dataverse-sweep-finder.ts (the query),
 * lambdas/adapters/{local,aws}/*-change-sightings.ts (what the connector has seen); tests use in-memory fakes.
 */
import type { SyncedTable } from '../model/change-event';

/** One record a sweep query found: its id and the modifiedon Dataverse reports now. */
export interface FoundChange {
  readonly id: string;
  readonly modifiedon: string;
}

export interface FoundChanges {
  /** Oldest change first (ordered by modifiedon). */
  readonly changes: readonly FoundChange[];
  /** True when the page budget ran out before the last page: more changes wait for the next run. */
  readonly truncated: boolean;
}

/** Records of a table modified at or after an instant (Web API `$filter=modifiedon ge …`). */
export interface ModifiedRecordFinder {
  findModifiedSince(table: SyncedTable, since: string): Promise<FoundChanges>;
}

/** The current modifiedon of one record (`undefined` when it no longer exists). */
export interface RecordVersionReader {
  modifiedOn(table: SyncedTable, id: string): Promise<string | undefined>;
}

/**
 * How a change reached the connector: `delivered` = a webhook it accepted (or the sweep itself queued it), `own` =
 * a webhook of a change the connector made itself (ignored on purpose to avoid loops).
 */
export type SightingKind = 'delivered' | 'own';

/** The latest instant of each kind at which the connector saw the record change (ISO 8601 UTC). */
export interface RecordSightings {
  readonly delivered?: string;
  readonly own?: string;
}

export interface SightingNote {
  readonly table: SyncedTable;
  readonly id: string;
  readonly kind: SightingKind;
  readonly at: string;
}

/** Remembers, per record, the latest change the connector has seen. Implementations keep the maximum per kind. */
export interface ChangeSightings {
  note(table: SyncedTable, id: string, kind: SightingKind, at: string): Promise<void>;
  /**
   * Many notes at once (a batch's own writes: one DynamoDB request per 25 instead of one per record). The latest
   * instant per record and kind among `notes` is kept, but against a concurrent writer of the same record an
   * implementation may leave the earlier one (DynamoDB's BatchWriteItem takes no condition). That is safe: a
   * sighting only ever spares the sweep work, so an earlier instant costs one re-sync at most and hides nothing.
   */
  noteMany(notes: readonly SightingNote[]): Promise<void>;
  get(table: SyncedTable, id: string): Promise<RecordSightings>;
}
