/**
 * Routing in the post stage: a batch of writes split by organisation (XeroWrite.tenantId), each part posted with
 * that organisation's gateway (`xeroFor`, its own Xero budget), key index and sync state, in parallel. Results come
 * back in the batch's order. A batch with no tenant anywhere (no routing settings) is posted exactly as before.
 */
import { TransientError } from '../errors';
import type { WorkResult, XeroWrite } from '../model/xero-write';
import { stateOfTenant, stateTenantOf } from '../routing/tenant-state';
import { withTenantIdempotencyKeys } from '../routing/tenant-gateway';
import type { PostWritesDeps } from './batch-context';
import { workResultOf } from '../work/work-result';

type PostBatch = (writes: readonly XeroWrite[], deps: PostWritesDeps) => Promise<WorkResult[]>;

export async function forEachTenant(
  writes: readonly XeroWrite[],
  deps: PostWritesDeps,
  post: PostBatch
): Promise<WorkResult[]> {
  if (writes.every((write) => write.tenantId === undefined)) return post(writes, deps);
  const groups = new Map<string | undefined, number[]>();
  writes.forEach((write, index) => {
    const tenant = write.tenantId?.toLowerCase();
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
