/**
 * The connector's own writes to Dataverse records, remembered as `own` sightings so the sweep does not take them for
 * changes (see judge-found-change.ts): the sync status written back onto a synced record by the integration-log sink,
 * and the Xero invoice columns written back onto an order. Wrappers, so the writers themselves stay unaware.
 *
 * The instant noted is the record's modifiedon read right after the write (Dataverse stamps it with its own clock,
 * so no clock of ours is compared with it): a user's change after the write stays a change. When it cannot be read,
 * nothing is noted and the sweep re-syncs the record once, which costs a read and settles.
 */
import { describeError } from '../errors';
import type { SyncedTable } from '../model/change-event';
import type { Logger, OutcomeSink } from '../ports';
import type { OrderWriteback } from '../writeback/ports';
import type { ChangeSightings, RecordVersionReader } from './ports';

interface OwnWriteDeps {
  readonly sightings: ChangeSightings;
  readonly versions: RecordVersionReader;
  readonly logger: Logger;
}

async function noteOwnWrite(deps: OwnWriteDeps, table: SyncedTable, id: string): Promise<void> {
  try {
    const version = await deps.versions.modifiedOn(table, id);
    if (version !== undefined) await deps.sightings.note(table, id, 'own', version);
  } catch (error) {
    deps.logger.warn('own write not noted for the sweep', { table, id, error: describeError(error) });
  }
}

/** An outcome sink that writes onto the synced record (the Dataverse integration log), noted after each outcome. */
export function noteOwnOutcomeWrites(sink: OutcomeSink, deps: OwnWriteDeps): OutcomeSink {
  return {
    async record(outcome) {
      await sink.record(outcome);
      await noteOwnWrite(deps, outcome.table, outcome.id);
    },
  };
}

/** The Xero → Dataverse order write-back, noted after each order it updated. */
export function noteOwnOrderWrites<T extends OrderWriteback>(orders: T, deps: OwnWriteDeps): T {
  // Every other method is inherited unchanged, whatever the writer offers besides updateOrder.
  const wrapped = Object.create(orders) as T;
  wrapped.updateOrder = async (salesOrderId, changes, columns) => {
    const result = await orders.updateOrder(salesOrderId, changes, columns);
    if (result === 'updated') await noteOwnWrite(deps, 'salesorder', salesOrderId);
    return result;
  };
  return wrapped;
}
