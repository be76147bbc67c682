import { ValidationError } from '../../../../lambdas/core/errors';
import { routeOf } from '../../../../lambdas/core/routing/route-record';
import { routedTenants } from '../../../../lambdas/core/routing/routing-settings';
import { stateTenantOf } from '../../../../lambdas/core/routing/tenant-state';
import { extraColumns } from '../../../../lambdas/core/sync/extra-columns';
import { mappingSettingsFromJson, resolveMappingSettings } from '../../../../lambdas/core/settings-schema';

const UK = '11111111-1111-4111-8111-111111111111';
const DE = '22222222-2222-4222-8222-222222222222';
const BU_DE = 'aaaaaaaa-0000-4000-8000-000000000002';

function validationIssues(input: unknown): string[] {
  try {
    resolveMappingSettings(input);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('routing settings', () => {
  it('should accept routing by business unit and keep it on the resolved settings', () => {
    const settings = mappingSettingsFromJson(
      JSON.stringify({ routing: { by: 'businessUnit', routes: { Germany: DE }, defaultTenantId: UK } })
    );
    expect(settings.routing).toEqual({ by: 'businessUnit', routes: { Germany: DE }, defaultTenantId: UK });
  });

  it('should leave routing unset when it is not configured (one organisation, as before)', () => {
    expect(resolveMappingSettings({}).routing).toBeUndefined();
  });

  it('should name the setting when routing by column has no column', () => {
    expect(validationIssues({ routing: { by: 'column', routes: {}, defaultTenantId: UK } })).toEqual([
      expect.stringContaining('mapping.routing.column'),
    ]);
  });

  it('should name the setting when a tenant id is not a GUID', () => {
    const issues = validationIssues({ routing: { by: 'currency', routes: { EUR: 'acme-de' }, defaultTenantId: UK } });
    expect(issues).toEqual([expect.stringMatching(/^mapping\.routing\.routes\.EUR: .*tenant id/)]);
  });

  it('should refuse a currency route that is not an ISO code, and unknown keys', () => {
    expect(validationIssues({ routing: { by: 'currency', routes: { EURO: DE }, defaultTenantId: UK } })).toEqual([
      expect.stringContaining('mapping.routing.routes.EURO'),
    ]);
    expect(validationIssues({ routing: { by: 'currency', routes: {}, defaultTenantId: UK, fallback: DE } })).toEqual([
      expect.stringContaining('mapping.routing'),
    ]);
  });

  it('should list every routed organisation once, the default first, in lower case', () => {
    const routing = { by: 'currency' as const, routes: { EUR: DE, CHF: DE.toUpperCase() }, defaultTenantId: UK };
    expect(routedTenants(routing)).toEqual([UK, DE]);
  });

  it('should have the reader select the routing column on orders, next to the sync condition columns', () => {
    const columns = extraColumns({
      syncConditions: { salesorder: { kind: 'column', column: 'new_synctoxero' } },
      routing: { by: 'column', column: 'new_legalentity', routes: {}, defaultTenantId: UK },
    });
    expect(columns).toEqual({ salesorder: ['new_synctoxero', 'new_legalentity'] });
  });
});

describe('routeOf', () => {
  const byUnit = { by: 'businessUnit' as const, routes: { 'Acme GmbH': DE }, defaultTenantId: UK };

  it('should route by the business unit name, ignoring case and spaces', () => {
    expect(routeOf(byUnit, { owningBusinessUnit: { id: BU_DE, name: ' acme gmbh ' } })).toBe(DE);
  });

  it('should route by the business unit id', () => {
    const routing = { ...byUnit, routes: { [BU_DE.toUpperCase()]: DE } };
    expect(routeOf(routing, { owningBusinessUnit: { id: BU_DE, name: 'Renamed unit' } })).toBe(DE);
  });

  it('should send a record without a matching value to the default organisation', () => {
    expect(routeOf(byUnit, { owningBusinessUnit: { id: BU_DE, name: 'Acme Ltd' } })).toBe(UK);
    expect(routeOf(byUnit, {})).toBe(UK);
  });

  it('should route by a choice column value or its label', () => {
    const routing = { by: 'column' as const, column: 'new_entity', routes: { '100000001': DE }, defaultTenantId: UK };
    expect(routeOf(routing, { conditionValues: { new_entity: 100000001 } })).toBe(DE);
    const byLabel = { ...routing, routes: { Germany: DE } };
    const read = { conditionValues: { new_entity: 100000001 }, conditionLabels: { new_entity: 'Germany' } };
    expect(routeOf(byLabel, read)).toBe(DE);
  });

  it('should route by currency code', () => {
    const routing = { by: 'currency' as const, routes: { eur: DE }, defaultTenantId: UK };
    expect(routeOf(routing, { currencyCode: 'EUR' })).toBe(DE);
    expect(routeOf(routing, { currencyCode: 'GBP' })).toBe(UK);
  });
});

describe('sync-state keys per organisation', () => {
  const routing = { by: 'currency' as const, routes: { EUR: DE }, defaultTenantId: UK };

  it('should keep the default organisation on the keys without a tenant, so nothing needs migrating', () => {
    expect(stateTenantOf(routing, UK)).toBeUndefined();
    expect(stateTenantOf(routing, UK.toUpperCase())).toBeUndefined();
    expect(stateTenantOf(undefined, DE)).toBeUndefined();
    expect(stateTenantOf(routing, DE)).toBe(DE);
  });
});
