import { join } from 'node:path';
import {
  SqliteConnectionStore,
  SqlitePendingConsentStore,
  SqliteUsedNonceStore,
  openConnectionDatabase,
} from '../../../../lambdas/adapters/local/sqlite-connection-store';
import { singleTenantShape, storedConnection } from '../../../helpers/stored-connection';
import { tempDir } from '../../../helpers/temp-dir';

const record = storedConnection({
  accessToken: 'a',
  refreshToken: 'r',
  expiresAt: '2026-01-01T00:30:00.000Z',
  scope: 's',
});
const oldShape = singleTenantShape(record);

describe('SQLite connection stores', () => {
  it('should keep the connection across reopening a database file', async () => {
    const temp = tempDir('conn-store');
    try {
      const file = join(temp.dir, 'state.db');
      const first = openConnectionDatabase(file);
      await new SqliteConnectionStore(first).save(record);
      const replaced = { ...record, connection: { ...record.connection, state: 'reconnect_required' as const } };
      await new SqliteConnectionStore(first).save(replaced);
      first.close();
      const second = openConnectionDatabase(file);
      await expect(new SqliteConnectionStore(second).load()).resolves.toEqual(replaced);
      await new SqliteConnectionStore(second).clear();
      await expect(new SqliteConnectionStore(second).load()).resolves.toBeNull();
      second.close();
    } finally {
      temp.remove();
    }
  });

  it('should read a connection stored before several organisations as its one organisation', async () => {
    const db = openConnectionDatabase(':memory:');
    db.prepare('INSERT INTO xero_connection (id, body, updated_at) VALUES (1, ?, ?)').run(
      JSON.stringify(oldShape),
      '2026-01-01T00:00:00.000Z'
    );
    await expect(new SqliteConnectionStore(db).load()).resolves.toEqual(record);
    db.close();
  });

  it('should hand out a pending consent once', async () => {
    const db = openConnectionDatabase(':memory:');
    const store = new SqlitePendingConsentStore(db);
    const pending = { id: 'p1', tokens: record.tokens, tenants: [], expiresAt: '2999-01-01T00:00:00.000Z' };
    await store.put(pending);
    await expect(store.take('p1')).resolves.toEqual(pending);
    await expect(store.take('p1')).resolves.toBeNull();
    db.close();
  });

  it('should accept a nonce once until it expires', async () => {
    const db = openConnectionDatabase(':memory:');
    let now = new Date('2026-01-01T00:00:00.000Z');
    const nonces = new SqliteUsedNonceStore(db, () => now);
    const until = new Date('2026-01-01T00:10:00.000Z');
    await expect(nonces.consume('n1', until)).resolves.toBe(true);
    await expect(nonces.consume('n1', until)).resolves.toBe(false);
    await expect(nonces.consume('n2', until)).resolves.toBe(true);
    now = new Date('2026-01-01T00:11:00.000Z');
    // Forgotten after expiry: harmless, because the signer refuses expired tokens before consuming the nonce.
    await expect(nonces.consume('n1', new Date('2026-01-01T00:20:00.000Z'))).resolves.toBe(true);
    db.close();
  });
});
