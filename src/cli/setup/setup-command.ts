/**
 * `connector setup --stage <name>` (a deployed stack) or `connector setup --local` (the one-machine `.env`):
 * commander wiring only; the use case is run-setup.ts. Exit codes: 0 ok, 1 a step failed (run again to resume),
 * 2 a value is missing or refused (nothing was changed).
 */
import { Command } from 'commander';
import type { DataverseCommandsIo } from '../dataverse-commands';
import { readValuesFile } from './values-file';
import { runSetup } from './run-setup';
import { terminalPrompt } from './secret-prompt';
import type { SetupInput } from './setup-inputs';
import { SetupInputError } from './setup-errors';
import type { SetupTarget } from './setup-target';

export interface SetupCommandIo extends DataverseCommandsIo {
  readonly fetch?: typeof fetch;
  /** Asks a person (default: the terminal, when stdin is one). */
  readonly ask?: (input: SetupInput) => Promise<string>;
  readonly cwd?: string;
}

interface SetupOptions {
  stage?: string;
  local?: boolean;
  fromFile?: string;
  dryRun?: boolean;
}

export function registerSetupCommand(program: Command, io: SetupCommandIo): void {
  program
    .command('setup')
    .description(
      'Fill the settings, check them, register the Dataverse webhook, create the integration log and print the Xero redirect URI and a consent link'
    )
    .option('--stage <name>', 'a deployed stage: reads the stack D365Xero-<name> (your AWS credentials)')
    .option('--local', 'the one-machine runtime: writes $DATA_DIR/.env (default ./.data/.env) for npm start')
    .option('--from-file <path>', 'values for an unattended run: a JSON object or KEY=value lines (chmod 600)')
    .option('--dry-run', 'check everything and print the plan; write nothing')
    .addHelpText(
      'after',
      '\nValues: XERO_CLIENT_ID, XERO_CLIENT_SECRET, XERO_WEBHOOK_KEY, DATAVERSE_URL, DATAVERSE_TENANT_ID,\n' +
        'DATAVERSE_CLIENT_ID, DATAVERSE_CLIENT_SECRET (from --from-file, the environment, an earlier run, or asked).\n' +
        'Exit codes: 0 ok, 1 a step failed (run again to resume), 2 a value is missing or refused (nothing changed).'
    )
    .action(async (options: SetupOptions, command: Command) => {
      if (!!options.stage === !!options.local) {
        command.error('error: pass either --stage <name> or --local', { exitCode: 2, code: 'connector.usage' });
      }
      try {
        const file = options.fromFile ? readValuesFile(options.fromFile) : {};
        const target = await buildTarget(options, io);
        io.stdout(`${options.dryRun ? 'Dry run of' : 'Setting up'} ${target.description}\n`);
        const ask = io.ask ?? (process.stdin.isTTY ? terminalPrompt() : undefined);
        await runSetup({
          target,
          sources: { file, env: io.env, ...(ask ? { ask } : {}) },
          dryRun: !!options.dryRun,
          say: io.stdout,
        });
      } catch (error) {
        if (error instanceof SetupInputError) {
          command.error(`error: ${error.message}`, { exitCode: 2, code: 'connector.setup' });
        }
        throw error;
      }
    });
}

async function buildTarget(options: SetupOptions, io: SetupCommandIo): Promise<SetupTarget> {
  if (options.local) {
    const { localSetupTarget } = await import('./setup-local-target');
    return localSetupTarget({ env: io.env, cwd: io.cwd ?? process.cwd(), ...(io.fetch ? { fetch: io.fetch } : {}) });
  }
  // Loaded on demand, like the SDK it uses.
  const { awsSetupTarget } = await import('./setup-aws-target');
  return awsSetupTarget({ stage: options.stage!, env: io.env, ...(io.fetch ? { fetch: io.fetch } : {}) });
}
