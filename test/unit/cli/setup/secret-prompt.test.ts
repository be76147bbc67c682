import { PassThrough } from 'node:stream';
import { terminalPrompt } from '../../../../src/cli/setup/secret-prompt';

function terminal() {
  const input = new PassThrough();
  let shown = '';
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
  return { input, output, shown: () => shown };
}

describe('terminalPrompt', () => {
  it('should read a secret without echoing what is typed', async () => {
    const t = terminal();
    const ask = terminalPrompt(t.input, t.output);
    const answer = ask({ name: 'XERO_CLIENT_SECRET', label: 'Xero app client secret', secret: true });
    t.input.write('s3cr3t-value\r');
    await expect(answer).resolves.toBe('s3cr3t-value');
    expect(t.shown()).toContain('Xero app client secret (not shown): ');
    expect(t.shown()).not.toContain('s3cr3t');
  });

  it('should echo a value that is not a secret', async () => {
    const t = terminal();
    const answer = terminalPrompt(t.input, t.output)({ name: 'XERO_CLIENT_ID', label: 'Client id', secret: false });
    t.input.write('ABC123\r');
    await expect(answer).resolves.toBe('ABC123');
    expect(t.shown()).toContain('ABC123');
  });

  it('should stop setup on Ctrl-C, before anything is written', async () => {
    const t = terminal();
    const answer = terminalPrompt(t.input, t.output)({ name: 'XERO_CLIENT_ID', label: 'Client id', secret: false });
    t.input.write('\u0003');
    await expect(answer).rejects.toThrow(/setup cancelled: nothing was changed/);
  });

  it('should leave the value empty on end of input (Ctrl-D), so setup reports it missing', async () => {
    const t = terminal();
    const answer = terminalPrompt(t.input, t.output)({ name: 'XERO_CLIENT_ID', label: 'Client id', secret: false });
    t.input.end();
    await expect(answer).resolves.toBe('');
  });
});
