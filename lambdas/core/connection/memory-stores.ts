/** In-memory implementations of the connection ports: for tests and single-process use. */
import type { ConnectionStore, PendingConsentStore, UsedNonceStore } from './ports';
import type { PendingConsent, StoredConnection } from './types';

export class InMemoryConnectionStore implements ConnectionStore {
  private record: StoredConnection | null = null;
  saves = 0;
  async load(): Promise<StoredConnection | null> {
    return this.record;
  }
  async save(record: StoredConnection): Promise<void> {
    this.saves += 1;
    this.record = record;
  }
  async clear(): Promise<void> {
    this.record = null;
  }
}

export class InMemoryPendingConsentStore implements PendingConsentStore {
  private readonly entries = new Map<string, PendingConsent>();
  async put(pending: PendingConsent): Promise<void> {
    this.entries.set(pending.id, pending);
  }
  async take(id: string): Promise<PendingConsent | null> {
    const entry = this.entries.get(id) ?? null;
    this.entries.delete(id);
    return entry;
  }
}

export class InMemoryUsedNonceStore implements UsedNonceStore {
  private readonly used = new Map<string, number>();
  constructor(private readonly now: () => Date) {}
  async consume(nonce: string, expiresAt: Date): Promise<boolean> {
    const now = this.now().getTime();
    for (const [key, until] of this.used) if (until <= now) this.used.delete(key);
    if (this.used.has(nonce)) return false;
    this.used.set(nonce, expiresAt.getTime());
    return true;
  }
}
