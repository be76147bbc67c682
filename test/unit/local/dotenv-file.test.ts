import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatDotenv,
  loadDotenvInto,
  parseDotenv,
  readDotenvFile,
  writeDotenvFile,
} from '../../../src/local/dotenv-file';
import { tempDir } from '../../helpers/temp-dir';

describe('the local .env file', () => {
  const folder = tempDir('dotenv');
  afterAll(() => folder.remove());

  it('should round-trip values with quotes, #, =, spaces, backslashes and newlines', () => {
    const values = { A: 'plain', B: 'has "quotes" and # hash', C: 'a=b c', D: 'back\\slash', E: 'two\nlines' };
    expect(parseDotenv(formatDotenv(values, 'header\nsecond line'))).toEqual(values);
  });

  it('should write the file owner-only (0600)', () => {
    const path = join(folder.dir, '.env');
    writeDotenvFile(path, formatDotenv({ SECRET: 's' }, 'h'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readDotenvFile(path)).toEqual({ SECRET: 's' });
  });

  it('should fill only variables the environment does not set', () => {
    const path = join(folder.dir, 'load.env');
    writeDotenvFile(path, 'PORT=4000\nXERO_CLIENT_ID=from-file\nEMPTY_IN_ENV=x\n');
    const env: NodeJS.ProcessEnv = { PORT: '5000', EMPTY_IN_ENV: '' };
    expect(loadDotenvInto(env, path).sort()).toEqual(['EMPTY_IN_ENV', 'XERO_CLIENT_ID']);
    expect(env).toEqual({ PORT: '5000', XERO_CLIENT_ID: 'from-file', EMPTY_IN_ENV: 'x' });
  });

  it('should read a missing file as empty', () => {
    expect(loadDotenvInto({}, join(folder.dir, 'absent.env'))).toEqual([]);
  });
});
