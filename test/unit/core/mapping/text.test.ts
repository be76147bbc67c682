import { clean, cleanText, truncate, withoutUndefined } from '../../../../lambdas/core/mapping/text';

describe('text helpers', () => {
  it.each([
    ['Société Générale', 7, 'Société'],
    ['北京 🚀 launch', 4, '北京 '],
    ['北京 🚀 launch', 5, '北京 🚀'],
    ['🚀🚀', 3, '🚀'],
    ['🚀', 1, ''],
    ['short', 50, 'short'],
  ])('should truncate %p to %i UTF-16 units without splitting a surrogate pair', (value, max, expected) => {
    const result = truncate(value, max);
    expect(result).toBe(expected);
    expect(result.length).toBeLessThanOrEqual(max);
    expect(result).toBe(Buffer.from(result, 'utf8').toString('utf8'));
  });

  it.each([
    ['  Ünïcode 北京 🚀  ', 'Ünïcode 北京 🚀'],
    ['   ', undefined],
    ['', undefined],
    [42, undefined],
    [null, undefined],
    [undefined, undefined],
  ])('should clean %p to %p', (value, expected) => {
    expect(clean(value)).toBe(expected);
  });

  it('should trim again after a cut that exposes a space', () => {
    expect(cleanText('  Fourth Coffee Roasters ', 7)).toBe('Fourth');
  });

  it('should drop undefined keys but keep false, 0 and empty arrays', () => {
    expect(withoutUndefined({ a: undefined, b: false, c: 0, d: [] as string[] })).toStrictEqual({
      b: false,
      c: 0,
      d: [],
    });
  });
});
