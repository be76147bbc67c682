import { mapWorkerCount } from '../../../src/local/map-workers';

const tenant = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;

describe('mapWorkerCount', () => {
  it('should run one map worker per routed organisation, so the map stage keeps every organisation busy', () => {
    const routing = { by: 'currency' as const, routes: { EUR: tenant(2), AUD: tenant(3) }, defaultTenantId: tenant(1) };
    expect(mapWorkerCount(routing)).toBe(3);
  });

  it('should count an organisation named by several routes once', () => {
    const routing = { by: 'currency' as const, routes: { EUR: tenant(2), GBP: tenant(2) }, defaultTenantId: tenant(1) };
    expect(mapWorkerCount(routing)).toBe(2);
  });

  it('should keep one map worker without routing, and honour a configured count of at least one', () => {
    expect(mapWorkerCount(undefined)).toBe(1);
    expect(mapWorkerCount(undefined, 4)).toBe(4);
    expect(mapWorkerCount(undefined, 0)).toBe(1);
  });
});
