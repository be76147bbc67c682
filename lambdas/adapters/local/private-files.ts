/**
 * Local state holds the Xero refresh token (plain JSON in SQLite) and customer data, so only its owner may read it:
 * DATA_DIR is created 0700, every SQLite file (with its -wal and -shm companions) 0600, and an existing DATA_DIR
 * that group or others can enter is refused with the command that fixes it. An operator's own 0700 directory is
 * kept as it is. Windows has no POSIX modes; there the checks are skipped.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { ValidationError } from '../../core/errors';

const POSIX = process.platform !== 'win32';

/** Creates `dir` 0700 if missing; refuses one that group or others can access. */
export function ensurePrivateDir(dir: string, label = 'DATA_DIR'): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (POSIX) chmodSync(dir, 0o700); // the umask may have cleared bits, never added: this only makes sure
    return;
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new ValidationError(`${label} ${dir} is not a directory`, [label]);
  if (POSIX && (stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
    throw new ValidationError(
      `${label} ${dir} can be read by other users (mode ${mode}); it holds the Xero refresh token and customer ` +
        `data. Fix it with: chmod 700 '${dir.replace(/'/g, `'\\''`)}'`,
      [label]
    );
  }
}

/** Creates a database file 0600 before SQLite opens it (SQLite gives -wal/-shm the main file's mode). */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  if (POSIX) chmodSync(path, 0o600);
}

/** After opening in WAL mode: the companions exist now; make sure they are owner-only too. */
export function restrictSqliteCompanions(path: string): void {
  if (!POSIX) return;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(`${path}${suffix}`)) chmodSync(`${path}${suffix}`, 0o600);
  }
}
