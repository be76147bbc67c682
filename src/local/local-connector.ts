/**
 * Starts the one-machine connector from environment variables: real mode against configured Xero and Dataverse,
 * or SANDBOX MODE with the in-repo fakes when neither is configured. Used by `npm start`, `npm run demo` and tests.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { ensurePrivateDir } from '../../lambdas/adapters/local/private-files';
import { join } from 'node:path';
import type { Logger } from '../../lambdas/core/ports';
import { SqliteChangeQueue } from '../../lambdas/adapters/local/sqlite-change-queue';
import { createIntegrationLogSinkFromEnv } from '../../lambdas/adapters/dataverse/integration-log-sink';
import { DataverseSession, DataverseWriter } from '../../lambdas/adapters/dataverse/dataverse-writer';
import { dataverseTokenSourceFor, startConnectorApp, type ConnectorApp } from './connector-app';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime-config';
import {
  completeSandboxConsent,
  enqueueDemoRecords,
  findFreePort,
  startSandboxSystems,
  type SandboxSystems,
} from './sandbox-mode';
import { systemNow } from '../../lambdas/adapters/system-clock';

export const SANDBOX_ADMIN_TOKEN_FILE = 'sandbox-admin-token';

export interface LocalConnector {
  readonly app: ConnectorApp;
  readonly config: RuntimeConfig;
  readonly sandbox?: SandboxSystems;
  /** Where the admin token can be read in sandbox mode (never printed). */
  readonly adminTokenFile?: string;
  close(): Promise<void>;
}

export async function startLocalConnector(
  env: Record<string, string | undefined>,
  options: { logger: Logger; idleMs?: number; seedSandbox?: boolean }
): Promise<LocalConnector> {
  const config = loadRuntimeConfig(env);
  if (config.mode === 'real') {
    if (!config.xero || !config.dataverse || !config.adminToken) throw new Error('real mode without its configuration');
    // The integration-log table in Dataverse (created by `connector setup-dataverse`); DATAVERSE_LOG_MODE=off skips it.
    const integrationLog = createIntegrationLogSinkFromEnv(env, {
      writer: new DataverseWriter(
        new DataverseSession({
          serverUrl: config.dataverse.url,
          tokenSource: dataverseTokenSourceFor(config.dataverse),
          logger: options.logger,
        })
      ),
      logger: options.logger,
    });
    const app = await startConnectorApp({
      config: { ...config, xero: config.xero, dataverse: config.dataverse, adminToken: config.adminToken },
      logger: options.logger,
      idleMs: options.idleMs,
      publicUrl: config.publicUrl,
      xeroDayBudget: Number(env.XERO_DAY_BUDGET) > 0 ? Number(env.XERO_DAY_BUDGET) : undefined,
      extraOutcomeSinks: integrationLog ? [integrationLog] : [],
    });
    return { app, config, close: () => app.close() };
  }

  // Sandbox state is throwaway (the fake Xero and Dataverse live in memory), so it gets its own folder, wiped.
  const dataDir = join(config.dataDir, 'sandbox');
  ensurePrivateDir(config.dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  ensurePrivateDir(dataDir);
  const port = config.port === 0 ? await findFreePort() : config.port;
  const adminToken = config.adminToken ?? randomBytes(24).toString('base64url');
  const adminTokenFile = join(config.dataDir, SANDBOX_ADMIN_TOKEN_FILE);
  writeFileSync(adminTokenFile, adminToken, { mode: 0o600 });
  chmodSync(adminTokenFile, 0o600);

  // Two Xero organisations, as a business with two legal entities would connect (issue #16).
  const sandbox = await startSandboxSystems({ port, organisations: 2 });
  let app: ConnectorApp;
  try {
    app = await startConnectorApp({
      config: {
        ...config,
        port,
        dataDir,
        adminToken,
        xero: sandbox.xero,
        dataverse: sandbox.dataverse,
        // The demo data's two business units go to the sandbox's two organisations, each line tracked by the
        // business unit's Region and each organisation with its own branding theme, unless settings say otherwise.
        mapping: {
          ...config.mapping,
          routing: config.mapping.routing ?? sandbox.routing,
          tracking: config.mapping.tracking ?? sandbox.tracking,
          brandingThemes: config.mapping.brandingThemes ?? sandbox.brandingThemes,
        },
      },
      logger: options.logger,
      idleMs: options.idleMs,
    });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const status = await completeSandboxConsent(app.url, adminToken);
  if (status !== 200) options.logger.warn('sandbox consent did not complete', { status });
  sandbox.forwardWebhooksTo(app.url);
  if (options.seedSandbox !== false) await enqueueDemoRecords(new SqliteChangeQueue(app.queue), systemNow());
  return {
    app,
    config: { ...config, port, dataDir },
    sandbox,
    adminTokenFile,
    async close() {
      await app.close();
      await sandbox.close();
    },
  };
}
