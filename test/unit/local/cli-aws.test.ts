import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../../src/cli/main';

describe('connector retry --aws', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        stdout: (t: string) => void out.push(t),
        stderr: (t: string) => void err.push(t),
        env: { AWS_REGION: 'eu-west-1' },
      },
    };
  }

  it("should send the change to the stack's changes queue, grouped by record", async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/D365Xero-dev-Changes.fifo';
    const t = io();

    const code = await runCli(['retry', 'salesorder', 'D4C8B1E6-2A7F-4D39-95E0-3B6A1C8F7E01', '--aws', url], t.io);

    expect(code).toBe(0);
    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.MessageGroupId).toBe('salesorder:d4c8b1e6-2a7f-4d39-95e0-3b6a1c8f7e01');
    expect(JSON.parse(entry.MessageBody!)).toMatchObject({ table: 'salesorder', source: 'retry', message: 'Update' });
    expect(t.out.join('')).toContain('Queued salesorder');
  });

  it('should refuse a URL that is not a FIFO changes queue', async () => {
    const t = io();
    expect(
      await runCli(['retry', 'account', '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301', '--aws', 'https://example.com/q'], t.io)
    ).toBe(2);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});
