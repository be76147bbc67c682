import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string equality. Both sides are hashed first so the comparison always runs over 32 equal-length
 * bytes: neither the content nor the length of the secret leaks through timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** base64(HMAC-SHA256(body, key)), the form Xero puts in x-xero-signature. */
export function hmacSha256Base64(body: Buffer, key: string): string {
  return createHmac('sha256', key).update(body).digest('base64');
}

/** A stable short digest for de-duplication ids when Dataverse gives no operation id. */
export function sha256Hex(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex');
}

/** Case-insensitive header read: API Gateway and Node keep the caller's casing or lower-case it. */
export function headerValue(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}
