import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseValues, readValuesFile } from '../../../../src/cli/setup/values-file';
import { SetupInputError } from '../../../../src/cli/setup/setup-errors';
import { tempDir } from '../../../helpers/temp-dir';

describe('--from-file values', () => {
  const folder = tempDir('values-file');
  afterAll(() => folder.remove());

  it('should read a JSON object of strings', () => {
    const path = join(folder.dir, 'values.json');
    writeFileSync(path, JSON.stringify({ XERO_CLIENT_ID: 'id', XERO_CLIENT_SECRET: 'a#b "c"' }), { mode: 0o600 });
    expect(readValuesFile(path)).toEqual({ XERO_CLIENT_ID: 'id', XERO_CLIENT_SECRET: 'a#b "c"' });
  });

  it('should read .env lines with comments, quotes and export', () => {
    expect(
      parseValues('# values\nexport XERO_CLIENT_ID=abc\nXERO_CLIENT_SECRET="s p#ace"\nXERO_WEBHOOK_KEY=k # note\n', 'f')
    ).toEqual({ XERO_CLIENT_ID: 'abc', XERO_CLIENT_SECRET: 's p#ace', XERO_WEBHOOK_KEY: 'k' });
  });

  it('should refuse broken JSON without quoting the file (it may hold a secret)', () => {
    const text = '{"XERO_CLIENT_SECRET": "hunter2-very-secret",}';
    expect(() => parseValues(text, 'values.json')).toThrow(SetupInputError);
    expect(() => parseValues(text, 'values.json')).toThrow(/^values.json is not valid JSON$/);
  });

  it('should refuse a value that is not a string', () => {
    expect(() => parseValues('{"XERO_CLIENT_ID": 5}', 'v.json')).toThrow(/XERO_CLIENT_ID must be a string/);
  });

  it('should refuse a file other users can read', () => {
    const path = join(folder.dir, 'open.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    expect(() => readValuesFile(path)).toThrow(/can be read by other users: chmod 600/);
  });

  it('should say a missing file cannot be read', () => {
    expect(() => readValuesFile(join(folder.dir, 'nope.json'))).toThrow(/cannot read .*nope.json: ENOENT/);
  });
});
