/**
 * The Xero connection, pending tenant choices and used nonces in SQLite (better-sqlite3) for the one-machine
 * runtime. Each save is one statement, so it is atomic. Pass a file path or ':memory:'.
 */
import Database from 'better-sqlite3';
import { createPrivateFile, restrictSqliteCompanions } from './private-files';
import type { ConnectionStore, PendingConsentStore, UsedNonceStore } from '../../core/connection/ports';
import { withChosenTenants, type PendingConsent, type StoredConnection } from '../../core/connection/types';
import { systemNow } from '../system-clock';

export function openConnectionDatabase(pathOrMemory: string): Database.Database {
  const onDisk = pathOrMemory !== ':memory:';
  // It holds the refresh token: owner-only from the first byte.
  if (onDisk) createPrivateFile(pathOrMemory);
  const db = new Database(pathOrMemory);
  db.pragma('journal_mode = WAL');
  if (onDisk) restrictSqliteCompanions(pathOrMemory);
  db.exec(`
    CREATE TABLE IF NOT EXISTS xero_connection (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      body TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS xero_pending_consent (
      id TEXT PRIMARY KEY,
      body TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS used_nonce (
      nonce TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL
    );
  `);
  return db;
}

export class SqliteConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = systemNow
  ) {}

  async load(): Promise<StoredConnection | null> {
    const row = this.db.prepare('SELECT body FROM xero_connection WHERE id = 1').get() as { body: string } | undefined;
    // A record saved before several organisations were supported reads as its one organisation (read old, write new).
    return row ? withChosenTenants(JSON.parse(row.body) as StoredConnection) : null;
  }

  async save(record: StoredConnection): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO xero_connection (id, body, updated_at) VALUES (1, ?, ?)
         ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`
      )
      .run(JSON.stringify(record), this.now().toISOString());
  }

  async clear(): Promise<void> {
    this.db.prepare('DELETE FROM xero_connection').run();
  }
}

export class SqlitePendingConsentStore implements PendingConsentStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = systemNow
  ) {}

  async put(pending: PendingConsent): Promise<void> {
    this.db.prepare('DELETE FROM xero_pending_consent WHERE expires_at <= ?').run(this.now().getTime());
    this.db
      .prepare('INSERT OR REPLACE INTO xero_pending_consent (id, body, expires_at) VALUES (?, ?, ?)')
      .run(pending.id, JSON.stringify(pending), Date.parse(pending.expiresAt));
  }

  async take(id: string): Promise<PendingConsent | null> {
    const row = this.db.prepare('DELETE FROM xero_pending_consent WHERE id = ? RETURNING body').get(id) as
      { body: string } | undefined;
    return row ? (JSON.parse(row.body) as PendingConsent) : null;
  }
}

export class SqliteUsedNonceStore implements UsedNonceStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = systemNow
  ) {}

  async consume(nonce: string, expiresAt: Date): Promise<boolean> {
    this.db.prepare('DELETE FROM used_nonce WHERE expires_at <= ?').run(this.now().getTime());
    const result = this.db
      .prepare('INSERT OR IGNORE INTO used_nonce (nonce, expires_at) VALUES (?, ?)')
      .run(nonce, expiresAt.getTime());
    return result.changes === 1;
  }
}
