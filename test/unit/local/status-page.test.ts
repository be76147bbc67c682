import { renderStatusPage, type StatusSnapshot } from '../../../src/local/status-page';

const snapshot = (tenantPinned: boolean): StatusSnapshot => ({
  mode: 'real',
  connection: { state: 'connected', tenantName: 'Acme <Ltd>', tenantId: 't-1', tenantPinned },
  queues: { changes: { depth: 0, dead: 0 }, writes: { depth: 0, dead: 0 } },
  counts: { synced: 0, failed: 0, skipped: 0 },
  recent: [],
  failures: [],
  connectPath: '/oauth/xero/connect',
});

describe('status page', () => {
  it('should warn loudly when no Xero organisation is pinned', () => {
    const page = renderStatusPage(snapshot(false));
    expect(page).toMatch(/<div class="pin" role="alert" id="no-tenant-pin">WARNING: no Xero organisation is pinned/);
    expect(page).toContain('XERO_TENANT_ID');
    expect(page).toContain('Acme &lt;Ltd&gt;');
  });

  it('should not warn when the organisation is pinned', () => {
    expect(renderStatusPage(snapshot(true))).not.toContain('no-tenant-pin');
  });
});
