import { dispositionOf } from '../errors';
import type { ElementResult } from '../ports';
import { XERO_BATCH_SIZE, chunk, idempotencyKeyFor } from './idempotency';

/**
 * Saves documents in Xero batches of ≤50 with a deterministic Idempotency-Key and hands each element's result back.
 * A call that fails permanently as a whole fails every element of its batch; a transient failure (rate limit,
 * outage, reconnect needed) is rethrown so the caller retries or pauses everything still open.
 */
export async function saveInBatches<S extends { readonly body: unknown }, R>(
  saves: readonly S[],
  operation: string,
  save: (bodies: readonly S['body'][], idempotencyKey: string) => Promise<ElementResult<R>[]>,
  handlers: {
    readonly ok: (save: S, value: R) => Promise<void>;
    readonly rejected: (save: S, messages: readonly string[]) => Promise<void>;
    readonly failed: (save: S, error: unknown) => Promise<void>;
  }
): Promise<void> {
  for (const group of chunk(saves, XERO_BATCH_SIZE)) {
    const bodies = group.map((s) => s.body);
    let results: ElementResult<R>[];
    try {
      results = await save(bodies, idempotencyKeyFor(operation, bodies));
    } catch (error) {
      if (dispositionOf(error) !== 'permanent') throw error;
      for (const s of group) await handlers.failed(s, error);
      continue;
    }
    for (const [position, s] of group.entries()) {
      const result = results[position];
      if (result?.ok) await handlers.ok(s, result.value);
      else await handlers.rejected(s, result?.messages ?? ['no result returned for this element']);
    }
  }
}
