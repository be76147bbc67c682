import { PermanentError, XeroValidationError, dispositionOf } from '../errors';
import type { XeroItem, XeroItemRef } from '../model/xero';
import type { ItemDependency, SourceRef } from '../model/xero-write';
import type { BatchContext } from './batch-context';
import { XERO_BATCH_SIZE, chunk } from './idempotency';
import { saveInBatches } from './save-in-batches';

type Target =
  | { readonly writeIndex: number; readonly verb: string }
  | { readonly dependency: ItemDependency; readonly invoices: number[] };

interface PendingSave {
  readonly body: XeroItem;
  readonly target: Target;
}

/** Items: upserts, catalogue products invoices need (created only when missing), and products that stop selling. */
export async function runItemsPhase(ctx: BatchContext): Promise<void> {
  const upserts = ctx.pending('upsert-item');
  const stops = ctx.pending('stop-selling-item');
  const invoices = ctx.pending('upsert-invoice');

  const lookups = ctx.keyLookups('items');
  const knownIds = lookups.ids;
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind === 'upsert-item') await lookups.need(write.item.Code, write.source);
  }
  const dependencies = new Map<string, { dependency: ItemDependency; invoices: number[] }>();
  for (const index of invoices) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-invoice') continue;
    for (const dependency of write.requires.items) {
      const code = dependency.item.Code;
      const entry = dependencies.get(code) ?? { dependency, invoices: [] };
      entry.invoices.push(index);
      dependencies.set(code, entry);
      await lookups.need(code, dependency.source);
    }
  }
  for (const index of stops) {
    const write = ctx.write(index);
    if (write.kind === 'stop-selling-item') lookups.alwaysLookUp(write.code);
  }

  const found = new Map<string, XeroItemRef>();
  for (const codes of chunk(await lookups.keys(), XERO_BATCH_SIZE)) {
    const refs = await ctx.deps.xero.findItemsByCode(codes);
    refs.forEach((ref, code) => {
      found.set(code, ref);
      if (!knownIds.has(code)) knownIds.set(code, ref.ItemID);
    });
  }

  const saves: PendingSave[] = [];
  const covered = new Set<string>();
  for (const index of upserts) {
    const write = ctx.write(index);
    if (write.kind !== 'upsert-item') continue;
    const id = knownIds.get(write.item.Code);
    saves.push({
      body: id ? { ...write.item, ItemID: id } : newItem(write.item),
      target: { writeIndex: index, verb: id ? 'updated' : 'created' },
    });
    covered.add(write.item.Code);
  }
  for (const [code, entry] of dependencies) {
    if (covered.has(code) || knownIds.has(code)) continue;
    saves.push({ body: newItem(entry.dependency.item), target: entry });
  }
  for (const index of stops) {
    const write = ctx.write(index);
    if (write.kind !== 'stop-selling-item') continue;
    const ref = found.get(write.code);
    if (!ref) await ctx.succeed(index, 'skipped', `no Xero item with code ${write.code}`);
    else if (ref.IsSold === false)
      await ctx.succeed(index, 'skipped', 'Xero item already not sold', { id: ref.ItemID });
    else
      saves.push({
        body: { ItemID: ref.ItemID, Code: write.code, IsSold: false },
        target: { writeIndex: index, verb: 'stopped selling' },
      });
  }

  await ctx.markCreating(saves.filter((save) => !save.body.ItemID).map((save) => sourceOf(ctx, save.target)));
  await saveInBatches(saves, 'items', (bodies, key) => ctx.deps.xero.saveItems(bodies, key), {
    ok: (save, ref) => succeedTarget(ctx, save, ref),
    rejected: (save, messages) =>
      failTarget(
        ctx,
        save.target,
        new XeroValidationError(`Xero rejected the item ${save.body.Code}: ${messages.join('; ')}`, messages)
      ),
    failed: (save, error) => failTarget(ctx, save.target, error),
  });
}

/**
 * A new item is for sale only: Xero makes items purchasable unless told otherwise (IsPurchased defaults to true,
 * developer.xero.com/documentation/api/accounting/items). Updates leave IsPurchased alone: turning it off would
 * null purchase details someone set in Xero.
 */
function newItem(item: XeroItem): XeroItem {
  return { ...item, IsPurchased: item.IsPurchased ?? false };
}

async function succeedTarget(ctx: BatchContext, save: PendingSave, ref: XeroItemRef) {
  if ('writeIndex' in save.target) {
    await ctx.succeed(save.target.writeIndex, 'synced', `item ${ref.Code} ${save.target.verb} in Xero`, {
      id: ref.ItemID,
      key: save.body.Code,
    });
  } else {
    await ctx.remember(save.target.dependency.source, {
      xeroId: ref.ItemID,
      xeroKey: save.body.Code,
      status: 'synced',
    });
  }
}

function sourceOf(ctx: BatchContext, target: Target): SourceRef {
  return 'writeIndex' in target ? ctx.write(target.writeIndex).source : target.dependency.source;
}

async function failTarget(ctx: BatchContext, target: Target, error: unknown) {
  if ('writeIndex' in target) {
    await ctx.fail(target.writeIndex, error);
    return;
  }
  const reason = error instanceof Error ? error.message : String(error);
  const wrapped =
    dispositionOf(error) === 'permanent'
      ? new PermanentError(`a catalogue product could not be created in Xero: ${reason}`, 'DEPENDENCY_FAILED')
      : error;
  for (const index of target.invoices) if (!ctx.isSettled(index)) await ctx.fail(index, wrapped);
}
