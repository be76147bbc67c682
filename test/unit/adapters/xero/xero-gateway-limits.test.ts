import { TenantRateLimiter } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { useFakeHttpServer } from '../../../helpers/fake-http-server';
import { fakeTime, gatewayFor, uuid } from './xero-gateway-fixtures';

const server = useFakeHttpServer();

describe('XeroAccountingGateway and the rate limiter', () => {
  it('should never have more calls in flight for a tenant than the limiter allows', async () => {
    let inFlight = 0;
    let peak = 0;
    server.setRoute(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
      return { body: { Items: [{ ItemID: uuid(1), Code: 'A' }] } };
    });
    const time = fakeTime();
    const limiter = new TenantRateLimiter({ clock: time.clock, sleep: time.sleep }, { maxConcurrent: 3 });
    const { gateway } = gatewayFor(server.url, { limiter, clock: time.clock, sleep: time.sleep });
    await Promise.all(Array.from({ length: 9 }, (_, n) => gateway.findItemsByCode([`C${n}`])));
    expect(server.requests).toHaveLength(9);
    expect(peak).toBe(3);
  });

  it('should share one limiter between gateways so the minute budget is counted once', async () => {
    server.requests.length = 0;
    server.setRoute(() => ({ body: { Items: [] } }));
    const time = fakeTime();
    const limiter = new TenantRateLimiter({ clock: time.clock, sleep: time.sleep }, { perMinute: 2 });
    const one = gatewayFor(server.url, { limiter, clock: time.clock, sleep: time.sleep }).gateway;
    const two = gatewayFor(server.url, { limiter, clock: time.clock, sleep: time.sleep }).gateway;
    await one.findItemsByCode(['A']);
    await two.findItemsByCode(['B']);
    await one.findItemsByCode(['C']);
    expect(time.sleeps).toEqual([60_000]);
    expect(server.requests).toHaveLength(3);
  });
});
