import { parseWhere } from '../../../sandbox/xero-accounting/where-filter';

describe('sandbox where filter', () => {
  const invoices = [
    { Type: 'ACCREC', Reference: 'A' },
    { Type: 'ACCPAY', Reference: 'A' },
    { Type: 'ACCREC', Reference: 'B (x) OR C' },
    { Type: 'ACCREC', Reference: 'C' },
  ];

  it('should honour parentheses around OR groups, as the connector sends them', () => {
    const matches = parseWhere('Type=="ACCREC" AND (Reference=="A" OR Reference=="B (x) OR C")');
    expect(invoices.filter(matches).map((i) => `${i.Type}:${i.Reference}`)).toEqual(['ACCREC:A', 'ACCREC:B (x) OR C']);
  });

  it('should still reject what it does not understand', () => {
    expect(() => parseWhere('Reference.StartsWith("A")')).toThrow('Unsupported where clause');
  });
});
