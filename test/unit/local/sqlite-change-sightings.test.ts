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
});
