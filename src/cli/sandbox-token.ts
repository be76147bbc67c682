import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** In sandbox mode `npm start` keeps its generated admin token in a file (0600) instead of printing it. */
export function sandboxAdminToken(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return readFileSync(join(env.DATA_DIR || './.data', 'sandbox-admin-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
