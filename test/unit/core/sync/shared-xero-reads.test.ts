import type { XeroOrganisation } from '../../../../lambdas/core/model/xero';
import type { XeroGateway, XeroKeyKind, XeroKeyLister } from '../../../../lambdas/core/ports';
import { shareXeroReads, type SharedReads } from '../../../../lambdas/core/sync/shared-xero-reads';
import { fixedClock } from '../../../helpers/in-memory-ports';
import { InMemoryXero } from '../../../helpers/in-memory-xero';

/** One store for every "container": what one read, the others reuse. */
class MemorySharedReads implements SharedReads {
  readonly values = new Map<string, unknown>();
  asked = 0;
  async read<T>(name: string, _maxAgeMs: number, load: () => Promise<T>): Promise<T> {
    this.asked += 1;
    if (!this.values.has(name)) this.values.set(name, JSON.parse(JSON.stringify(await load())));
    return this.values.get(name) as T;
  }
}

class CountingXero extends InMemoryXero {
  readonly reads: string[] = [];
  async readOrganisation(): Promise<XeroOrganisation> {
    this.reads.push('organisation');
    return { ShortCode: '!abc', Timezone: 'UTC' };
  }
  override async listExistingKeys(kind: XeroKeyKind): Promise<Set<string> | undefined> {
    this.reads.push(`keys-${kind}`);
    return kind === 'contacts' ? new Set(['C-1']) : undefined;
  }
}

describe('shareXeroReads', () => {
  it('should read the organisation and each key listing once for every container of the tenant', async () => {
    const xero = new CountingXero();
    const shared = new MemorySharedReads();
    const containers = [1, 2, 3].map(() => shareXeroReads<XeroGateway & XeroKeyLister>(xero, shared, fixedClock()));

    for (const gateway of containers) {
      expect(await gateway.readOrganisation!()).toEqual({ ShortCode: '!abc', Timezone: 'UTC' });
      expect(await gateway.listExistingKeys('contacts', 10)).toEqual(new Set(['C-1']));
      expect(await gateway.listExistingKeys('items', 10)).toBeUndefined();
    }
    await containers[0]!.readOrganisation!();

    expect(xero.reads).toEqual(['organisation', 'keys-contacts', 'keys-items']);
    expect(shared.asked).toBe(9); // the second organisation read of a container stays in it
    expect(await containers[0]!.findContactsByNumber(['C-1'])).toEqual(new Map());
  });
});
