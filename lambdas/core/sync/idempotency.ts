import { createHash } from 'node:crypto';

/**
 * A deterministic Idempotency-Key (≤128 chars): the same request body always gets the same key, so a retried call
 * inside Xero's replay window is answered from Xero's cache instead of being executed twice, and a different body
 * can never collide with an earlier key.
 */
export function idempotencyKeyFor(operation: string, body: unknown): string {
  const digest = createHash('sha256').update(operation).update('\n').update(JSON.stringify(body)).digest('hex');
  return `d365x-${operation}-${digest}`.slice(0, 128);
}

/** Split into chunks of at most `size` (Xero recommends ≤50 elements per call). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export const XERO_BATCH_SIZE = 50;
