/**
 * Asks the operator for a value on the terminal. Secrets are typed without echo: readline's output is muted while
 * the answer is typed (the question itself is written before muting). Only used when stdin is a TTY; unattended
 * runs take values from the environment or `--from-file`.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { SetupInputError } from './setup-errors';
import type { SetupInput } from './setup-inputs';

export function terminalPrompt(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr
): (question: SetupInput) => Promise<string> {
  return (question) =>
    new Promise((resolve, reject) => {
      let muted = false;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (!muted) output.write(chunk);
          done();
        },
      });
      const rl = createInterface({ input, output: sink, terminal: true });
      let answered = false;
      rl.question(`${question.label}${question.secret ? ' (not shown)' : ''}: `, (answer) => {
        answered = true;
        rl.close();
        if (question.secret) output.write('\n');
        resolve(answer);
      });
      // Ctrl-C stops setup before anything is written; Ctrl-D leaves the value missing.
      rl.on('SIGINT', () => {
        answered = true;
        rl.close();
        output.write('\n');
        reject(new SetupInputError('setup cancelled: nothing was changed'));
      });
      rl.on('close', () => {
        if (!answered) resolve('');
      });
      muted = question.secret;
    });
}
