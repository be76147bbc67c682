/**
 * Xero's Idempotency-Key behaviour: a key is remembered for about six minutes; the same key with the same method,
 * path and body replays the first response, the same key with anything else is refused.
 */
export const IDEMPOTENCY_TTL_MS = 6 * 60_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

interface Entry {
  readonly fingerprint: string;
  readonly at: number;
  readonly response: StoredResponse;
}

export type IdempotencyLookup =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch' };

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: () => number) {}

  lookup(scope: string, key: string, fingerprint: string): IdempotencyLookup {
    const entry = this.entries.get(`${scope}\n${key}`);
    if (!entry || this.clock() - entry.at >= IDEMPOTENCY_TTL_MS) return { kind: 'new' };
    return entry.fingerprint === fingerprint ? { kind: 'replay', response: entry.response } : { kind: 'mismatch' };
  }

  remember(scope: string, key: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(`${scope}\n${key}`, { fingerprint, at: this.clock(), response });
  }

  clear(): void {
    this.entries.clear();
  }
}
