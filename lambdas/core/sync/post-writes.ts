import type { WorkResult, XeroWrite } from '../model/xero-write';
import { BatchContext, isOlder, type PostWritesDeps } from './batch-context';
import { forEachTenant } from './tenant-batches';
import { moveRoutedInvoices } from './move-invoices';
import { runContactsPhase } from './contacts-phase';
import { runInvoicesPhase } from './invoices-phase';
import { runItemsPhase } from './items-phase';

export type { PostWritesDeps } from './batch-context';

/**
 * Post stage: writes a batch of mapped documents to Xero, exactly once.
 *
 * 1. Read the sync state of every record in the batch at once (strongly consistent). Drop writes older than what is already synced for the same record (out-of-order delivery), and all but the
 *    newest write per record within the batch.
 * 2. Contacts, then items, then invoices: every invoice's customer and catalogue items exist before it is sent.
 * 3. Each kind is looked up by its natural key (ContactNumber, Code, Reference) unless our state already knows its
 *    Xero id (an invoice's customer always is: an archived one takes no new invoice), then saved in batches of ≤50 with summarizeErrors=false and a deterministic Idempotency-Key. A write
 *    whose outcome was uncertain is retried later and finds its record by key, so nothing is created twice.
 * 4. Each write ends with one result (done / retry / dead / paused) and one outcome for the log and metrics.
 * 5. Sync state is written in batches: a phase's `creating` marks together before its Xero call, everything else
 *    at the end of the batch, before the outcomes are logged (see BatchContext.finish).
 * With routing, steps 1-5 run once per organisation of the batch (its own gateway, budget, key index and sync
 * state; see tenant-batches.ts), and an order whose organisation changed first leaves the old one (move-invoices.ts).
 */
export function createPostWrites(deps: PostWritesDeps) {
  return (writes: readonly XeroWrite[]): Promise<WorkResult[]> => forEachTenant(writes, deps, postTenantBatch);

  async function postTenantBatch(writes: readonly XeroWrite[], tenantDeps: PostWritesDeps): Promise<WorkResult[]> {
    const ctx = new BatchContext(writes, tenantDeps);
    try {
      await ctx.readStates();
      await skipSuperseded(ctx);
      if (deps.xeroFor)
        await moveRoutedInvoices(ctx, { ...deps, xeroFor: deps.xeroFor, routing: deps.settings.routing });
      const customers = await runContactsPhase(ctx);
      await runItemsPhase(ctx);
      await runInvoicesPhase(ctx, customers);
    } catch (error) {
      // A call failed as a whole (rate limit, outage, reconnect needed): what is still open is retried or paused.
      await ctx.failAll(ctx.pending(), error);
    }
    return await ctx.finish();
  }
}

async function skipSuperseded(ctx: BatchContext) {
  const newest = new Map<string, number>();
  for (const index of ctx.pending()) {
    const { source } = ctx.write(index);
    const key = `${source.table}:${source.id}`;
    const previous = newest.get(key);
    if (previous === undefined) {
      newest.set(key, index);
      continue;
    }
    const older = isNewer(ctx.write(previous).source.version, source.version) ? index : previous;
    if (older === previous) newest.set(key, index);
    await ctx.succeed(older, 'skipped', 'superseded by a newer change of the same record in this batch');
  }
  for (const index of ctx.pending()) {
    const { source } = ctx.write(index);
    const synced = await ctx.stateOf(source);
    if (synced?.status === 'synced' && isOlder(source.version, synced.version)) {
      await ctx.succeed(index, 'skipped', `older than the version already in Xero (${synced.version})`);
    }
  }
}

/** A delete carries no version and is final; otherwise the later modifiedon wins, and on a tie the later write. */
function isNewer(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined) return b !== undefined;
  if (b === undefined) return false;
  return isOlder(b, a);
}
