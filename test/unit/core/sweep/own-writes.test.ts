import { MemoryChangeSightings } from '../../../../lambdas/core/sweep/memory-change-sightings';
import { noteOwnOrderWrites, noteOwnOutcomeWrites } from '../../../../lambdas/core/sweep/own-writes';
import type { OrderWriteback } from '../../../../lambdas/core/writeback/ports';
import { resolveWritebackColumns } from '../../../../lambdas/core/writeback/columns';
import { RecordingOutcomes, recordingLogger } from '../../../helpers/in-memory-ports';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
/** Dataverse's modifiedon after the connector's write, per record; a record missing from the map is gone. */
const deps = (versions: Record<string, string> = { [ID]: '2026-11-26T10:00:03.000Z' }) => ({
  sightings: new MemoryChangeSightings(),
  versions: { modifiedOn: async (_table: string, id: string) => versions[id] },
  logger: recordingLogger(),
});

describe('own writes noted for the sweep', () => {
  it("should note the record's modifiedon after the outcome sink wrote onto it", async () => {
    const d = deps();
    const sink = new RecordingOutcomes();
    await noteOwnOutcomeWrites(sink, d).record({
      table: 'account',
      id: ID,
      status: 'synced',
      message: 'updated contact',
      event: 'Update',
    });
    expect(sink.outcomes).toHaveLength(1);
    expect(await d.sightings.get('account', ID)).toEqual({ own: '2026-11-26T10:00:03.000Z' });
  });

  it('should note an order the write-back updated, and not one it did not find', async () => {
    const d = deps();
    const orders: OrderWriteback = {
      findOrderByNumber: async () => null,
      updateOrder: async (id) => (id === ID ? 'updated' : 'not-found'),
    };
    const wrapped = noteOwnOrderWrites(orders, d);
    const columns = resolveWritebackColumns();
    expect(await wrapped.updateOrder(ID, { status: 'PAID' }, columns)).toBe('updated');
    expect(await wrapped.updateOrder('bbbbbbbb-0000-4000-8000-000000000002', {}, columns)).toBe('not-found');
    expect(await wrapped.findOrderByNumber('SO-1', columns)).toBeNull();
    expect(await d.sightings.get('salesorder', ID)).toEqual({ own: '2026-11-26T10:00:03.000Z' });
    expect(await d.sightings.get('salesorder', 'bbbbbbbb-0000-4000-8000-000000000002')).toEqual({});
  });
});
