/**
 * The map stage over one batch of changes (up to 10 from SQS, as many as the local worker takes): each change is
 * still mapped alone by map-change.ts, in order; around it the batch's I/O is done together, so a batch costs a few
 * requests instead of a few per change.
 *
 * 1. Read at once the sync state the plans ask for (a contact's previous parent account; a deleted record's Xero
 *    key): one getMany. Other state a plan asks for is read when asked and kept for the batch.
 * 2. Map each change (map-change.ts) against that state, holding back its Xero writes, forwarded changes and state
 *    writes; a later change of the batch sees the state an earlier one wrote.
 * 3. Finish: send every held Xero write in one enqueue (the SQS adapter packs them ≤10 messages and ≤256 KB a
 *    request), then the forwarded changes in one, then write the state with one putMany.
 * 4. A change whose held part failed to go out is answered with that failure (the runner retries it and holds back
 *    its record's later changes). Parts of it that went out are sent again on the retry: the FIFO changes queue
 *    drops a repeated deduplication id, and the post stage never writes an older version over a newer one.
 */
import { describeError } from '../errors';
import type { ChangeEvent } from '../model/change-event';
import type { WorkResult, XeroWrite } from '../model/xero-write';
import type { ChangeQueue, SyncRecord, SyncRecordRef, SyncStateStore, WriteQueue } from '../ports';
import type { ChangeBatch, StartChangeBatch } from '../work/work-runners';
import { workResultOf } from '../work/work-result';
import { createMapChange, type MapChangeDeps } from './map-change';

export function createMapBatch(deps: MapChangeDeps): StartChangeBatch {
  return async (events) => {
    const held = new HeldOutput(deps.state);
    await held.readAhead(events.filter(readsOwnState).map(({ table, id }) => ({ table, id })));
    const mapChange = createMapChange({ ...deps, state: held.state, writes: held.writes, changes: held.changes });
    return {
      map: (event) => held.on(event, () => mapChange(event)),
      finish: () => held.finish(deps),
    } satisfies ChangeBatch;
  };
}

/**
 * The changes whose plan reads their own record's state (plan-change.ts): a contact (its previous parent) and a
 * deletion (the Xero key of what to archive or cancel). An account update, the bulk case, reads none.
 */
function readsOwnState(event: ChangeEvent): boolean {
  return event.table === 'contact' || event.message === 'Delete';
}

interface Held<T> {
  readonly event: ChangeEvent;
  readonly value: T;
}

/** A batch's sends and state writes, held in memory with the change that made each. */
class HeldOutput {
  private current: ChangeEvent | undefined;
  private readonly known = new Map<string, SyncRecord | null>();
  private readonly heldWrites: Held<XeroWrite>[] = [];
  private readonly heldChanges: Held<ChangeEvent>[] = [];
  private readonly heldState = new Map<string, Held<SyncRecord>>();

  constructor(private readonly store: SyncStateStore) {}

  async readAhead(refs: readonly SyncRecordRef[]): Promise<void> {
    if (refs.length === 0) return;
    const found = await this.store.getMany(refs);
    refs.forEach((ref, index) => this.known.set(keyOf(ref), found[index] ?? null));
  }

  /** Runs `work` for `event`: what it holds back is the event's. */
  async on<T>(event: ChangeEvent, work: () => Promise<T>): Promise<T> {
    this.current = event;
    try {
      return await work();
    } finally {
      this.current = undefined;
    }
  }

  private owner(): ChangeEvent {
    if (!this.current) throw new Error('held output written outside a change');
    return this.current;
  }

  readonly writes: WriteQueue = {
    enqueue: async (writes) => {
      const event = this.owner();
      this.heldWrites.push(...writes.map((value) => ({ event, value })));
    },
  };

  readonly changes: ChangeQueue = {
    enqueue: async (changes) => {
      const event = this.owner();
      this.heldChanges.push(...changes.map((value) => ({ event, value })));
    },
  };

  readonly state: SyncStateStore = {
    get: async (table, id, tenantId) => {
      const key = keyOf({ table, id, tenantId });
      const written = this.heldState.get(key);
      if (written) return written.value;
      if (!this.known.has(key)) this.known.set(key, await this.store.get(table, id, tenantId));
      return this.known.get(key) ?? null;
    },
    getMany: async (refs) => Promise.all(refs.map((ref) => this.state.get(ref.table, ref.id, ref.tenantId))),
    put: async (record) => {
      this.heldState.set(keyOf(record), { event: this.owner(), value: record });
    },
    putMany: async (records) => {
      for (const record of records) await this.state.put(record);
    },
  };

  /** Step 3 and 4: every held part goes out; the changes whose part failed, with the failure. */
  async finish(deps: Pick<MapChangeDeps, 'writes' | 'changes' | 'state' | 'logger'>) {
    const failures = new Map<ChangeEvent, WorkResult>();
    const send = async <T>(what: string, held: readonly Held<T>[], go: (values: T[]) => Promise<void>) => {
      if (held.length === 0) return;
      try {
        await go(held.map((h) => h.value));
      } catch (error) {
        deps.logger.warn('map stage batch not sent', { what, count: held.length, error: describeError(error) });
        for (const { event } of held) if (!failures.has(event)) failures.set(event, workResultOf(error));
      }
    };
    await send('xero writes', this.heldWrites, (writes) => deps.writes.enqueue(writes));
    await send('forwarded changes', this.heldChanges, (changes) => deps.changes.enqueue(changes));
    await send('sync state', [...this.heldState.values()], (records) => deps.state.putMany(records));
    return failures;
  }
}

/** A record's state is per organisation when routing is on (core/routing/tenant-state.ts): the tenant is in the key. */
function keyOf(ref: SyncRecordRef): string {
  return `${ref.table}:${ref.id.toLowerCase()}:${ref.tenantId?.toLowerCase() ?? ''}`;
}
