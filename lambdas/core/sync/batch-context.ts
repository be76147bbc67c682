import { ConnectorError, describeError, dispositionOf } from '../errors';
import type { XeroWrite, WorkResult, SourceRef } from '../model/xero-write';
import type {
  Clock,
  Logger,
  OutcomeSink,
  SyncRecord,
  SyncRecordRef,
  SyncStateStore,
  SyncStatus,
  XeroGateway,
  XeroKeyKind,
} from '../ports';
import type { MappingSettings } from '../settings';
import type { XeroKeyIndex } from './xero-key-index';
import { workResultOf } from '../work/work-result';
import { recordNameOf } from './record-name';

export interface PostWritesDeps {
  readonly xero: XeroGateway;
  readonly state: SyncStateStore;
  readonly outcomes: OutcomeSink;
  readonly settings: MappingSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Lets bulk runs of new records skip per-batch lookups; without it every unknown key is looked up. */
  readonly keyIndex?: XeroKeyIndex;
  /** Routing (several organisations): the gateway of one tenant, each with its own budget; unset: `xero` only. */
  readonly xeroFor?: (tenantId?: string) => XeroGateway;
  /** Routing: the key index of one tenant (a tenant's keys say nothing about another's). */
  readonly keyIndexFor?: (tenantId?: string) => XeroKeyIndex | undefined;
}

type OutcomeFields = { xeroId?: string; errorCode?: string; willRetry?: boolean };

/**
 * Book-keeping for one batch of writes: which are settled, with what result, and the sync state they share.
 * Every write is settled exactly once and produces exactly one outcome.
 *
 * Sync state costs a few calls per batch, not per record: the whole batch's state is read at once (`readStates`),
 * the `creating` marks of a phase are written together before its Xero call, and every other change is held until
 * `finish` writes them all and only then logs the outcomes (a result that could not be remembered is retried).
 */
export class BatchContext {
  private readonly results: (WorkResult | undefined)[];
  private readonly outcomes: { index: number; status: SyncStatus; message: string; extra: OutcomeFields }[] = [];
  private readonly stateCache = new Map<string, Promise<SyncRecord | null>>();
  /** Remembered but not yet written, by record. */
  private readonly unsaved = new Map<string, SyncRecord>();
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

  /**
   * Reads the state of every record the batch touches (its writes and their customers and items) in one call,
   * strongly consistent, so each later `stateOf` is answered from memory.
   */
  async readStates(): Promise<void> {
    const refs = new Map<string, SyncRecordRef>();
    for (const write of this.writes) {
      const sources = [write.source];
      if (write.kind === 'upsert-invoice') {
        sources.push(...write.requires.contacts.map((d) => d.source), ...write.requires.items.map((d) => d.source));
      }
      for (const { table, id } of sources) {
        if (!this.stateCache.has(keyOf({ table, id }))) refs.set(keyOf({ table, id }), { table, id });
      }
    }
    if (refs.size === 0) return;
    const records = await this.deps.state.getMany([...refs.values()]);
    [...refs.keys()].forEach((key, position) => this.stateCache.set(key, Promise.resolve(records[position] ?? null)));
  }

  stateOf(source: Pick<SourceRef, 'table' | 'id'>): Promise<SyncRecord | null> {
    const key = keyOf(source);
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
    const marks = new Map<string, SyncRecord>();
    for (const source of sources) {
      if ((await this.stateOf(source)) !== null) continue;
      marks.set(keyOf(source), { table: source.table, id: source.id, status: 'creating', updatedAt: now });
    }
    if (marks.size === 0) return;
    // Durable before the Xero call: one batched write for the phase, awaited in full.
    await this.deps.state.putMany([...marks.values()]);
    marks.forEach((record, key) => this.stateCache.set(key, Promise.resolve(record)));
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
    this.unsaved.set(keyOf(source), record);
    this.stateCache.set(keyOf(source), Promise.resolve(record));
  }

  /** A write reached Xero (or needed nothing): remember it and log the outcome. */
  async succeed(index: number, status: 'synced' | 'skipped', message: string, xero?: { id?: string; key?: string }) {
    const write = this.write(index);
    if (status === 'synced' || xero?.id) {
      await this.remember(write.source, { xeroId: xero?.id, xeroKey: xero?.key, status, message });
    }
    this.results[index] = { status: 'done' };
    this.outcomes.push({ index, status, message, extra: { xeroId: xero?.id } });
  }

  /** A write failed: permanent failures go to the dead letters, the rest back to the queue or on pause. */
  async fail(index: number, error: unknown) {
    const write = this.write(index);
    const message = describeError(error);
    if (dispositionOf(error) === 'permanent') await this.remember(write.source, { status: 'failed', message });
    this.settleFailed(index, error);
  }

  private settleFailed(index: number, error: unknown) {
    const disposition = dispositionOf(error);
    this.results[index] = workResultOf(error);
    const outcome = {
      index,
      status: 'failed' as const,
      message: describeError(error),
      extra: {
        errorCode: error instanceof ConnectorError ? error.code : 'UNEXPECTED',
        willRetry: disposition !== 'permanent',
      },
    };
    const earlier = this.outcomes.findIndex((o) => o.index === index);
    if (earlier >= 0) this.outcomes[earlier] = outcome;
    else this.outcomes.push(outcome);
  }

  /** A call failed as a whole (rate limit, outage, lost connection): every write still open gets the same fate. */
  async failAll(indices: readonly number[], error: unknown) {
    for (const index of indices) if (!this.isSettled(index)) await this.fail(index, error);
  }

  /**
   * Writes what the batch remembered (BatchWriteItem on AWS), then logs one outcome per write. When the state
   * cannot be written, the writes it belongs to go back to the queue: their records still read `creating` (or
   * their previous state), so the retry looks them up in Xero by key and creates nothing twice.
   */
  async finish(): Promise<WorkResult[]> {
    if (this.unsaved.size > 0) {
      try {
        await this.deps.state.putMany([...this.unsaved.values()]);
      } catch (error) {
        this.deps.logger.warn('sync state not written', { records: this.unsaved.size, error: describeError(error) });
        this.writes.forEach((write, index) => {
          const settled = this.results[index]?.status;
          if ((settled === 'done' || settled === 'dead') && this.unsaved.has(keyOf(write.source))) {
            this.settleFailed(index, error);
          }
        });
      }
      this.unsaved.clear();
    }
    for (const { index, status, message, extra } of this.outcomes) {
      await this.record(this.write(index), status, message, extra);
    }
    this.outcomes.length = 0;
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

  private async record(write: XeroWrite, status: SyncStatus, message: string, extra: OutcomeFields) {
    const xeroShortCode = extra.xeroId ? await this.organisationShortCode() : undefined;
    const name = recordNameOf(write);
    try {
      await this.deps.outcomes.record({
        ...(xeroShortCode && { xeroShortCode }),
        ...(name && { name }),
        ...(write.tenantId !== undefined && { tenantId: write.tenantId }),
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

function keyOf(source: SyncRecordRef): string {
  return `${source.table}:${source.id}`;
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
