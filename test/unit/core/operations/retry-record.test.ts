import { parseRetryTarget, retryChangeEvent } from '../../../../lambdas/core/operations/retry-record';

describe('retry of one record', () => {
  it('should accept a synced table and a GUID in any case, and refuse anything else', () => {
    expect(parseRetryTarget('salesorder', 'A1B2C3D4-0000-4000-8000-00000000000A')).toEqual({
      table: 'salesorder',
      id: 'a1b2c3d4-0000-4000-8000-00000000000a',
    });
    expect(parseRetryTarget('invoice', 'a1b2c3d4-0000-4000-8000-00000000000a')).toBeUndefined();
    expect(parseRetryTarget('account', 'a1b2c3d4')).toBeUndefined();
    expect(parseRetryTarget(undefined, undefined)).toBeUndefined();
  });

  it('should become an Update change of that record, deduplicated per moment so a second Retry is not dropped', () => {
    const target = { table: 'account', id: 'a1b2c3d4-0000-4000-8000-00000000000a' } as const;
    const first = retryChangeEvent(target, new Date('2026-03-01T10:00:00Z'));
    const second = retryChangeEvent(target, new Date('2026-03-01T10:00:05Z'));
    expect(first).toMatchObject({ table: 'account', id: target.id, message: 'Update', source: 'retry' });
    expect(first.dedupeId).not.toBe(second.dedupeId);
  });
});
