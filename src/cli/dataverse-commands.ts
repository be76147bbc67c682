/**
 * Operator commands that set up the Dataverse side of the connector, talking to Dataverse directly (DATAVERSE_URL
 * plus DATAVERSE_ACCESS_TOKEN or the client credentials, as the reader uses):
 *   register-webhooks --url <public base> [--dry-run]   one webhook endpoint + async post-operation steps
 *   unregister-webhooks [--dry-run]                     removes those steps and the endpoint
 *   setup-dataverse [--dry-run]                         integration-log table + optional Xero columns
 * Every command reads first, computes a plan (create / update / delete / unchanged) and writes only differences.
 * Exit codes follow the CLI: 0 ok, 1 Dataverse refused or failed, 2 usage or configuration error.
 */
import { mappingSettingsFromJson } from '../../lambdas/core/settings-schema';
import { extraColumns } from '../../lambdas/core/sync/extra-columns';
import type { Command } from 'commander';
import { CommanderError, Command as CommanderCommand } from 'commander';
import type { WebhookPlan } from '../../lambdas/core/dataverse-admin';
import {
  countByOp,
  DEFAULT_ENDPOINT_NAME,
  DEFAULT_PUBLISHER_PREFIX,
  describeSchemaPlan,
  describeWebhookPlan,
  planIntegrationSchema,
  planWebhookRegistration,
  planWebhookRemoval,
  redactBody,
  REDACTED_KEY,
  webhookUrl,
} from '../../lambdas/core/dataverse-admin';
import { ConnectorError, ValidationError } from '../../lambdas/core/errors';
import { DataverseAdminClient } from '../../lambdas/adapters/dataverse/dataverse-admin-client';
import { terminalSafe } from './format-output';
import { createDataverseSessionFromEnv } from '../../lambdas/adapters/dataverse/dataverse-writer';

/** The slice of the CLI's io these commands use (structurally the same as main.ts's CliIo). */
export interface DataverseCommandsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const EXIT_USAGE = 2;

interface RegisterOptions {
  url?: string;
  dryRun?: boolean;
  name: string;
  rewriteKey?: boolean;
  json?: boolean;
}

interface UnregisterOptions {
  dryRun?: boolean;
  name: string;
}

interface SetupOptions {
  dryRun?: boolean;
  prefix: string;
  solution?: string;
  recordColumns: boolean;
}

export function registerDataverseCommands(program: Command, io: DataverseCommandsIo): void {
  program
    .command('register-webhooks')
    .description('Register (or bring up to date) the Dataverse webhook and its steps that feed the connector')
    // Also taken from the CLI's global --url: commander lets a program option win over a subcommand's.
    .option(
      '--url <public base url>',
      'public https base URL of the connector; Dataverse calls <url>/webhooks/dataverse'
    )
    .option('--dry-run', 'show the plan and change nothing')
    .option('--name <endpoint name>', 'name of the webhook registration', DEFAULT_ENDPOINT_NAME)
    .option('--rewrite-key', 'write DATAVERSE_WEBHOOK_KEY to the endpoint even if nothing else changed (key rotation)')
    .option('--json', 'print the plan as JSON (the webhook key is never shown)')
    .action((options: RegisterOptions, command: Command) =>
      guard(command, async () => {
        const key = io.env.DATAVERSE_WEBHOOK_KEY?.trim() ?? '';
        // With --json, stdout carries only the JSON plan; the messages go to stderr.
        const say = options.json ? io.stderr : io.stdout;
        if (!key && !options.dryRun) {
          throw new ValidationError('DATAVERSE_WEBHOOK_KEY is not set: it is the key Dataverse sends with each call');
        }
        const baseUrl = options.url ?? command.optsWithGlobals<{ url?: string }>().url;
        if (!baseUrl) throw new ValidationError('--url <public base url> is required');
        webhookUrl(baseUrl);
        const client = adminClient(io);
        // First: it proves the credentials work, and its answer is printed even if applying fails later.
        const { userId } = await client.whoAmI();
        const state = await client.readWebhookState(options.name);
        const plan = planWebhookRegistration(
          {
            baseUrl,
            webhookKey: key || REDACTED_KEY,
            endpointName: options.name,
            rewriteKey: !!options.rewriteKey,
            // A sync condition's, routing or tracking column must fire the Update step when it changes.
            conditionColumns: extraColumns(mappingSettingsFromJson(io.env.MAPPING_SETTINGS)),
          },
          state
        );
        printPlan(io, `Webhook registration "${options.name}"`, plan, options.json);
        if (!key) io.stderr('warning: DATAVERSE_WEBHOOK_KEY is not set; a real run will need it.\n');
        if (plan.problems.length > 0) {
          throw new Error('the plan has problems (see above); nothing was changed');
        }
        printConnectorUser(io, say, userId);
        if (!options.dryRun) {
          const { counts } = await resumable(() => client.applyWebhookPlan(plan));
          say(`Done: ${summary(counts)}.\n`);
        } else {
          say(`Dry run: nothing was changed (${summary(countByOp(plan), true)}).\n`);
        }
      })
    );

  program
    .command('unregister-webhooks')
    .description("Remove the connector's Dataverse webhook steps and endpoint")
    .option('--dry-run', 'show what would be removed and change nothing')
    .option('--name <endpoint name>', 'name of the webhook registration', DEFAULT_ENDPOINT_NAME)
    .action((options: UnregisterOptions, command: Command) =>
      guard(command, async () => {
        const client = adminClient(io);
        const state = await client.readWebhookState(options.name, []);
        if (!state.endpoint) {
          io.stdout(`No webhook named "${options.name}" is registered; nothing to remove.\n`);
          return;
        }
        const plan = planWebhookRemoval(state);
        printPlan(io, `Webhook removal "${options.name}"`, plan, false);
        if (options.dryRun) {
          io.stdout(`Dry run: nothing was changed (${summary(countByOp(plan), true)}).\n`);
          return;
        }
        const { counts } = await resumable(() => client.applyWebhookPlan(plan));
        io.stdout(`Done: ${summary(counts)}. Dataverse no longer sends changes to the connector.\n`);
      })
    );

  program
    .command('setup-dataverse')
    .description(
      'Create the integration-log table and the optional Xero columns on the synced tables (only what is missing)'
    )
    .option('--dry-run', 'show the plan and change nothing')
    .option(
      '--prefix <publisher prefix>',
      'customisation prefix of the new table and columns',
      DEFAULT_PUBLISHER_PREFIX
    )
    .option('--solution <unique name>', 'add the new components to this unmanaged solution')
    .option('--no-record-columns', 'do not add Xero id/link/status columns to account, contact, product and salesorder')
    .action((options: SetupOptions, command: Command) =>
      guard(command, async () => {
        const settings = { prefix: options.prefix, ...(options.recordColumns ? {} : { recordColumnTables: [] }) };
        planIntegrationSchema(settings, { logTable: null, attributes: {} }); // validates the prefix before any call
        const client = adminClient(io, options.solution);
        const plan = planIntegrationSchema(settings, await client.readSchemaState(settings));
        io.stdout(`Integration schema (prefix ${plan.names.prefix}):\n`);
        for (const line of describeSchemaPlan(plan)) io.stdout(`  ${terminalSafe(line)}\n`);
        const counts = countByOp(plan);
        if (plan.problems.length > 0) throw new Error('the plan has problems (see above); nothing was changed');
        if (options.dryRun) {
          io.stdout(`Dry run: nothing was changed (${summary(counts, true)}).\n`);
          return;
        }
        const result = await resumable(() => client.applySchemaPlan(plan));
        io.stdout(`Done: ${summary(result.counts)}.\n`);
        if (result.counts.create > 0) {
          io.stdout(
            'Add the new columns to forms in the maker portal (no publish needed). The integration-log ' +
              `rows are written to ${plan.names.entitySet}.\n`
          );
        }
      })
    );
}

/**
 * Runs only these commands (used by tests and scripts; main.ts registers them on the full CLI). Returns the exit
 * code and never calls process.exit.
 */
export async function runDataverseCommands(argv: readonly string[], io: DataverseCommandsIo): Promise<number> {
  const program = new CommanderCommand('connector')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerDataverseCommands(program, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function adminClient(io: DataverseCommandsIo, solutionUniqueName?: string): DataverseAdminClient {
  const session = createDataverseSessionFromEnv(io.env);
  return new DataverseAdminClient(session, solutionUniqueName ? { solutionUniqueName } : {});
}

/**
 * Configuration mistakes exit 2 through commander (which prints them); every other failure becomes a plain Error
 * with a secret-free message, which the CLI prints and exits 1 with.
 */
async function guard(command: Command, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ValidationError) {
      command.error(`error: ${error.message}`, { exitCode: EXIT_USAGE, code: 'connector.config' });
    }
    if (error instanceof ConnectorError) throw new Error(explain(error));
    throw error;
  }
}

function explain(error: ConnectorError): string {
  return error.code === 'DATAVERSE_AUTH'
    ? `${error.message} Registering webhooks and creating tables also needs the System Customizer (or System ` +
        'Administrator) role on the application user.'
    : error.message;
}

/** A failure part-way through leaves earlier changes in place; the plan of a re-run starts from them. */
async function resumable<T>(apply: () => Promise<T>): Promise<T> {
  try {
    return await apply();
  } catch (error) {
    if (error instanceof ConnectorError && !(error instanceof ValidationError)) {
      throw new Error(`${explain(error)} Changes made before the failure stay; run the command again to finish.`);
    }
    throw error;
  }
}

function printPlan(io: DataverseCommandsIo, title: string, plan: WebhookPlan, json: boolean | undefined): void {
  if (json) {
    const printable = {
      actions: plan.actions.map((action) => ({ ...action, body: redactBody(action.body) })),
      problems: plan.problems,
    };
    io.stdout(`${JSON.stringify(printable, null, 2)}\n`);
    return;
  }
  io.stdout(`${title}:\n`);
  // Step and endpoint names come from the org: printed as plain text only.
  for (const line of describeWebhookPlan(plan)) io.stdout(`  ${terminalSafe(line)}\n`);
}

function printConnectorUser(io: DataverseCommandsIo, say: (text: string) => void, userId: string): void {
  const configured = io.env.DATAVERSE_CONNECTOR_USER_ID?.trim().toLowerCase();
  say(`The connector's Dataverse application user (systemuserid) is ${userId}.\n`);
  if (configured === userId) {
    say('DATAVERSE_CONNECTOR_USER_ID already matches: the connector ignores changes it made itself.\n');
  } else {
    say(
      `Set DATAVERSE_CONNECTOR_USER_ID=${userId} in the connector's configuration so the webhook ignores the ` +
        "connector's own writes (loop prevention).\n"
    );
    if (configured) io.stderr(`warning: DATAVERSE_CONNECTOR_USER_ID is set to a different user (${configured}).\n`);
  }
}

function summary(counts: Record<'create' | 'update' | 'delete' | 'unchanged', number>, dryRun = false): string {
  const verbs = dryRun ? ['would create', 'update', 'remove'] : ['created', 'updated', 'removed'];
  return `${verbs[0]} ${counts.create}, ${verbs[1]} ${counts.update}, ${verbs[2]} ${counts.delete}; ${counts.unchanged} unchanged`;
}
