/** One capture of a command's output for CLI tests: what it printed on stdout and stderr, given `env`. */
export function captureIo(env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  return {
    env,
    stdout: (text: string) => {
      out += text;
    },
    stderr: (text: string) => {
      err += text;
    },
    out: () => out,
    err: () => err,
  };
}

export type CapturedIo = ReturnType<typeof captureIo>;

/** Runs `command` with captured output; returns its exit code and what it printed. */
export async function runCaptured(
  command: (io: CapturedIo) => Promise<number>,
  env: NodeJS.ProcessEnv = {}
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(env);
  const code = await command(io);
  return { code, out: io.out(), err: io.err() };
}
