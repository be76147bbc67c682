import { formatStatus } from '../../../src/cli/format-status';
import type { StatusSnapshot } from '../../../lambdas/core/status/status-snapshot';

const NOW = '2026-12-08T03:10:00.000Z';
const ACCOUNT = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';

const snapshot: StatusSnapshot = {
  runtime: 'aws',
  generatedAt: NOW,
  connection: {
    state: 'connected',
    tenantName: 'Demo Co',
    tenantPinned: true,
    refreshedAt: '2026-12-08T03:07:00.000Z',
    refreshTokenIssuedAt: '2026-12-08T02:58:00.000Z',
    refreshTokenExpiresAt: '2027-02-06T02:58:00.000Z',
  },
  queues: { changes: { depth: 2, dead: 1 }, writes: { depth: 0, dead: 0 } },
  counts: { synced: 7, failed: 2, skipped: 1 },
  hourly: [
    { hourStart: '2026-12-08T02:00:00.000Z', synced: 3, failed: 1 },
    { hourStart: '2026-12-08T03:00:00.000Z', synced: 2, failed: 0 },
  ],
  recent: [
    {
      table: 'salesorder',
      id: 'so-1',
      name: 'SO-1001',
      at: '2026-12-08T03:07:00.000Z',
      status: 'synced',
      message: 'invoice created',
    },
  ],
  failures: [
    {
      table: 'account',
      id: ACCOUNT,
      name: 'Evil\u001b[2J Ltd',
      at: '2026-12-08T01:10:00.000Z',
      status: 'failed',
      message: 'name in use',
    },
  ],
  deadLetters: [
    {
      queue: 'changes',
      retryKey: 'k-1',
      record: { table: 'account', id: ACCOUNT, name: 'Northwind' },
      reason: 'Dataverse answered 500',
      at: '2026-12-08T03:00:00.000Z',
    },
  ],
  connectPath: '/oauth/xero/connect',
  warnings: ['No organisation is pinned'],
};

describe('formatStatus', () => {
  const text = formatStatus(snapshot, { timeZone: 'UTC' });
  const lines = text.split('\n');

  it('should give the refresh token as a renewal time and an expiry date, not an age in hours', () => {
    expect(lines).toContain(
      '  Refresh token: renewed 12 min ago, expires 6 Feb 2027 if unused (the schedule renews it)'
    );
    expect(lines).toContain('  Access token: refreshed 3 min ago');
    expect(lines).toContain('  Xero: Connected to Demo Co (organisation pinned)');
    expect(text).not.toMatch(/hours:|\d\.\d{3}/);
  });

  it('should print the expiry date in the given zone', () => {
    expect(formatStatus(snapshot, { timeZone: 'America/Los_Angeles' })).toContain('expires 5 Feb 2027 if unused');
  });

  it('should sum queues and outcomes, and list dead letters and failures by name with table and id', () => {
    expect(lines).toContain('  Queues: Dataverse changes 2 waiting, 1 dead · Xero writes 0 waiting, 0 dead');
    expect(lines).toContain('  Outcomes: 7 synced, 2 failed, 1 skipped (last 24 h: 5 synced, 1 failed)');
    expect(lines).toContain(
      `    10 min ago  Dataverse changes  Account "Northwind" (account ${ACCOUNT})  Dataverse answered 500  [retry key k-1]`
    );
    expect(lines).toContain(`    2 h ago  failed  Account "Evil [2J Ltd" (account ${ACCOUNT})  name in use`);
    expect(lines).toContain('    3 min ago  synced  Sales order "SO-1001" (salesorder so-1)  invoice created');
    expect(lines).toContain('  Warning: No organisation is pinned');
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('should print the settings check of each organisation', () => {
    const text = formatStatus(
      {
        ...snapshot,
        preflight: {
          checkedAt: NOW,
          ok: false,
          problems: [],
          warnings: [],
          organisations: [
            { tenantId: 't-1', name: 'Demo Co', ok: true, problems: 0, warnings: [] },
            { tenantId: 't-2', name: 'Demo GmbH', ok: false, problems: 2, warnings: [] },
            { tenantId: 't-3', name: 'Demo Export', ok: false, problems: 0, warnings: [], error: 'Xero answered 503' },
          ],
        },
      },
      { timeZone: 'UTC' }
    );
    expect(text).toMatch(/\n\s+Demo Co: all mapping settings valid\n/);
    expect(text).toMatch(/\n\s+Demo GmbH: 2 setting\(s\) Xero cannot use\n/);
    expect(text).toMatch(/\n\s+Demo Export: could not check \(Xero answered 503\)/);
  });

  it('should print a body that is not a snapshot field by field', () => {
    expect(formatStatus({ queueDepth: { changes: 2 }, failed: 1 })).toBe('  Queue depth:\n    Changes: 2\n  Failed: 1');
  });
});
