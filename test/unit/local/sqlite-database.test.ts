import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databasePath, migrate, openDatabase, schemaVersion } from '../../../lambdas/adapters/local/sqlite-database';

describe('openDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'connector-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should create connector.db in the data directory, in WAL mode with a busy timeout', () => {
    const dataDir = join(dir, 'nested', 'data');
    const db = openDatabase({ dataDir, busyTimeoutMs: 1234 });
    expect(existsSync(databasePath(dataDir))).toBe(true);
    expect(databasePath(dataDir)).toBe(join(dataDir, 'connector.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    db.close();
  });

  it('should apply each migration once per component, across reopening the file', () => {
    const first = openDatabase({ dataDir: dir });
    migrate(first, 'widgets', [{ version: 1, sql: 'CREATE TABLE widgets (id TEXT PRIMARY KEY)' }]);
    first.prepare("INSERT INTO widgets VALUES ('w1')").run();
    first.close();

    const second = openDatabase({ dataDir: dir });
    migrate(second, 'widgets', [
      { version: 2, sql: 'ALTER TABLE widgets ADD COLUMN colour TEXT' },
      { version: 1, sql: 'CREATE TABLE widgets (id TEXT PRIMARY KEY)' },
    ]);
    migrate(second, 'gadgets', [{ version: 1, sql: 'CREATE TABLE gadgets (id TEXT)' }]);
    expect(schemaVersion(second, 'widgets')).toBe(2);
    expect(schemaVersion(second, 'gadgets')).toBe(1);
    expect(second.prepare('SELECT id, colour FROM widgets').all()).toEqual([{ id: 'w1', colour: null }]);
    second.close();
  });

  it('should roll back a failing migration and leave the version where it was', () => {
    const db = openDatabase({ memory: true });
    expect(schemaVersion(db, 'broken')).toBe(0);
    migrate(db, 'broken', [{ version: 1, sql: 'CREATE TABLE ok (id TEXT)' }]);
    expect(() =>
      migrate(db, 'broken', [{ version: 2, sql: 'CREATE TABLE half (id TEXT); CREATE TABLE ok (id TEXT);' }])
    ).toThrow();
    expect(schemaVersion(db, 'broken')).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });
});
