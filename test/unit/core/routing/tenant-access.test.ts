import { ReconnectRequiredError } from '../../../../lambdas/core/errors';
import type { XeroAccessProvider } from '../../../../lambdas/core/ports';
import { accessForTenant, perTenant } from '../../../../lambdas/core/routing/tenant-access';

const DE = '22222222-2222-4222-8222-222222222222';

describe('accessForTenant', () => {
  it("should ask the provider for that organisation's access and call Xero for that tenant", async () => {
    const asked: (string | undefined)[] = [];
    const provider: XeroAccessProvider = {
      getAccess: async (tenantId) => {
        asked.push(tenantId);
        return { accessToken: 'token', tenantId: 'the-pinned-one' };
      },
    };

    const access = await accessForTenant(provider, DE).getAccess();

    expect(asked).toEqual([DE]);
    expect(access).toEqual({ accessToken: 'token', tenantId: DE });
  });

  it('should let a disconnected organisation pause only its own work (the provider refuses it)', async () => {
    const provider: XeroAccessProvider = {
      getAccess: async (tenantId) => {
        if (tenantId === DE) throw new ReconnectRequiredError('organisation disconnected');
        return { accessToken: 'token', tenantId: tenantId ?? 'default' };
      },
    };

    await expect(accessForTenant(provider, DE).getAccess()).rejects.toBeInstanceOf(ReconnectRequiredError);
    await expect(accessForTenant(provider, 'other').getAccess()).resolves.toEqual({
      accessToken: 'token',
      tenantId: 'other',
    });
  });
});

describe('perTenant', () => {
  it('should make one value per organisation, whatever the case of its id', () => {
    const made: (string | undefined)[] = [];
    const gatewayFor = perTenant((tenantId) => {
      made.push(tenantId);
      return { tenantId };
    });

    expect(gatewayFor(DE)).toBe(gatewayFor(DE.toUpperCase()));
    expect(gatewayFor()).toBe(gatewayFor(undefined));
    expect(made).toEqual([DE, undefined]);
  });
});
