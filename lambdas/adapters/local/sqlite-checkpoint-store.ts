import type { CheckpointStore } from '../../core/writeback/ports';
import { migrate, type SqliteDatabase } from './sqlite-database';

/** Named checkpoints (e.g. how far the Xero invoice poll has read), kept across restarts. */
export class SqliteCheckpointStore implements CheckpointStore {
  constructor(private readonly db: SqliteDatabase) {
    migrate(db, 'checkpoints', [
      { version: 1, sql: 'CREATE TABLE checkpoints (name TEXT PRIMARY KEY, value TEXT NOT NULL)' },
    ]);
  }

  async load(name: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT value FROM checkpoints WHERE name = ?').get(name) as
      { value: string } | undefined;
    return row?.value;
  }

  async save(name: string, checkpoint: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO checkpoints (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'
      )
      .run(name, checkpoint);
  }
}
