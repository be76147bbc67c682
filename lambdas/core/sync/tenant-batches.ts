/**
 * Routing in the post stage: a batch of writes split by organisation (XeroWrite.tenantId), each part posted with
 * that organisation's gateway (`xeroFor`, its own Xero budget), key index and sync state, in parallel. Results come
 * back in the batch's order. A batch with no tenant anywhere (no routing settings) is posted exactly as before.
 */
import { TransientError } from '../errors';
import type { WorkResult, XeroWrite } from '../model/xero-write';
import { stateOfTenant, stateTenantOf } from '../routing/tenant-state';
import { withTenantIdempotencyKeys } from '../routing/tenant-gateway';
import { isOlder, type PostWritesDeps } from './batch-context';
import { workResultOf } from '../work/work-result';

type PostBatch = (writes: readonly XeroWrite[], deps: PostWritesDeps) => Promise<WorkResult[]>;

export async function forEachTenant(
  writes: readonly XeroWrite[],
  deps: PostWritesDeps,
  post: PostBatch
): Promise<WorkResult[]> {
  if (writes.every((write) => write.tenantId === undefined)) return post(writes, deps);
  const groups = new Map<string | undefined, number[]>();
  const tenants = tenantsOf(writes);
  writes.forEach((write, index) => {
    const tenant = tenants[index];
    groups.set(tenant, [...(groups.get(tenant) ?? []), index]);
  });
  const results: WorkResult[] = writes.map(() => ({ status: 'retry', error: 'not processed' }));
  await Promise.all(
    [...groups].map(async ([tenantId, indices]) => {
      const part = await postPart(
        indices.map((index) => writes[index] as XeroWrite),
        tenantId,
        deps,
        post
      );
      indices.forEach((index, position) => (results[index] = part[position] ?? results[index]!));
    })
  );
  return results;
}

/**
 * The organisation each write is posted with: its own, except an order's older write in this batch whose route
 * has since changed. That one joins the group of the order's newest write, where the post stage skips it as
 * superseded: posted to its old organisation in parallel, it could create an invoice the newest write's move
 * would not see.
 */
function tenantsOf(writes: readonly XeroWrite[]): (string | undefined)[] {
  const newest = new Map<string, XeroWrite>();
  for (const write of writes) {
    if (write.source.table !== 'salesorder') continue;
    const current = newest.get(write.source.id);
    const final = write.source.version === undefined; // a delete: nothing comes after it
    if (!current || final || isOlder(current.source.version, write.source.version)) newest.set(write.source.id, write);
  }
  return writes.map((write) => {
    const latest = write.source.table === 'salesorder' ? newest.get(write.source.id) : undefined;
    const older = latest !== undefined && latestIsNewer(write, latest);
    return (older ? latest.tenantId : write.tenantId)?.toLowerCase();
  });
}

/** A write of the same order strictly older than the newest one (a delete carries no version and is newest). */
function latestIsNewer(write: XeroWrite, latest: XeroWrite): boolean {
  if (write === latest || write.tenantId === latest.tenantId) return false;
  if (latest.source.version === undefined) return write.source.version !== undefined;
  return write.source.version !== undefined && isOlder(write.source.version, latest.source.version);
}

async function postPart(
  writes: readonly XeroWrite[],
  tenantId: string | undefined,
  deps: PostWritesDeps,
  post: PostBatch
): Promise<WorkResult[]> {
  if (tenantId === undefined) return post(writes, deps);
  if (!deps.xeroFor) {
    // Never write a routed document to whichever organisation `xero` happens to be.
    const error = new TransientError(
      `writes for Xero organisation ${tenantId} reached a post stage without per-organisation access`,
      'NO_TENANT_ACCESS'
    );
    return writes.map(() => workResultOf(error));
  }
  const tenantDeps: PostWritesDeps = {
    ...deps,
    xero: withTenantIdempotencyKeys(deps.xeroFor(tenantId), tenantId),
    state: stateOfTenant(deps.state, stateTenantOf(deps.settings.routing, tenantId)),
    keyIndex: deps.keyIndexFor ? deps.keyIndexFor(tenantId) : undefined,
  };
  return post(writes, tenantDeps);
}
