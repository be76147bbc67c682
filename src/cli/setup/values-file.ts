/**
 * `--from-file`: the operator's values for an unattended run, as a JSON object of strings or `.env` lines, keyed by
 * the contract's names. Refuses a file others can read (it holds client secrets) and never quotes a value back.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseDotenv } from '../../local/dotenv-file';
import { SetupInputError } from './setup-errors';

export function readValuesFile(path: string): Record<string, string> {
  let text: string;
  try {
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
      throw new SetupInputError(`${path} can be read by other users: chmod 600 ${path} first`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof SetupInputError) throw error;
    throw new SetupInputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return parseValues(text, path);
}

export function parseValues(text: string, path: string): Record<string, string> {
  if (!text.trimStart().startsWith('{')) return parseDotenv(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message can quote the file's text, which may be a secret: name the file only.
    throw new SetupInputError(`${path} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SetupInputError(`${path} must hold one JSON object of names to strings`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new SetupInputError(`${path}: ${key} must be a string`);
    out[key] = value;
  }
  return out;
}
