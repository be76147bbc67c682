/** The gateway's call runner spending a SharedTenantBudget: what every Lambda that calls Xero does on AWS. */
import { RateLimitedError } from '../../../../lambdas/core/errors';
import { SharedTenantBudget, type SharedBudgetOptions } from '../../../../lambdas/core/rate-limit/shared-tenant-budget';
import { MemoryBudgetStore } from '../../../helpers/memory-budget-store';
import { useFakeHttpServer } from '../../../helpers/fake-http-server';
import { TENANT_ID, fakeTime, gatewayFor, item, uuid } from './xero-gateway-fixtures';

const server = useFakeHttpServer();

const itemsOk = { body: { Items: [{ ItemID: uuid(1), Code: 'A' }] } };

/** Two "Lambdas": each its own budget object and gateway, one store between them. */
function twoLambdas(
  store: MemoryBudgetStore,
  time: ReturnType<typeof fakeTime>,
  options: Partial<SharedBudgetOptions>
) {
  let ids = 0;
  return [1, 2].map(() => {
    const limiter = new SharedTenantBudget(
      { store, clock: time.clock, sleep: time.sleep, newLeaseId: () => `lease-${++ids}`, random: () => 0 },
      options
    );
    return gatewayFor(server.url, { limiter, clock: time.clock, sleep: time.sleep }).gateway;
  });
}

describe('XeroAccountingGateway on a budget shared between Lambdas', () => {
  it('should count both Lambdas’ calls against the tenant’s one minute', async () => {
    server.setRoute(() => itemsOk);
    const time = fakeTime();
    const [one, two] = twoLambdas(new MemoryBudgetStore(), time, { perMinute: 2 });
    await one!.findItemsByCode(['A']);
    await two!.findItemsByCode(['B']);
    await one!.findItemsByCode(['C']);
    expect(time.sleeps).toEqual([60_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('should make the other Lambda wait out a 429’s Retry-After before it calls Xero', async () => {
    let n = 0;
    server.setRoute(() =>
      n++ === 0 ? { status: 429, headers: { 'retry-after': '30', 'x-rate-limit-problem': 'minute' } } : itemsOk
    );
    const time = fakeTime();
    const [one, two] = twoLambdas(new MemoryBudgetStore(), time, {});
    await expect(one!.saveItems([item('A')], 'k-1')).rejects.toBeInstanceOf(RateLimitedError);
    await two!.findItemsByCode(['A']);
    expect(time.sleeps).toEqual([30_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('should have given its slot back by the time a call returns', async () => {
    server.setRoute(() => itemsOk);
    const store = new MemoryBudgetStore();
    store.remote = true;
    const [one] = twoLambdas(store, fakeTime(), {});
    await one!.findItemsByCode(['A']);
    expect(store.current(TENANT_ID).state.leases).toEqual({});
    expect(store.current(TENANT_ID).state.starts).toHaveLength(1);
  });
});
