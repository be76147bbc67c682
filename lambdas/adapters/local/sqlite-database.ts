/**
 * The local runtime's one SQLite database (`${DATA_DIR}/connector.db`). WAL mode lets the HTTP server and the
 * workers read while one of them writes; the busy timeout makes a briefly locked database wait instead of failing.
 * Each component owns its schema through numbered migrations recorded in `schema_version`, so opening is idempotent.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createPrivateFile, ensurePrivateDir, restrictSqliteCompanions } from './private-files';
import { systemNow } from '../system-clock';

export type SqliteDatabase = Database.Database;

export interface Migration {
  /** 1, 2, 3… in order; an applied version is never run again. */
  readonly version: number;
  readonly sql: string;
}

export interface OpenDatabaseOptions {
  /** Directory holding connector.db (created 0700 if missing; refused if group/world-accessible). Ignored when `memory` is true. Default: $DATA_DIR or ./.data */
  readonly dataDir?: string;
  /** An in-memory database, for tests. */
  readonly memory?: boolean;
  /** How long a write waits for a lock held by another connection. Default 5 s. */
  readonly busyTimeoutMs?: number;
}

export const DATABASE_FILE_NAME = 'connector.db';

/** Where the database file lives for a given data directory. */
export function databasePath(dataDir: string = process.env.DATA_DIR || './.data'): string {
  return join(dataDir, DATABASE_FILE_NAME);
}

/** Opens (or creates) the connector database and applies the built-in migrations of the local adapters. */
export function openDatabase(options: OpenDatabaseOptions = {}): SqliteDatabase {
  let db: SqliteDatabase;
  if (options.memory) {
    db = new Database(':memory:');
  } else {
    const dataDir = options.dataDir ?? (process.env.DATA_DIR || './.data');
    ensurePrivateDir(dataDir);
    createPrivateFile(databasePath(dataDir));
    db = new Database(databasePath(dataDir));
    db.pragma('journal_mode = WAL');
    restrictSqliteCompanions(databasePath(dataDir));
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Applies a component's migrations that have not run yet, each in its own transaction. Safe to call on every start
 * and from several adapters sharing one database: versions are tracked per component name.
 */
export function migrate(db: SqliteDatabase, component: string, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT NOT NULL)'
  );
  const current = db.prepare('SELECT version FROM schema_version WHERE component = ?').get(component) as
    { version: number } | undefined;
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const migration of sorted) {
    if (current && migration.version <= current.version) continue;
    db.transaction(() => {
      // Re-check inside the transaction: another connection may have migrated in the meantime.
      const now = db.prepare('SELECT version FROM schema_version WHERE component = ?').get(component) as
        { version: number } | undefined;
      if (now && migration.version <= now.version) return;
      db.exec(migration.sql);
      db.prepare(
        `INSERT INTO schema_version (component, version, applied_at) VALUES (?, ?, ?)
         ON CONFLICT(component) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`
      ).run(component, migration.version, systemNow().toISOString());
    }).immediate();
  }
}

/** The schema version a component has reached, 0 when none. */
export function schemaVersion(db: SqliteDatabase, component: string): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT version FROM schema_version WHERE component = ?').get(component) as
    { version: number } | undefined;
  return row?.version ?? 0;
}
