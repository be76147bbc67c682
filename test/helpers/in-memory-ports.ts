import type { ChangeEvent, SyncedTable } from '../../lambdas/core/model/change-event';
import type { XeroWrite } from '../../lambdas/core/model/xero-write';
import type {
  ChangeQueue,
  Clock,
  Logger,
  OutcomeSink,
  SyncOutcome,
  SyncRecord,
  SyncRecordRef,
  SyncStateStore,
  WriteQueue,
} from '../../lambdas/core/ports';

/** Keyed `table:id`, or `table:id:tenant` for a routed organisation's record (like the real stores). */
export class InMemorySyncState implements SyncStateStore {
  readonly records = new Map<string, SyncRecord>();
  async get(table: SyncedTable, id: string, tenantId?: string) {
    return this.records.get(stateKey({ table, id, tenantId })) ?? null;
  }
  async put(record: SyncRecord) {
    this.records.set(stateKey(record), record);
  }
  async getMany(refs: readonly SyncRecordRef[]) {
    return refs.map((ref) => this.records.get(stateKey(ref)) ?? null);
  }
  async putMany(records: readonly SyncRecord[]) {
    for (const record of records) this.records.set(stateKey(record), record);
  }
}

function stateKey(ref: SyncRecordRef): string {
  return ref.tenantId ? `${ref.table}:${ref.id}:${ref.tenantId}` : `${ref.table}:${ref.id}`;
}

export class RecordingOutcomes implements OutcomeSink {
  readonly outcomes: SyncOutcome[] = [];
  async record(outcome: SyncOutcome) {
    this.outcomes.push(outcome);
  }
}

export class RecordingQueues implements WriteQueue, ChangeQueue {
  readonly writes: XeroWrite[] = [];
  readonly changes: ChangeEvent[] = [];
  async enqueue(items: readonly (XeroWrite | ChangeEvent)[]) {
    for (const item of items) {
      if ('kind' in item) this.writes.push(item);
      else this.changes.push(item);
    }
  }
}

export const fixedClock = (iso = '2026-11-26T10:00:00.000Z'): Clock => ({ now: () => new Date(iso) });

export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** A logger that keeps every line (as text and as entries), so tests can assert on what was (and was not) logged. */
export function recordingLogger(): Logger & { lines: string[]; entries: LogEntry[] } {
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    entries.push({ level, message, ...(fields ? { fields } : {}) });
  };
  return { lines, entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
