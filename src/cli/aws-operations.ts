/**
 * `connector preview --aws` and `connector backfill --aws`: the same commands against a deployed stack, by invoking
 * its operations function (stack output OperationsFunctionName) with the caller's AWS credentials.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { OperationAnswer, OperationRequest, TableProgress } from '../../lambdas/core/operations/operations';
import type { SyncedTable } from '../../lambdas/core/model/change-event';
import { formatValue } from './format-output';

/** The function runs for up to 15 minutes; wait a little longer than that for its answer, never forever. */
const INVOKE_TIMEOUT_MS = 16 * 60_000;

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]{1,64}$/;

/** True for a Lambda function name or a function ARN (what `--aws` accepts). */
export function isFunctionRef(value: string): boolean {
  return FUNCTION_NAME.test(value) || FUNCTION_ARN.test(value);
}

/** The operations function answered with an error, or could not be invoked. */
export class AwsOperationError extends Error {}

export interface AwsOperationsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Invokes the operations function synchronously and returns its answer; refusals and crashes become errors. */
export class OperationsInvoker {
  private readonly lambda: LambdaClient;

  constructor(private readonly functionRef: string) {
    const region = FUNCTION_ARN.exec(functionRef)?.[1];
    this.lambda = new LambdaClient({
      ...(region ? { region } : {}),
      requestHandler: { connectionTimeout: 5_000, requestTimeout: INVOKE_TIMEOUT_MS },
    });
  }

  async invoke(request: OperationRequest): Promise<Exclude<OperationAnswer, { error: string }>> {
    let output;
    try {
      output = await this.lambda.send(
        new InvokeCommand({ FunctionName: this.functionRef, Payload: Buffer.from(JSON.stringify(request)) }),
        { abortSignal: AbortSignal.timeout(INVOKE_TIMEOUT_MS) }
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      if (name === 'TooManyRequestsException')
        throw new AwsOperationError(
          'the operations function is busy (it runs one operation at a time, e.g. a backfill); try again when it has finished'
        );
      throw new AwsOperationError(
        `could not invoke ${this.functionRef}: ${error instanceof Error ? error.message : String(error)}`
      );
    }
    const text = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    let answer: unknown;
    try {
      answer = JSON.parse(text || 'null');
    } catch {
      throw new AwsOperationError('the operations function answered with something other than JSON');
    }
    if (output.FunctionError) {
      const failure = (answer ?? {}) as { errorType?: unknown; errorMessage?: unknown };
      throw new AwsOperationError(
        `the operations function failed: ${String(failure.errorType ?? output.FunctionError)}: ${String(failure.errorMessage ?? '')}`.trim()
      );
    }
    if (answer === null || typeof answer !== 'object')
      throw new AwsOperationError('the operations function answered nothing');
    if ('error' in answer) {
      const { error, message } = answer as { error: unknown; message?: unknown };
      throw new AwsOperationError(`${String(error)}: ${String(message ?? '')}`);
    }
    return answer as Exclude<OperationAnswer, { error: string }>;
  }
}

export async function previewOnAws(
  io: AwsOperationsIo,
  functionRef: string,
  table: SyncedTable,
  id: string
): Promise<void> {
  const answer = await new OperationsInvoker(functionRef).invoke({ action: 'preview', table, id });
  // A record Dataverse does not have (or cannot be mapped) is a failure of the command, not a preview to print.
  if ('error' in answer && 'message' in answer) throw new AwsOperationError(String(answer.message));
  io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
}

/**
 * Estimate first (printed, like the local command), then invoke until the function says `done`. Each invocation
 * queues what fits in its time and answers `partial`; the ledger makes the next one skip what is already queued.
 */
export async function backfillOnAws(
  io: AwsOperationsIo,
  functionRef: string,
  request: { tables: SyncedTable[]; since?: string; dryRun?: boolean }
): Promise<void> {
  const fn = new OperationsInvoker(functionRef);
  const window = { tables: request.tables, ...(request.since ? { since: request.since } : {}) };
  const estimate = await fn.invoke({ action: 'backfill', ...window, dryRun: true });
  io.stdout(`${formatValue('estimate' in estimate ? estimate.estimate : estimate)}\n`);
  if (request.dryRun) return;

  const queued: Partial<Record<SyncedTable, number>> = {};
  for (let invocation = 1; ; invocation++) {
    const answer = await fn.invoke({ action: 'backfill', ...window });
    if (!('state' in answer)) throw new AwsOperationError('the operations function gave no backfill progress');
    let queuedNow = 0;
    for (const [table, p] of Object.entries(answer.progress) as [SyncedTable, TableProgress][]) {
      queued[table] = (queued[table] ?? 0) + p.queued;
      queuedNow += p.queued;
    }
    io.stderr(`queued: ${progressLine(answer.progress, queued)}   (run ${answer.runId}, invocation ${invocation})\n`);
    if (answer.state === 'done') {
      io.stdout(
        "Backfill queued; the sync works through it within Xero's rate limits (watch the stack's dashboard).\n"
      );
      return;
    }
    // Each invocation lists from the start; one that queued nothing spent its whole time re-reading the ledger.
    if (queuedNow === 0)
      throw new AwsOperationError(
        'the backfill made no progress in a whole invocation (too many records to re-list in 15 minutes); ' +
          'split it with --since or fewer --tables'
      );
  }
}

/** `account 250/1200  contact 0/40`: queued by this command so far / listed by the latest invocation. */
function progressLine(
  progress: Readonly<Partial<Record<SyncedTable, TableProgress>>>,
  queued: Partial<Record<SyncedTable, number>>
): string {
  return Object.entries(progress)
    .map(([table, p]) => `${table} ${queued[table as SyncedTable] ?? 0}/${p.listed}`)
    .join('  ');
}
