import {
  InvokeCommand,
  LambdaClient,
  TooManyRequestsException,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../../src/cli/main';
import { captureIo } from '../../helpers/capture-io';

const ACCOUNT_ID = '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301';
const FUNCTION = 'D365Xero-dev-OperationsFunction1A2B3C';
const ARN = `arn:aws:lambda:ap-southeast-2:123456789012:function:${FUNCTION}`;

const payload = (value: unknown) => Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
/** The dry run's answer for tables with nothing to backfill. */
const EMPTY_ESTIMATE = {
  Payload: payload({ dryRun: true, runId: 'r1', estimate: { records: {}, xeroCalls: 0, dayBudget: 5000, days: 0 } }),
};

describe('connector preview / backfill --aws', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());

  const sentRequests = () =>
    lambda
      .commandCalls(InvokeCommand)
      .map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as unknown);

  it('should invoke the operations function with the preview request and print its answer', async () => {
    const plan = { writes: [{ kind: 'upsert-contact', contact: { ContactNumber: ACCOUNT_ID } }], forward: [] };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(plan) });
    const t = captureIo();

    const code = await runCli(['preview', 'account', ACCOUNT_ID, '--aws', FUNCTION], t);

    expect(code).toBe(0);
    expect(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.FunctionName).toBe(FUNCTION);
    expect(sentRequests()).toEqual([{ action: 'preview', table: 'account', id: ACCOUNT_ID }]);
    expect(JSON.parse(t.out())).toEqual(plan);
  });

  it('should call the region named in a function ARN', async () => {
    lambda.on(InvokeCommand).resolves({ Payload: payload({ writes: [], forward: [], skipped: 'x' }) });

    expect(await runCli(['preview', 'account', ACCOUNT_ID, '--aws', ARN], captureIo())).toBe(0);

    const client = lambda.commandCalls(InvokeCommand)[0]!.thisValue as LambdaClient;
    expect(await client.config.region()).toBe('ap-southeast-2');
  });

  it('should exit 1 with the message when the function answers an error', async () => {
    lambda.on(InvokeCommand).resolves({
      Payload: payload({ error: 'cannot_map', message: 'PermanentError: order has no customer' }),
    });
    const t = captureIo();

    const code = await runCli(['preview', 'salesorder', ACCOUNT_ID, '--aws', FUNCTION], t);

    expect(code).toBe(1);
    expect(t.err()).toContain('cannot_map: PermanentError: order has no customer');
    expect(t.out()).toBe('');
  });

  it('should exit 1 with the error of a function that crashed', async () => {
    lambda.on(InvokeCommand).resolves({
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'ValidationError', errorMessage: 'environment variable DATAVERSE_URL is not set' }),
    });
    const t = captureIo();

    expect(await runCli(['preview', 'account', ACCOUNT_ID, '--aws', FUNCTION], t)).toBe(1);
    expect(t.err()).toContain('ValidationError: environment variable DATAVERSE_URL is not set');
  });

  it('should say the function is busy when it is throttled (a backfill is running)', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    const t = captureIo();

    expect(await runCli(['preview', 'account', ACCOUNT_ID, '--aws', FUNCTION], t)).toBe(1);
    expect(t.err()).toContain('busy');
  });

  it.each([
    ['an SQS URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo'],
    ['an ARN of another service', 'arn:aws:sqs:eu-west-1:123456789012:queue'],
    ['a name with spaces', 'my function'],
  ])('should refuse %s as --aws with a usage error and invoke nothing', async (_label, value) => {
    const t = captureIo();

    expect(await runCli(['backfill', '--tables', 'account', '--aws', value], t)).toBe(2);
    expect(await runCli(['preview', 'account', ACCOUNT_ID, '--aws', value], t)).toBe(2);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(t.err()).toContain('--aws takes the operations function name or ARN');
  });

  it('should print the estimate, then invoke again while the answer is partial, until done', async () => {
    const estimate = { records: { account: 250, salesorder: 40 }, xeroCalls: 14, dayBudget: 5000, days: 1 };
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ Payload: payload({ dryRun: true, runId: 'r1', estimate }) })
      .resolvesOnce({
        Payload: payload({ state: 'partial', runId: 'r1', progress: { account: { listed: 200, queued: 200 } } }),
      })
      .resolvesOnce({
        Payload: payload({
          state: 'partial',
          runId: 'r1',
          progress: { account: { listed: 250, queued: 50 }, salesorder: { listed: 10, queued: 10 } },
        }),
      })
      .resolvesOnce({
        Payload: payload({
          state: 'done',
          runId: 'r1',
          progress: { account: { listed: 250, queued: 0 }, salesorder: { listed: 40, queued: 30 } },
        }),
      });
    const t = captureIo();

    const code = await runCli(
      ['backfill', '--tables', 'salesorder,account', '--since', '2026-01-01', '--aws', FUNCTION],
      t
    );

    expect(code).toBe(0);
    expect(sentRequests()).toEqual([
      { action: 'backfill', tables: ['salesorder', 'account'], since: '2026-01-01', dryRun: true },
      { action: 'backfill', tables: ['salesorder', 'account'], since: '2026-01-01' },
      { action: 'backfill', tables: ['salesorder', 'account'], since: '2026-01-01' },
      { action: 'backfill', tables: ['salesorder', 'account'], since: '2026-01-01' },
    ]);
    expect(t.out()).toContain('Xero calls: 14');
    expect(t.out()).toContain('Backfill queued');
    const progressLines = t.err().trim().split('\n');
    expect(progressLines).toHaveLength(3);
    expect(progressLines[2]).toContain('account 250/250  salesorder 40/40');
  });

  it('should stop after the estimate on a dry run', async () => {
    lambda.on(InvokeCommand).resolves({
      Payload: payload({
        dryRun: true,
        runId: 'r1',
        estimate: { records: { product: 3 }, xeroCalls: 2, dayBudget: 5000, days: 1 },
      }),
    });
    const t = captureIo();

    expect(await runCli(['backfill', '--tables', 'product', '--dry-run', '--aws', FUNCTION], t)).toBe(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(t.out()).toContain('Product: 3');
  });

  it('should exit 1 instead of looping when an invocation makes no progress', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(EMPTY_ESTIMATE)
      .resolves({
        Payload: payload({ state: 'partial', runId: 'r1', progress: { account: { listed: 900, queued: 0 } } }),
      });
    const t = captureIo();

    expect(await runCli(['backfill', '--tables', 'account', '--aws', FUNCTION], t)).toBe(1);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(2);
    expect(t.err()).toContain('no progress');
  });

  it('should exit 1 with the message when the backfill fails part-way', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(EMPTY_ESTIMATE)
      .resolves({ Payload: payload({ error: 'backfill_failed', message: 'TransientError: Dataverse answered 503' }) });
    const t = captureIo();

    expect(await runCli(['backfill', '--tables', 'account', '--aws', FUNCTION], t)).toBe(1);
    expect(t.err()).toContain('backfill_failed: TransientError: Dataverse answered 503');
  });
});
