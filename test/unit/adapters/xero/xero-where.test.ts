import { anyOf, chunkWhere, quoteWhereValue } from '../../../../lambdas/adapters/xero/xero-where';

describe('xero where filters', () => {
  it('should quote values and escape backslashes before quotes', () => {
    expect(quoteWhereValue('plain')).toBe('"plain"');
    expect(quoteWhereValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(anyOf('Code', ['A', 'B'])).toBe('Code=="A" OR Code=="B"');
  });

  it('should drop duplicate keys and respect the key-count limit', () => {
    const keys = Array.from({ length: 7 }, (_, n) => `K${n}`);
    const chunks = chunkWhere('Code', [...keys, 'K1'], { maxKeys: 3, maxEncodedChars: 10_000 });
    expect(chunks).toEqual([['K0', 'K1', 'K2'], ['K3', 'K4', 'K5'], ['K6']]);
  });

  it('should respect the encoded-length limit including the wrapper', () => {
    const wrap = (filter: string) => `Type=="ACCREC" AND (${filter})`;
    const keys = Array.from({ length: 40 }, (_, n) => `ORDER-${n}`.padEnd(30, 'x'));
    const chunks = chunkWhere('Reference', keys, { maxKeys: 50, maxEncodedChars: 600 }, wrap);
    expect(chunks.flat()).toEqual(keys);
    for (const chunk of chunks)
      expect(encodeURIComponent(wrap(anyOf('Reference', chunk))).length).toBeLessThanOrEqual(600);
  });

  it('should still give an oversize single key its own chunk', () => {
    expect(chunkWhere('Code', ['x'.repeat(50), 'y'], { maxKeys: 50, maxEncodedChars: 20 })).toEqual([
      ['x'.repeat(50)],
      ['y'],
    ]);
  });
});
