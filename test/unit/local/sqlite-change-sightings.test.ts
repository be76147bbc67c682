import { SqliteChangeSightings } from '../../../lambdas/adapters/local/sqlite-change-sightings';
import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { tempDir } from '../../helpers/temp-dir';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';

describe('SqliteChangeSightings', () => {
  const folder = tempDir('sightings');
  afterAll(() => folder.remove());

  it('should keep the latest instant per record and kind, across a reopen', async () => {
    const db = openDatabase({ dataDir: folder.dir });
    const sightings = new SqliteChangeSightings(db);
    await sightings.note('salesorder', ID.toUpperCase(), 'delivered', '2026-11-26T10:00:05Z');
    await sightings.note('salesorder', ID, 'delivered', '2026-11-26T10:00:01.000Z');
    await sightings.note('salesorder', ID, 'own', '2026-11-26T09:00:00Z');
    db.close();

    const reopened = new SqliteChangeSightings(openDatabase({ dataDir: folder.dir }));
    expect(await reopened.get('salesorder', ID)).toEqual({
      delivered: '2026-11-26T10:00:05.000Z',
      own: '2026-11-26T09:00:00.000Z',
    });
    expect(await reopened.get('account', ID)).toEqual({});
  });

  it('should keep the latest instant of each note written together', async () => {
    const sightings = new SqliteChangeSightings(openDatabase({ dataDir: folder.dir }));
    await sightings.note('account', ID, 'own', '2026-11-26T10:00:05Z');
    await sightings.noteMany([
      { table: 'account', id: ID, kind: 'own', at: '2026-11-26T10:00:01Z' },
      { table: 'account', id: ID.toUpperCase(), kind: 'delivered', at: '2026-11-26T10:00:02Z' },
      { table: 'contact', id: ID, kind: 'own', at: '2026-11-26T10:00:03Z' },
    ]);
    expect(await sightings.get('account', ID)).toEqual({
      delivered: '2026-11-26T10:00:02.000Z',
      own: '2026-11-26T10:00:05.000Z',
    });
    expect(await sightings.get('contact', ID)).toEqual({ own: '2026-11-26T10:00:03.000Z' });
  });
});
