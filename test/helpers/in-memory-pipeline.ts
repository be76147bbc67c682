/**
 * The map stage → writes queue → post stage, all in memory (Dataverse and Xero stand-ins, sync state, queues): what
 * the Lambdas and the local runtime both run, without HTTP.
 */
import type { ChangeEvent, ChangeMessage, SyncedTable } from '../../lambdas/core/model/change-event';
import type { WorkResult } from '../../lambdas/core/model/xero-write';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../lambdas/core/settings';
import { createMapChange } from '../../lambdas/core/sync/map-change';
import { createPostWrites } from '../../lambdas/core/sync/post-writes';
import { InMemoryDataverse } from './in-memory-dataverse';
import { InMemorySyncState, RecordingOutcomes, RecordingQueues, fixedClock, recordingLogger } from './in-memory-ports';
import { InMemoryXero } from './in-memory-xero';

let sequence = 0;

/** A webhook change; each call gets its own dedupe id unless one is given. */
export function changeEvent(
  table: SyncedTable,
  id: string,
  message: ChangeMessage = 'Update',
  dedupeId = `op-${++sequence}`
): ChangeEvent {
  return { table, id, message, occurredAt: '2026-11-26T10:00:00Z', dedupeId, source: 'dataverse-webhook' };
}

export function inMemoryPipeline(settings: Partial<MappingSettings> = {}) {
  const dataverse = new InMemoryDataverse();
  const xero = new InMemoryXero();
  const state = new InMemorySyncState();
  const outcomes = new RecordingOutcomes();
  const queues = new RecordingQueues();
  const resolved = { ...DEFAULT_MAPPING_SETTINGS, ...settings };
  const logger = recordingLogger();
  const mapChange = createMapChange({
    reader: dataverse,
    state,
    settings: resolved,
    writes: queues,
    changes: queues,
    outcomes,
    logger,
  });
  const postWrites = createPostWrites({ xero, state, outcomes, settings: resolved, clock: fixedClock(), logger });
  /** Maps the events in order, then posts every write they queued; returns the map results, then the post results. */
  async function sync(...events: ChangeEvent[]): Promise<WorkResult[]> {
    const mapped: WorkResult[] = [];
    for (const event of events) mapped.push(await mapChange(event));
    const writes = queues.writes.splice(0);
    const posted = writes.length ? await postWrites(writes) : [];
    return [...mapped, ...posted];
  }
  return { dataverse, xero, state, outcomes, queues, sync };
}

type PostWritesDeps = Parameters<typeof createPostWrites>[0];

/** The post stage on in-memory ports; the test names the gateway and whatever else it checks. */
export function inMemoryPostWrites(deps: Pick<PostWritesDeps, 'xero'> & Partial<PostWritesDeps>) {
  return createPostWrites({
    state: new InMemorySyncState(),
    outcomes: new RecordingOutcomes(),
    settings: DEFAULT_MAPPING_SETTINGS,
    clock: fixedClock(),
    logger: recordingLogger(),
    ...deps,
  });
}
