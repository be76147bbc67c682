/**
 * `npm start`: the connector on one machine. Stops gracefully on SIGTERM/SIGINT (stop accepting, finish the batch in
 * hand, close the database); work still queued is picked up on the next start, even after kill -9.
 */
import { join } from 'node:path';
import { describeError, ValidationError } from '../../lambdas/core/errors';
import { createConsoleLogger } from './console-logger';
import { loadDotenvInto } from './dotenv-file';
import { startLocalConnector } from './local-connector';

async function main(): Promise<void> {
  // `connector setup --local` writes $DATA_DIR/.env; variables set in the real environment win over it.
  loadDotenvInto(process.env, join(process.env.DATA_DIR || './.data', '.env'));
  const logger = createConsoleLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  let connector;
  try {
    connector = await startLocalConnector(process.env, { logger });
  } catch (error) {
    const reason = error instanceof ValidationError ? error.message : describeError(error);
    process.stderr.write(`connector: cannot start: ${reason}\n`);
    process.exit(error instanceof ValidationError ? 2 : 1);
  }
  const { app, sandbox } = connector;
  const lines = [
    '',
    sandbox
      ? '  ***  SANDBOX MODE — fake Xero and Dataverse with demo data; nothing leaves this machine  ***'
      : '  Connected to the configured Xero and Dataverse (real mode).',
    `  Connector:     ${app.url}`,
    `  Health:        ${app.url}/health`,
    `  Status page:   ${app.url}/   (open the link printed by: npx connector login-link)`,
    sandbox
      ? `  Sandbox Xero:  ${sandbox.accounting.url}/api.xro/2.0   Sandbox Dataverse: ${sandbox.dataverseServer.url}`
      : `  Connect Xero:  npx connector connect-link`,
    sandbox ? `  Admin token:   in ${connector.adminTokenFile} (the CLI reads it from there)` : '',
    sandbox
      ? '  Try:           npm run demo   (changes records in the sandbox Dataverse and shows the Xero result)'
      : '',
    '',
  ].filter((line) => line !== '');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    connector
      .close()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error('stop failed', { error: describeError(error) });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
