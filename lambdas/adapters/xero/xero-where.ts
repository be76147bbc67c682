/**
 * Builds Xero `where` filters for key lookups. Values are quoted and escaped so a key containing `"` or `\` can
 * never break out of its string literal, and long key lists are split so each request's query stays short
 * (Xero sits behind IIS-style URL limits; we keep well under them).
 */

/** A C#-style string literal as Xero's filter language expects: backslash and double quote escaped. */
export function quoteWhereValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `Field=="a" OR Field=="b"` */
export function anyOf(field: string, values: readonly string[]): string {
  return values.map((value) => `${field}==${quoteWhereValue(value)}`).join(' OR ');
}

export interface ChunkLimits {
  /** Most keys in one filter (Xero recommends ≤50 per request). */
  readonly maxKeys: number;
  /** Most characters the URL-encoded filter may take. */
  readonly maxEncodedChars: number;
}

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxKeys: 50, maxEncodedChars: 2000 };

/**
 * Splits distinct keys into groups whose `anyOf(field, group)` filter, wrapped by `wrap`, stays within the limits.
 * A single key that alone exceeds the limit still gets its own group (the server decides).
 */
export function chunkWhere(
  field: string,
  keys: readonly string[],
  limits: ChunkLimits = DEFAULT_CHUNK_LIMITS,
  wrap: (filter: string) => string = (filter) => filter
): string[][] {
  const distinct = [...new Set(keys)];
  const chunks: string[][] = [];
  let current: string[] = [];
  for (const key of distinct) {
    const candidate = [...current, key];
    const encoded = encodeURIComponent(wrap(anyOf(field, candidate))).length;
    if (current.length > 0 && (candidate.length > limits.maxKeys || encoded > limits.maxEncodedChars)) {
      chunks.push(current);
      current = [key];
    } else {
      current = candidate;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
