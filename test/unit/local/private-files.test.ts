import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openConnectionDatabase } from '../../../lambdas/adapters/local/sqlite-connection-store';
import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { ensurePrivateDir } from '../../../lambdas/adapters/local/private-files';
import { ValidationError } from '../../../lambdas/core/errors';
import { tempDir } from '../../helpers/temp-dir';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const posix = process.platform !== 'win32';
const itPosix = posix ? it : it.skip;

describe('private local state', () => {
  const root = tempDir('private-files');
  afterAll(() => root.remove());

  itPosix('should create DATA_DIR 0700 and every SQLite file 0600, -wal and -shm included', () => {
    const dataDir = join(root.dir, 'fresh', 'data');
    const previous = process.umask(0o022);
    try {
      const db = openDatabase({ dataDir });
      db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      const connection = openConnectionDatabase(join(dataDir, 'connection.db'));
      connection.exec("INSERT INTO used_nonce VALUES ('n', 1)");
      expect(modeOf(dataDir)).toBe(0o700);
      for (const file of [
        'connector.db',
        'connector.db-wal',
        'connector.db-shm',
        'connection.db',
        'connection.db-wal',
      ]) {
        expect([file, modeOf(join(dataDir, file)).toString(8)]).toEqual([file, '600']);
      }
      db.close();
      connection.close();
    } finally {
      process.umask(previous);
    }
  });

  itPosix('should refuse a group- or world-accessible DATA_DIR and say how to fix it', () => {
    const open = join(root.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect(() => openDatabase({ dataDir: open })).toThrow(ValidationError);
    expect(() => ensurePrivateDir(open)).toThrow(/mode 755.*chmod 700 '.*open'/);
    chmodSync(open, 0o750);
    expect(() => ensurePrivateDir(open)).toThrow(/mode 750/);
  });

  itPosix("should keep an operator's existing 0700 DATA_DIR as it is", () => {
    const mine = join(root.dir, 'mine');
    mkdirSync(mine, { mode: 0o700 });
    chmodSync(mine, 0o700);
    expect(() => ensurePrivateDir(mine)).not.toThrow();
    openDatabase({ dataDir: mine }).close();
    expect(modeOf(mine)).toBe(0o700);
  });
});
