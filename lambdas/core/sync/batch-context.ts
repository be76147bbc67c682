import { ConnectorError, describeError, dispositionOf } from '../errors';
import type { XeroWrite, WorkResult, SourceRef } from '../model/xero-write';
import type {
  Clock,
  Logger,
  OutcomeSink,
  SyncRecord,
  SyncStateStore,
  SyncStatus,
  XeroGateway,
  XeroKeyKind,
} from '../ports';
import type { MappingSettings } from '../settings';
import type { XeroKeyIndex } from './xero-key-index';
import { workResultOf } from '../work/work-result';

export interface PostWritesDeps {
  readonly xero: XeroGateway;
  readonly state: SyncStateStore;
  readonly outcomes: OutcomeSink;
  readonly settings: MappingSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lets bulk runs of new records skip per-batch lookups; without it every unknown key is looked up. */
  readonly keyIndex?: XeroKeyIndex;
}

/**
 * Book-keeping for one batch of writes: which are settled, with what result, and the sync-state reads they share.
 * Every write is settled exactly once and produces exactly one outcome.
 */
export class BatchContext {
  private readonly results: (WorkResult | undefined)[];
  private readonly stateCache = new Map<string, Promise<SyncRecord | null>>();
  private shortCode?: Promise<string | undefined>;

  constructor(
    readonly writes: readonly XeroWrite[],
    readonly deps: PostWritesDeps
  ) {
    this.results = writes.map(() => undefined);
  }

  pending(kind?: XeroWrite['kind']): number[] {
    const indices: number[] = [];
    this.writes.forEach((write, index) => {
      if (this.results[index] === undefined && (kind === undefined || write.kind === kind)) indices.push(index);
    });
    return indices;
  }

  isSettled(index: number): boolean {
    return this.results[index] !== undefined;
  }

  write(index: number): XeroWrite {
    const write = this.writes[index];
    if (!write) throw new RangeError(`no write at ${index}`);
    return write;
  }

  stateOf(source: Pick<SourceRef, 'table' | 'id'>): Promise<SyncRecord | null> {
    const key = `${source.table}:${source.id}`;
    let cached = this.stateCache.get(key);
    if (!cached) {
      cached = this.deps.state.get(source.table, source.id);
      this.stateCache.set(key, cached);
    }
    return cached;
  }

  /** Sorts a phase's natural keys into known Xero ids and keys to look up (see KeyLookups). */
  keyLookups(kind: XeroKeyKind): KeyLookups {
    return new KeyLookups(this, kind);
  }

  /**
   * The keys that still need a lookup: a fresh key index may prove some absent, but only keys of records the
   * connector has never touched (`untouched`) — any other record may have a create of uncertain outcome behind it.
   */
  async keysToLookUp(kind: XeroKeyKind, keys: Iterable<string>, untouched: ReadonlySet<string>): Promise<string[]> {
    const all = [...keys];
    if (!this.deps.keyIndex) return all;
    const absent = await this.deps.keyIndex.provenAbsent(
      kind,
      all.filter((key) => untouched.has(key))
    );
    return all.filter((key) => !absent.has(key));
  }

  /**
   * Just before creating records in Xero: mark the untouched ones `creating`, so that if the outcome is lost (a
   * timeout, a crash) every later attempt, in any process, looks the record up instead of trusting a key index.
   */
  async markCreating(sources: readonly Pick<SourceRef, 'table' | 'id'>[]) {
    const now = this.deps.clock.now().toISOString();
    for (const source of sources) {
      if ((await this.stateOf(source)) !== null) continue;
      const record: SyncRecord = { table: source.table, id: source.id, status: 'creating', updatedAt: now };
      await this.deps.state.put(record);
      this.stateCache.set(`${source.table}:${source.id}`, Promise.resolve(record));
    }
  }

  async remember(
    source: SourceRef,
    fields: { xeroId?: string; xeroKey?: string; status: SyncStatus; message?: string }
  ) {
    const previous = await this.stateOf(source);
    const record: SyncRecord = {
      table: source.table,
      id: source.id,
      xeroId: fields.xeroId ?? previous?.xeroId,
      xeroKey: fields.xeroKey ?? previous?.xeroKey,
      version: newestVersion(previous?.version, source.version),
      status: fields.status,
      message: fields.message,
      updatedAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.state.put(record);
    this.stateCache.set(`${source.table}:${source.id}`, Promise.resolve(record));
  }

  /** A write reached Xero (or needed nothing): remember it and log the outcome. */
  async succeed(index: number, status: 'synced' | 'skipped', message: string, xero?: { id?: string; key?: string }) {
    const write = this.write(index);
    if (status === 'synced' || xero?.id) {
      await this.remember(write.source, { xeroId: xero?.id, xeroKey: xero?.key, status, message });
    }
    this.results[index] = { status: 'done' };
    await this.record(write, status, message, { xeroId: xero?.id });
  }

  /** A write failed: permanent failures go to the dead letters, the rest back to the queue or on pause. */
  async fail(index: number, error: unknown) {
    const write = this.write(index);
    const message = describeError(error);
    const disposition = dispositionOf(error);
    this.results[index] = workResultOf(error);
    if (disposition === 'permanent') await this.remember(write.source, { status: 'failed', message });
    await this.record(write, 'failed', message, {
      errorCode: error instanceof ConnectorError ? error.code : 'UNEXPECTED',
      willRetry: disposition !== 'permanent',
    });
  }

  /** A call failed as a whole (rate limit, outage, lost connection): every write still open gets the same fate. */
  async failAll(indices: readonly number[], error: unknown) {
    for (const index of indices) if (!this.isSettled(index)) await this.fail(index, error);
  }

  finish(): WorkResult[] {
    return this.results.map((result) => result ?? { status: 'retry', error: 'not processed' });
  }

  /** The organisation's ShortCode for deep links, read once per batch; unknown when it cannot be read. */
  private organisationShortCode(): Promise<string | undefined> {
    const read = this.deps.xero.readOrganisation?.bind(this.deps.xero);
    this.shortCode ??= read
      ? read().then(
          (organisation) => organisation.ShortCode,
          () => undefined
        )
      : Promise.resolve(undefined);
    return this.shortCode;
  }

  private async record(
    write: XeroWrite,
    status: SyncStatus,
    message: string,
    extra: { xeroId?: string; errorCode?: string; willRetry?: boolean }
  ) {
    const xeroShortCode = extra.xeroId ? await this.organisationShortCode() : undefined;
    try {
      await this.deps.outcomes.record({
        ...(xeroShortCode && { xeroShortCode }),
        table: write.source.table,
        id: write.source.id,
        event: write.source.event,
        correlationId: write.source.correlationId,
        status,
        message,
        ...extra,
      });
    } catch (error) {
      // An outcome that cannot be logged must never fail or repeat the sync itself.
      this.deps.logger.warn('outcome not recorded', {
        table: write.source.table,
        id: write.source.id,
        error: describeError(error),
      });
    }
  }
}

/**
 * A phase's natural keys (ContactNumber, Item Code): the Xero id when sync state knows it, otherwise a lookup —
 * which a key index may spare for records never touched. Keys that must always be looked up (archives, items
 * that stop selling) are never spared.
 */
export class KeyLookups {
  readonly ids = new Map<string, string>();
  private readonly toLookUp = new Set<string>();
  private readonly untouched = new Set<string>();

  constructor(
    private readonly ctx: BatchContext,
    private readonly kind: XeroKeyKind
  ) {}

  /** `lookUpKnown`: look the key up even when its id is known, because its current Xero state matters. */
  async need(key: string, source: Pick<SourceRef, 'table' | 'id'>, options: { lookUpKnown?: boolean } = {}) {
    if (this.ids.has(key) && !options.lookUpKnown) return;
    if (this.toLookUp.has(key)) return;
    const state = await this.ctx.stateOf(source);
    if (state?.xeroId) this.ids.set(key, state.xeroId);
    if (!state?.xeroId || options.lookUpKnown) this.toLookUp.add(key);
    if (state === null) this.untouched.add(key);
  }

  alwaysLookUp(key: string): void {
    this.toLookUp.add(key);
    this.untouched.delete(key);
  }

  /** The keys to look up in Xero, after the key index has had its say. */
  keys(): Promise<string[]> {
    return this.ctx.keysToLookUp(this.kind, this.toLookUp, this.untouched);
  }
}

export function isOlder(candidate: string | undefined, than: string | undefined): boolean {
  if (!candidate || !than) return false;
  return Date.parse(candidate) < Date.parse(than);
}

function newestVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return isOlder(a, b) ? b : a;
}
