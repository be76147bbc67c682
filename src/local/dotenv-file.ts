/**
 * The one-machine runtime's `.env` file: `KEY=value` lines, `#` comments, optional single or double quotes. Written
 * by `connector setup --local` (mode 0600) and read by `npm start` before the configuration is loaded; a variable
 * already set in the real environment wins over the file, so a one-off `FOO=bar npm start` still works.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(raw)) continue;
    const match = LINE.exec(raw);
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[match[1]!] = value;
  }
  return out;
}

/** One `KEY="value"` line per entry, quoted so `#`, spaces and `=` in a secret survive a round trip. */
export function formatDotenv(values: Readonly<Record<string, string>>, header: string): string {
  const lines = Object.entries(values).map(
    ([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
  );
  return `${header
    .split('\n')
    .map((l) => `# ${l}`)
    .join('\n')}\n${lines.join('\n')}\n`;
}

export function readDotenvFile(path: string): Record<string, string> {
  return existsSync(path) ? parseDotenv(readFileSync(path, 'utf8')) : {};
}

/** Replaces the file in one rename, owner-only from the first byte (it holds client secrets). */
export function writeDotenvFile(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Adds the file's values to `env` where `env` has none; returns the names it added. */
export function loadDotenvInto(env: NodeJS.ProcessEnv, path: string): string[] {
  const added: string[] = [];
  for (const [key, value] of Object.entries(readDotenvFile(path))) {
    if (env[key] === undefined || env[key] === '') {
      env[key] = value;
      added.push(key);
    }
  }
  return added;
}
