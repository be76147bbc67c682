/** One helper for test folders: every test gets its own, never the checkout's `.data`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `connector-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
