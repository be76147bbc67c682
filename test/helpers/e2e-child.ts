/**
 * The connector as a real child process (`node --import tsx src/local/main.ts`, one process, so a signal reaches
 * the connector itself), for restart, kill -9, SIGTERM and bad-configuration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './e2e-harness';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface ConnectorChild {
  readonly process: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** Only what node needs from the outside, so no variable of the test runner's shell leaks into the config. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];
  return Object.fromEntries(
    keep.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name] as string]] : []))
  );
}

export function spawnConnector(env: Record<string, string>): ConnectorChild {
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'local', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { process: child, output: () => output, exited };
}

/** Waits until the child answers GET /health (or fails early when it exits). */
export async function waitForHealthy(child: ConnectorChild, url: string, timeoutMs = 30_000): Promise<void> {
  let ended = false;
  void child.exited.then(() => (ended = true));
  await waitFor(
    `the connector child at ${url}`,
    async () => {
      if (ended) throw new Error(`child exited early:\n${child.output()}`);
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return response?.status === 200;
    },
    { timeoutMs, everyMs: 100 }
  );
}

export async function stopChild(child: ConnectorChild | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGKILL');
  await child.exited;
}
