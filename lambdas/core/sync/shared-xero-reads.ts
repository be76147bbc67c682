/**
 * Reads every container of a stage would otherwise repeat against the tenant's 60 calls a minute: the organisation
 * (ShortCode for deep links, time zone for invoice dates) and a key index's listing (xero-key-index.ts). With the
 * post function at a concurrency of 4, each cold container read both: 8 of the 16 Xero calls of a 300-record run.
 * Shared, one container reads and the others take its answer.
 *
 * 1. `readOrganisation` is shared for an hour, as long as one container keeps it (xero-gateway.ts), and each process
 *    keeps what it got for 10 minutes.
 * 2. A key listing is shared for two minutes: a container's key index trusts a listing for its own TTL from when it
 *    took it, so a shared one is trusted at most two minutes longer. That is as safe as a listing of its own: the
 *    index only ever spares lookups of records with no sync state at all, and the connector marks every create
 *    `creating` in sync state before sending it, whichever container sends it.
 * Every other method of the gateway is inherited unchanged.
 */
import type { XeroOrganisation } from '../model/xero';
import type { Clock, XeroGateway, XeroKeyKind, XeroKeyLister } from '../ports';

/** A value one process reads and every process of the tenant reuses while it is young enough. */
export interface SharedReads {
  /**
   * The value stored under `name` when younger than `maxAgeMs`; otherwise `load` runs (in one process at a time when
   * the store can arrange it) and its value is stored. Values are plain JSON. `load`'s errors are thrown as they are.
   */
  read<T>(name: string, maxAgeMs: number, load: () => Promise<T>): Promise<T>;
}

export const SHARED_ORGANISATION_MAX_AGE_MS = 60 * 60_000;
export const SHARED_KEY_LISTING_MAX_AGE_MS = 2 * 60_000;
const KEPT_ORGANISATION_MS = 10 * 60_000;

export function shareXeroReads<G extends XeroGateway & XeroKeyLister>(
  gateway: G,
  shared: SharedReads,
  clock: Clock
): G {
  const wrapped = Object.create(gateway) as G;
  const readOrganisation = gateway.readOrganisation?.bind(gateway);
  if (readOrganisation) {
    // Kept in the process for a while too, so not every batch asks the store.
    let kept: { readonly value: XeroOrganisation; readonly until: number } | undefined;
    wrapped.readOrganisation = async () => {
      if (kept && kept.until > clock.now().getTime()) return kept.value;
      const value = await shared.read('organisation', SHARED_ORGANISATION_MAX_AGE_MS, readOrganisation);
      kept = { value, until: clock.now().getTime() + KEPT_ORGANISATION_MS };
      return value;
    };
  }
  wrapped.listExistingKeys = async (kind: XeroKeyKind, maxPages: number) => {
    // `null`: the tenant holds more than maxPages pages of keys (too big to index), shared like a listing.
    const keys = await shared.read<string[] | null>(
      `keys-${kind}-${maxPages}`,
      SHARED_KEY_LISTING_MAX_AGE_MS,
      async () => {
        const listed = await gateway.listExistingKeys(kind, maxPages);
        return listed ? [...listed] : null;
      }
    );
    return keys ? new Set(keys) : undefined;
  };
  return wrapped;
}
