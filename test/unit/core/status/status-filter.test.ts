import { filterSnapshot, parseStatusFilter, statusPageLocation } from '../../../../lambdas/core/status/status-filter';
import type { StatusSnapshot } from '../../../../lambdas/core/status/status-snapshot';

describe('status filters', () => {
  it('should keep known tables and outcomes and ignore anything else', () => {
    expect(parseStatusFilter({ table: 'account', outcome: 'failed', refresh: 'off' })).toEqual({
      table: 'account',
      outcome: 'failed',
      paused: true,
    });
    expect(parseStatusFilter({ table: 'systemuser', outcome: '<x>', refresh: 'yes' })).toEqual({});
  });

  it('should send a Retry back to the page with its filters, never anywhere else', () => {
    expect(statusPageLocation('/', 'table=product&outcome=synced')).toBe('/?table=product&outcome=synced');
    expect(statusPageLocation('/', undefined)).toBe('/');
    expect(statusPageLocation('/', '//evil.example/&table=x')).toBe('/');
    expect(statusPageLocation('/prod/', 'refresh=off&next=https://evil.example')).toBe('/prod/?refresh=off');
  });

  it('should filter outcomes and dead letters of a snapshot', () => {
    const row = (table: 'account' | 'product', status: 'synced' | 'failed') => ({
      table,
      id: `${table}-${status}`,
      at: '2026-12-08T03:00:00.000Z',
      status,
      message: '',
    });
    const snapshot = {
      recent: [row('account', 'synced'), row('account', 'failed'), row('product', 'failed')],
      failures: [row('account', 'failed'), row('product', 'failed')],
      deadLetters: [
        { queue: 'changes', retryKey: 'a', record: { table: 'account', id: 'a' } },
        { queue: 'xero-events', retryKey: 'b' },
      ],
    } as unknown as StatusSnapshot;
    const shown = filterSnapshot(snapshot, { table: 'account', outcome: 'failed' });
    expect(shown.recent.map((r) => r.id)).toEqual(['account-failed']);
    expect(shown.failures.map((r) => r.id)).toEqual(['account-failed']);
    expect(shown.deadLetters.map((d) => d.retryKey)).toEqual(['a']);
    expect(filterSnapshot(snapshot, { outcome: 'synced' }).failures).toEqual([]);
    expect(filterSnapshot(snapshot, {}).deadLetters).toHaveLength(2);
  });
});
