/**
 * `connector`: the operator CLI for a running local connector. It talks to the connector over HTTP (admin routes,
 * bearer token) and never touches the database itself, so it works the same against any running instance.
 * With `--aws`, retry, redrive, preview and backfill act on a deployed stack instead, with the caller's AWS credentials.
 * `setup --stage <name>` (or `--local`) configures a deployment from scratch: src/cli/setup/run-setup.ts.
 *
 * Exit codes: 0 ok · 1 the connector reported a failure · 2 usage error · 3 the connector cannot be reached.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isSyncedTable, SYNCED_TABLES, type SyncedTable } from '../../lambdas/core/model/change-event';
import { ConnectorClient, ConnectorUnreachableError, type ConnectorResponse } from './connector-client';
import { registerDataverseCommands } from './dataverse-commands';
import { registerSetupCommand } from './setup/setup-command';
import { errorMessageOf, formatValue, statusAlerts, terminalJson, terminalSafe } from './format-output';
import { formatStatus } from './format-status';
import { sandboxAdminToken } from './sandbox-token';

export const EXIT_OK = 0;
export const EXIT_SERVER_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
  /** Where `setup --local` finds DATA_DIR when it is relative (default: the process's working directory). */
  readonly cwd?: string;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  timeout: number;
}

/** A mistake in how the CLI was called. */
class UsageError extends Error {}

/** The connector answered with an error status. */
class ServerFailureError extends Error {}

const QUEUES = ['changes', 'writes'] as const;

export function createProgram(io: CliIo): Command {
  const program = new Command('connector');
  // Before any subcommand is added, so they inherit output and exit handling.
  program
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run `connector --help` for usage)');

  program
    .description('Operate a running Dynamics 365 → Xero connector (started with `npm start`).')
    .option(
      '--url <base>',
      'base URL of the running connector (default: http://127.0.0.1:$PORT, PORT defaults to 3000)'
    )
    .option(
      '--token <admin token>',
      'admin bearer token (default: $CONNECTOR_ADMIN_TOKEN, or the sandbox token in $DATA_DIR/sandbox-admin-token)'
    )
    .addOption(
      new Option('--timeout <ms>', 'how long to wait for the connector to answer')
        .default(10_000)
        .argParser(positiveInt)
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 the connector reported a failure, 2 usage error, 3 the connector cannot be reached.'
    );

  const client = (command: Command): { client: ConnectorClient; baseUrl: string } => {
    const options = command.optsWithGlobals<GlobalOptions>();
    const baseUrl = options.url ?? `http://127.0.0.1:${io.env.PORT || '3000'}`;
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new UsageError(`--url is not a URL: ${baseUrl}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError('--url must start with http:// or https://');
    }
    const token = options.token ?? io.env.CONNECTOR_ADMIN_TOKEN ?? sandboxAdminToken(io.env);
    if (!token) throw new UsageError('no admin token: pass --token or set CONNECTOR_ADMIN_TOKEN');
    return {
      baseUrl,
      client: new ConnectorClient({
        baseUrl,
        token,
        timeoutMs: options.timeout,
        ...(io.fetch ? { fetch: io.fetch } : {}),
      }),
    };
  };

  /** A client for a deployed stage: its API URL from the stack outputs, the admin token from its secret. */
  const stageClient = async (stage: string, command: Command): Promise<ConnectorClient> => {
    const { readStageAdmin } = await import('./aws/stage-admin');
    const admin = await readStageAdmin(stage);
    return new ConnectorClient({
      baseUrl: admin.baseUrl,
      token: admin.adminToken,
      timeoutMs: command.optsWithGlobals<GlobalOptions>().timeout,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
  };

  program
    .command('status')
    .description('Show the Xero connection, queue depths and sync counts')
    .option('--json', 'print the raw JSON answer')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { client: c, baseUrl } = client(command);
      const body = expectOk(await c.request('GET', '/status'));
      if (options.json) io.stdout(`${JSON.stringify(body, null, 2)}\n`);
      else {
        const alerts = statusAlerts(body).map((alert) => `  ! ${alert}\n`);
        io.stdout(`Connector at ${baseUrl}\n${alerts.join('')}${formatStatus(body)}\n`);
      }
    });

  program
    .command('retry')
    .description('Queue one Dataverse record for another sync (also takes it out of the dead letters)')
    .argument('<table>', `table: ${SYNCED_TABLES.join(', ')}`)
    .argument('<id>', 'Dataverse record GUID')
    .option('--aws <changes queue url>', "on AWS: send the change straight to the stack's changes queue (FIFO)")
    .action(async (table: string, id: string, options: { aws?: string }, command: Command) => {
      checkRecord(table, id);
      if (options.aws) {
        // Any endpoint's URL shape (public, VPC endpoint, emulator): <scheme>://<host>/<account>/<name>.fifo
        if (!/^https?:\/\/[^/\s]+\/\d{12}\/[A-Za-z0-9_-]+\.fifo$/.test(options.aws)) {
          throw new UsageError(
            '--aws takes the changes queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>.fifo, or the same path on your endpoint)'
          );
        }
        const { SQSClient } = await import('@aws-sdk/client-sqs');
        const { SqsChangeQueue } = await import('../../lambdas/adapters/aws/sqs-queues');
        const now = new Date().toISOString();
        await new SqsChangeQueue(new SQSClient({}), options.aws).enqueue([
          {
            table: table as SyncedTable,
            id: id.toLowerCase(),
            message: 'Update',
            occurredAt: now,
            dedupeId: `retry:${table}:${id}:${now}`,
            source: 'retry',
          },
        ]);
        io.stdout(`Queued ${table} ${id} for another sync on AWS.\n`);
        return;
      }
      const body = expectOk(await client(command).client.request('POST', '/admin/retry', { table, id }));
      io.stdout(`${messageOf(body) ?? `Queued ${table} ${id} for another sync.`}\n`);
    });

  program
    .command('redrive')
    .description('Move dead-lettered work back onto its queue to be tried again')
    .addOption(new Option('--queue <name>', 'only this queue').choices(QUEUES))
    .option('--table <table>', `only changes of this table (${SYNCED_TABLES.join(', ')})`)
    .option(
      '--aws <dlq arn...>',
      'on AWS: move every message of these dead-letter queues back to their source queues (SQS StartMessageMoveTask)'
    )
    .action(async (options: { queue?: string; table?: string; aws?: string[] }, command: Command) => {
      if (options.aws) {
        if (!options.aws.every((arn) => arn.startsWith('arn:aws')))
          throw new UsageError('--aws takes dead-letter queue ARNs');
        const { SQSClient } = await import('@aws-sdk/client-sqs');
        const { redriveDeadLetterQueues } = await import('../../lambdas/adapters/aws/sqs-redrive');
        const started = await redriveDeadLetterQueues(new SQSClient({}), options.aws);
        for (const s of started) {
          io.stdout(
            s.taskHandle
              ? `Moving ${s.messages} message(s) from ${s.sourceArn} back to its queue.\n`
              : `${s.sourceArn} is empty.\n`
          );
        }
        return;
      }
      if (options.table !== undefined && !isSyncedTable(options.table)) {
        throw new UsageError(`unknown table "${options.table}"; expected one of ${SYNCED_TABLES.join(', ')}`);
      }
      const request = {
        ...(options.queue ? { queue: options.queue } : {}),
        ...(options.table ? { table: options.table } : {}),
      };
      const body = expectOk(await client(command).client.request('POST', '/admin/redrive', request));
      const moved = countOf(body);
      if (moved !== undefined) io.stdout(`Moved ${moved} dead letter${moved === 1 ? '' : 's'} back to the queue.\n`);
      else io.stdout(`${messageOf(body) ?? formatValue(body)}\n`);
    });

  program
    .command('connect-link')
    .description('Print a short-lived signed link that opens the Xero consent page (connect or reconnect Xero)')
    .option('--stage <name>', 'on AWS: ask the deployed stack of this stage (its outputs and admin secret)')
    .action(async (options: { stage?: string }, command: Command) => {
      const body = options.stage
        ? expectOk(await (await stageClient(options.stage, command)).request('GET', '/oauth/xero/connect?format=link'))
        : expectOk(await client(command).client.request('POST', '/admin/connect-link'));
      const record = asRecord(body);
      const url = typeof record?.url === 'string' ? record.url : undefined;
      if (!url) throw new ServerFailureError('the connector answered without a link');
      io.stdout(`${url}\n`);
      const expires = record?.expiresAt;
      if (typeof expires === 'string') io.stderr(`Open it in a browser before ${expires}.\n`);
    });

  program
    .command('disconnect')
    .description('Revoke the Xero connection and forget its tokens; syncing pauses until you connect again')
    .action(async (_options: unknown, command: Command) => {
      const body = expectOk(await client(command).client.request('POST', '/admin/disconnect'));
      io.stdout(`${messageOf(body) ?? 'Disconnected from Xero. Run `connector connect-link` to connect again.'}\n`);
    });

  program
    .command('preview')
    .description('Show the Xero document a Dataverse record would become, without writing anything')
    .argument('<table>', `table: ${SYNCED_TABLES.join(', ')}`)
    .argument('<id>', 'Dataverse record GUID')
    .option('--aws <function>', "on AWS: invoke the stack's operations function (output OperationsFunctionName)")
    .action(async (table: string, id: string, options: { aws?: string }, command: Command) => {
      checkRecord(table, id);
      if (options.aws) {
        const aws = await awsOperations(options.aws);
        await aws.previewOnAws(io, options.aws, table as SyncedTable, id);
        return;
      }
      const path = `/admin/preview/${encodeURIComponent(table)}/${encodeURIComponent(id)}`;
      const body = expectOk(await client(command).client.request('GET', path));
      io.stdout(`${typeof body === 'string' ? terminalSafe(body) : terminalJson(body)}\n`);
    });

  program
    .command('login-link')
    .description('Print a short-lived, single-use link that signs a browser in to the status page')
    .option('--stage <name>', 'on AWS: ask the deployed stack of this stage (its outputs and admin secret)')
    .action(async (options: { stage?: string }, command: Command) => {
      const target = options.stage ? await stageClient(options.stage, command) : client(command).client;
      const body = expectOk(await target.request('POST', '/admin/login-link'));
      const record = asRecord(body);
      if (typeof record?.url !== 'string') throw new ServerFailureError('the connector answered without a link');
      io.stdout(`${record.url}\n`);
      if (typeof record.expiresAt === 'string') io.stderr(`Open it in a browser before ${record.expiresAt}.\n`);
    });

  program
    .command('backfill')
    .description('Queue every existing record of the given tables for sync (resumable; never duplicates in Xero)')
    .requiredOption('--tables <list>', `comma-separated: ${SYNCED_TABLES.join(',')}`)
    .option('--since <date>', 'only records modified at or after this date (ISO 8601)')
    .option('--dry-run', 'count the records and estimate Xero calls and days against the day budget; queue nothing')
    .option(
      '--aws <function>',
      "on AWS: run it in the stack's operations function (output OperationsFunctionName), invoking until done"
    )
    .action(async (options: { tables: string; since?: string; dryRun?: boolean; aws?: string }, command: Command) => {
      const tables = options.tables
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const unknown = tables.filter((t) => !isSyncedTable(t));
      if (tables.length === 0 || unknown.length > 0)
        throw new UsageError(`unknown table(s) ${unknown.join(', ')}; expected ${SYNCED_TABLES.join(', ')}`);
      if (options.since !== undefined && Number.isNaN(Date.parse(options.since)))
        throw new UsageError('--since must be a date such as 2026-01-31');
      if (options.aws) {
        const aws = await awsOperations(options.aws);
        await aws.backfillOnAws(io, options.aws, {
          tables: tables as SyncedTable[],
          ...(options.since ? { since: options.since } : {}),
          ...(options.dryRun ? { dryRun: true } : {}),
        });
        return;
      }
      const { client: c } = client(command);
      const request = { tables, ...(options.since ? { since: options.since } : {}) };
      // Always estimate first, so the operator sees the cost before anything is queued.
      const estimate = asRecord(
        asRecord(expectOk(await c.request('POST', '/admin/backfill', { ...request, dryRun: true })))?.estimate
      );
      io.stdout(`${formatValue(estimate)}\n`);
      if (options.dryRun) return;
      expectOk(await c.request('POST', '/admin/backfill', request));
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const job = asRecord(expectOk(await c.request('GET', '/admin/backfill')));
        const progress = asRecord(job?.progress) ?? {};
        const line = Object.entries(progress)
          .map(([table, p]) => `${table} ${String(asRecord(p)?.queued ?? 0)}/${String(asRecord(p)?.listed ?? 0)}`)
          .join('  ');
        io.stderr(`\rqueued: ${line}   `);
        if (job?.state === 'done') {
          io.stderr('\n');
          io.stdout(
            "Backfill queued; the sync works through it within Xero's rate limits (watch `connector status`).\n"
          );
          return;
        }
        if (job?.state === 'failed')
          throw new ServerFailureError(`backfill failed: ${String(job.error)} — run the same command again to resume`);
      }
    });

  program
    .command('reconcile')
    .description('Compare every synced record with Xero (exists, name, status, invoice total) and report drift')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const report = asRecord(expectOk(await client(command).client.request('POST', '/admin/reconcile')));
      const drift = Array.isArray(report?.drift) ? (report.drift as Record<string, unknown>[]) : [];
      if (options.json) {
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.stdout(`Checked ${String(report?.checked ?? 0)} record(s); ${drift.length} with drift.\n`);
        for (const d of drift) {
          io.stdout(
            terminalSafe(
              `  ${String(d.table).padEnd(10)} ${String(d.id)}  ${String(d.problem).padEnd(16)} expected ${String(d.expected ?? d.detail ?? '-')}, Xero has ${String(d.actual ?? '-')}`
            ) + '\n'
          );
        }
      }
      // Drift is a finding, not a failure of the command: exit 1 lets scripts and schedulers notice it.
      if (drift.length > 0) throw new ServerFailureError(`${drift.length} record(s) drifted from Xero`);
    });

  registerDataverseCommands(program, io);
  registerSetupCommand(program, io);
  return program;
}

/** Runs the CLI and returns its exit code (never calls process.exit, so it can run in-process in tests). */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ServerFailureError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_SERVER_FAILURE;
    }
    if (error instanceof ConnectorUnreachableError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_UNREACHABLE;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_SERVER_FAILURE;
  }
}

function expectOk(response: ConnectorResponse): unknown {
  if (response.status >= 200 && response.status < 300) return response.body;
  let message = `the connector answered ${response.status}: ${errorMessageOf(response.status, response.body)}`;
  if (response.status === 401 || response.status === 403) message += ' (check --token or CONNECTOR_ADMIN_TOKEN)';
  throw new ServerFailureError(message);
}

function checkRecord(table: string, id: string): void {
  if (!isSyncedTable(table)) {
    throw new UsageError(`unknown table "${table}"; expected one of ${SYNCED_TABLES.join(', ')}`);
  }
  if (id.trim() === '') throw new UsageError('the record id is empty');
}

/** The AWS path of preview and backfill (loaded on demand, like the SDK it uses), once `--aws` names a function. */
async function awsOperations(functionRef: string) {
  const aws = await import('./aws-operations');
  if (!aws.isFunctionRef(functionRef))
    throw new UsageError(
      '--aws takes the operations function name or ARN (arn:aws:lambda:<region>:<account>:function:<name>)'
    );
  return aws;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number of ms');
  return n;
}

function asRecord(body: unknown): Record<string, unknown> | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

function messageOf(body: unknown): string | undefined {
  const message = asRecord(body)?.message;
  return typeof message === 'string' ? terminalSafe(message) : undefined;
}

function countOf(body: unknown): number | undefined {
  const record = asRecord(body);
  const n = record?.moved ?? record?.count ?? record?.redriven;
  return typeof n === 'number' ? n : undefined;
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
