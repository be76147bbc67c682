import { ValidationError } from '../../../lambdas/core/errors';
import {
  DEFAULT_WRITEBACK_COLUMNS,
  resolveWritebackColumns,
  writebackColumnsFromJson,
  writebackColumnNames,
} from '../../../lambdas/core/writeback/columns';
import { DEFAULT_WRITEBACK_COLUMN_NAMES } from '../../helpers/writeback-column-names';

describe('resolveWritebackColumns', () => {
  it('should default to the d365x_ columns created by setup-dataverse', () => {
    expect(resolveWritebackColumns()).toEqual(DEFAULT_WRITEBACK_COLUMNS);
    expect(writebackColumnNames(DEFAULT_WRITEBACK_COLUMNS)).toEqual([...DEFAULT_WRITEBACK_COLUMN_NAMES]);
  });

  it('should apply another publisher prefix and single-column overrides', () => {
    const columns = resolveWritebackColumns({ invoiceUrl: 'cr9a1_xerolink' }, 'cr9a1_');
    expect(columns.amountDue).toBe('cr9a1_xeroamountdue');
    expect(columns.invoiceUrl).toBe('cr9a1_xerolink');
  });

  it('should refuse names that are not logical names, and a column used twice', () => {
    const attempt = () => resolveWritebackColumns({ status: "x' or 1 eq 1", amountPaid: 'd365x_xeroamountdue' });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      const issues = (error as ValidationError).issues;
      expect(issues).toHaveLength(2);
      expect(issues.join(' ')).toContain('used twice');
    }
  });
});

describe('writebackColumnsFromJson', () => {
  it('should read the columns the stack sets, and the defaults when none are set', () => {
    expect(writebackColumnsFromJson(JSON.stringify({ status: 'new_xerostatus' })).status).toBe('new_xerostatus');
    expect(writebackColumnsFromJson(undefined)).toEqual(DEFAULT_WRITEBACK_COLUMNS);
  });

  it('should refuse malformed JSON, unknown fields and names that are not text', () => {
    expect(() => writebackColumnsFromJson('{status:')).toThrow('WRITEBACK_COLUMNS is not valid JSON');
    expect(() => writebackColumnsFromJson('{"colour":"d365x_colour"}')).toThrow('unknown write-back column fields');
    expect(() => writebackColumnsFromJson('{"status":5}')).toThrow(ValidationError);
    expect(() => writebackColumnsFromJson('[]')).toThrow(ValidationError);
  });
});
