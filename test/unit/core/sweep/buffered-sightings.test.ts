import { BufferedChangeSightings } from '../../../../lambdas/core/sweep/buffered-sightings';
import { MemoryChangeSightings } from '../../../../lambdas/core/sweep/memory-change-sightings';
import type { SightingNote } from '../../../../lambdas/core/sweep/ports';
import { recordingLogger } from '../../../helpers/in-memory-ports';

const id = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A store that records each noteMany call's notes. */
class CountingSightings extends MemoryChangeSightings {
  readonly batches: SightingNote[][] = [];
  failNext = false;
  override async noteMany(notes: readonly SightingNote[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('DynamoDB unavailable');
    }
    this.batches.push([...notes]);
    await super.noteMany(notes);
  }
}

describe('BufferedChangeSightings', () => {
  it('should hand the store one call per 25 records and the rest at flush, nothing before', async () => {
    const store = new CountingSightings();
    const buffer = new BufferedChangeSightings(store, recordingLogger());
    for (let n = 1; n <= 60; n++) await buffer.note('account', id(n), 'own', '2026-11-26T10:00:03.000Z');
    expect(store.batches.map((b) => b.length)).toEqual([25, 25]);
    await buffer.flush();
    await buffer.flush();
    expect(store.batches.map((b) => b.length)).toEqual([25, 25, 10]);
    expect(await store.get('account', id(60))).toEqual({ own: '2026-11-26T10:00:03.000Z' });
  });

  it('should keep the later instant of a record noted twice, and answer with what still waits', async () => {
    const store = new CountingSightings();
    await store.note('salesorder', id(1), 'delivered', '2026-11-26T10:00:00Z');
    const buffer = new BufferedChangeSightings(store, recordingLogger());
    await buffer.note('salesorder', id(1), 'own', '2026-11-26T10:00:05Z');
    await buffer.note('salesorder', id(1).toUpperCase(), 'own', '2026-11-26T10:00:02Z');
    expect(await buffer.get('salesorder', id(1))).toEqual({
      delivered: '2026-11-26T10:00:00Z',
      own: '2026-11-26T10:00:05Z',
    });
    await buffer.flush();
    expect(store.batches).toEqual([[{ table: 'salesorder', id: id(1), kind: 'own', at: '2026-11-26T10:00:05Z' }]]);
  });

  it('should log a failed write instead of throwing, and not write those notes again', async () => {
    const store = new CountingSightings();
    const logger = recordingLogger();
    const buffer = new BufferedChangeSightings(store, logger);
    await buffer.note('account', id(1), 'own', '2026-11-26T10:00:05Z');
    store.failNext = true;
    await expect(buffer.flush()).resolves.toBeUndefined();
    expect(logger.lines.some((line) => line.startsWith('warn change sightings not recorded'))).toBe(true);
    await buffer.flush();
    expect(store.batches).toEqual([]);
  });
});
