import type { SyncedTable } from '../../core/model/change-event';
import type { ChangeSightings, RecordSightings, SightingKind, SightingNote } from '../../core/sweep/ports';
import { migrate, type SqliteDatabase } from './sqlite-database';

/** The latest change the connector has seen per record (webhook or sweep), one row per record. */
export class SqliteChangeSightings implements ChangeSightings {
  constructor(private readonly db: SqliteDatabase) {
    migrate(db, 'change_sightings', [
      {
        version: 1,
        sql:
          'CREATE TABLE change_sightings (table_name TEXT NOT NULL, id TEXT NOT NULL, delivered TEXT, own TEXT, ' +
          'PRIMARY KEY (table_name, id))',
      },
    ]);
  }

  async note(table: SyncedTable, id: string, kind: SightingKind, at: string): Promise<void> {
    this.write({ table, id, kind, at });
  }

  /** One transaction; each note keeps the later instant, as `note` does. */
  async noteMany(notes: readonly SightingNote[]): Promise<void> {
    this.db.transaction(() => notes.forEach((note) => this.write(note)))();
  }

  private write({ table, id, kind, at }: SightingNote): void {
    const instant = new Date(at).toISOString(); // one format, so text order is time order
    const column = kind === 'own' ? 'own' : 'delivered';
    this.db
      .prepare(
        `INSERT INTO change_sightings (table_name, id, ${column}) VALUES (?, ?, ?) ON CONFLICT (table_name, id) ` +
          `DO UPDATE SET ${column} = CASE WHEN ${column} IS NULL OR ${column} < excluded.${column} ` +
          `THEN excluded.${column} ELSE ${column} END`
      )
      .run(table, id.toLowerCase(), instant);
  }

  async get(table: SyncedTable, id: string): Promise<RecordSightings> {
    const row = this.db
      .prepare('SELECT delivered, own FROM change_sightings WHERE table_name = ? AND id = ?')
      .get(table, id.toLowerCase()) as { delivered: string | null; own: string | null } | undefined;
    return {
      ...(row?.delivered ? { delivered: row.delivered } : {}),
      ...(row?.own ? { own: row.own } : {}),
    };
  }
}
