/**
 * A key index: every ContactNumber, Item Code or ACCREC Reference the tenant holds, listed once in pages of up to
 * 1,000 and kept for a few minutes, so a bulk run of new records can skip the per-batch lookup that proves each one
 * absent. Fifty new contacts otherwise cost two lookup GETs on top of their one save.
 *
 * The index only ever proves absence, and only for records the connector has never touched (no sync state at
 * all). Every create is preceded by a `creating` mark in sync state, so a record whose create had an uncertain
 * outcome — here or in another process — is always looked up by its key. A key the index does hold is looked up
 * as before (its Xero id and status come from that lookup, never from the index).
 *
 * It is built only when it pays: when one phase must look up at least `minKeys` keys and the tenant fits in
 * `maxPages` pages. A tenant too big to list (or a listing Xero refuses) is remembered for the index's lifetime.
 */
import { describeError, dispositionOf } from '../errors';
import type { Clock, Logger, XeroKeyKind, XeroKeyLister } from '../ports';

export interface XeroKeyIndexOptions {
  readonly lister: XeroKeyLister;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** How long a listing is trusted (default 10 minutes). */
  readonly ttlMs?: number;
  /** Fewest keys to look up in one phase before a listing is worth its calls (default 20). */
  readonly minKeys?: number;
  /** Pages of 1,000 keys at most (default 10); a bigger tenant keeps per-batch lookups. */
  readonly maxPages?: number;
}

type Listing =
  | { readonly state: 'ready'; readonly keys: ReadonlySet<string>; readonly until: number }
  | { readonly state: 'unavailable'; readonly until: number };

export const KEY_INDEX_DEFAULTS = { ttlMs: 10 * 60_000, minKeys: 20, maxPages: 10 } as const;

export class XeroKeyIndex {
  private readonly listings = new Map<XeroKeyKind, Listing>();
  private readonly building = new Map<XeroKeyKind, Promise<Listing>>();

  constructor(private readonly options: XeroKeyIndexOptions) {}

  /**
   * The keys among `keys` that a fresh listing proves are not in Xero. Lists the tenant first when there is no
   * fresh listing and `keys` is a bulk lookup. Returns an empty set whenever it cannot prove anything.
   */
  async provenAbsent(kind: XeroKeyKind, keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    let listing = this.fresh(kind);
    if (!listing && keys.length >= (this.options.minKeys ?? KEY_INDEX_DEFAULTS.minKeys)) {
      listing = await this.build(kind);
    }
    if (listing?.state !== 'ready') return new Set();
    return new Set(keys.filter((key) => !listing.keys.has(key)));
  }

  private fresh(kind: XeroKeyKind): Listing | undefined {
    const listing = this.listings.get(kind);
    if (!listing) return undefined;
    if (listing.until > this.options.clock.now().getTime()) return listing;
    this.listings.delete(kind);
    return undefined;
  }

  /** One listing per kind at a time: concurrent batches share it. */
  private build(kind: XeroKeyKind): Promise<Listing> {
    let pending = this.building.get(kind);
    if (!pending) {
      pending = this.list(kind).finally(() => this.building.delete(kind));
      this.building.set(kind, pending);
    }
    return pending;
  }

  private async list(kind: XeroKeyKind): Promise<Listing> {
    const started = this.options.clock.now().getTime();
    const maxPages = this.options.maxPages ?? KEY_INDEX_DEFAULTS.maxPages;
    let keys: ReadonlySet<string> | undefined;
    try {
      keys = await this.options.lister.listExistingKeys(kind, maxPages);
    } catch (error) {
      // A listing Xero refuses for good must not fail the sync: per-batch lookups still work. Outages are rethrown.
      if (dispositionOf(error) !== 'permanent') throw error;
      this.options.logger?.warn('xero key index unavailable', { kind, error: describeError(error) });
      keys = undefined;
    }
    // Trusted from when the listing started: anything created after that by someone else is not in it.
    const until = started + (this.options.ttlMs ?? KEY_INDEX_DEFAULTS.ttlMs);
    const listing: Listing = keys ? { state: 'ready', keys, until } : { state: 'unavailable', until };
    this.listings.set(kind, listing);
    this.options.logger?.info('xero key index built', {
      kind,
      keys: keys?.size,
      unavailable: keys === undefined,
    });
    return listing;
  }
}
