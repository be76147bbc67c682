import {
  NO_TENANT_PIN_WARNING,
  statusConnectionOf,
  statusWarnings,
} from '../../../../lambdas/core/status/status-connection';

describe('statusConnectionOf', () => {
  const now = new Date('2026-12-08T03:10:00.000Z');

  it("should turn the refresh token's age into its issue time and its 60-day expiry", () => {
    const connection = statusConnectionOf(
      { state: 'connected', tenantName: 'Demo', tenantId: 't', refreshTokenAgeSeconds: 720 },
      now,
      { tenantPinned: true }
    );
    expect(connection).toEqual({
      state: 'connected',
      tenantName: 'Demo',
      tenantId: 't',
      refreshTokenIssuedAt: '2026-12-08T02:58:00.000Z',
      refreshTokenExpiresAt: '2027-02-06T02:58:00.000Z',
      tenantPinned: true,
    });
  });

  it('should join the reason with the next step', () => {
    const connection = statusConnectionOf(
      { state: 'reconnect_required', reason: 'invalid_grant', nextStep: 'run connector connect-link' },
      now
    );
    expect(connection.reason).toBe('invalid_grant — run connector connect-link');
    expect(connection.refreshTokenExpiresAt).toBeUndefined();
  });

  it('should warn when no organisation is pinned, and only then', () => {
    expect(statusWarnings({ tenantPinned: false })).toEqual([NO_TENANT_PIN_WARNING]);
    expect(statusWarnings({ tenantPinned: true })).toEqual([]);
    expect(statusWarnings({})).toEqual([]);
  });
});

describe('statusConnectionOf with several organisations', () => {
  it('should list every chosen organisation with its own state and reason', () => {
    const connection = statusConnectionOf(
      {
        state: 'connected',
        tenantId: 'aaaaaaaa-0000-4000-8000-000000000001',
        tenantName: 'Pacific Ltd',
        organisations: [
          { tenantId: 'aaaaaaaa-0000-4000-8000-000000000001', tenantName: 'Pacific Ltd', state: 'connected' },
          {
            tenantId: 'aaaaaaaa-0000-4000-8000-000000000002',
            tenantName: 'Europe GmbH',
            state: 'reconnect_required',
            reason: 'tenant_removed',
          },
        ],
      },
      new Date('2026-12-08T10:00:00Z')
    );
    expect(connection.organisations).toEqual([
      { tenantId: 'aaaaaaaa-0000-4000-8000-000000000001', tenantName: 'Pacific Ltd', state: 'connected' },
      {
        tenantId: 'aaaaaaaa-0000-4000-8000-000000000002',
        tenantName: 'Europe GmbH',
        state: 'reconnect_required',
        reason: 'tenant_removed',
      },
    ]);
  });
});
