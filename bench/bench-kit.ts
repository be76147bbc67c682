/**
 * Shared pieces of the benchmarks: the one-machine connector wired to the sandbox fakes (as `npm start` does in
 * sandbox mode, but with a throwaway data folder, a quiet logger and explicit Xero limits), percentiles, and
 * formatting. Everything listens on 127.0.0.1 and is closed by `stop()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAPPING_SETTINGS } from '../lambdas/core/settings';
import type { Logger } from '../lambdas/core/ports';
import type { RoutingSettings } from '../lambdas/core/routing/routing-settings';
import { startConnectorApp, type ConnectorApp } from '../src/local/connector-app';
import {
  SANDBOX_ORGANIZATION,
  completeSandboxConsent,
  findFreePort,
  startSandboxSystems,
  type SandboxSystems,
} from '../src/local/sandbox-mode';
import {
  SANDBOX_DATAVERSE_BUSINESS_UNIT_ID,
  SANDBOX_DATAVERSE_ORG_ID,
  SANDBOX_DATAVERSE_USER_ID,
} from '../sandbox/dataverse/server';
import { buildWebhookDelivery } from '../sandbox/dataverse/webhook-body';
import { startWhereRewriteProxy, type WhereRewriteProxy } from './where-rewrite-proxy';

/** Xero's published limits per tenant: 60 calls a minute, 5 in flight, 5,000 a day. */
export const XERO_REAL_LIMITS = { perMinute: 60, concurrent: 5, perDay: 5000 } as const;

export interface QuietLogger extends Logger {
  readonly warnings: number;
  readonly errors: number;
  /** The first few warning/error messages (messages and field names only, never values). */
  readonly samples: readonly string[];
}

/** Counts warnings and errors instead of printing them, so a benchmark's report stays readable. */
export function createQuietLogger(): QuietLogger {
  const samples: string[] = [];
  const counts = { warnings: 0, errors: 0 };
  const keep = (message: string) => {
    if (samples.length < 5 && !samples.includes(message)) samples.push(message);
  };
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => {
      counts.warnings += 1;
      keep(message);
    },
    error: (message) => {
      counts.errors += 1;
      keep(message);
    },
    get warnings() {
      return counts.warnings;
    },
    get errors() {
      return counts.errors;
    },
    samples,
  };
}

export interface SandboxedConnector {
  readonly app: ConnectorApp;
  readonly sandbox: SandboxSystems;
  readonly logger: QuietLogger;
  /** `${app.url}/webhooks/dataverse?code=KEY` (holds the webhook key: never print it). */
  readonly webhookUrl: string;
  /** Set when Xero API calls go through the where-rewriting proxy. */
  readonly proxy?: WhereRewriteProxy;
  /** The throwaway state folder (removed by stop()). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * The local connector in sandbox mode: sandbox Xero (identity + Accounting API with the given limits) and sandbox
 * Dataverse, consent completed like an operator would. `seed` adds the demo records (currencies, a few customers).
 */
export async function startSandboxedConnector(options: {
  limits?: { perMinute?: number; concurrent?: number; perDay?: number };
  seed?: boolean;
  idleMs?: number;
  /** Route Xero API calls through the proxy that rewrites `A AND (B OR C)` filters (see where-rewrite-proxy.ts). */
  rewriteWhere?: boolean;
  /** Sandbox Xero organisations, all pinned and connected by the one consent (default 1). */
  organisations?: 1 | 2 | 3;
  /** Mapping setting `routing` (which organisation each record goes to); absent = the one organisation. */
  routing?: RoutingSettings;
}): Promise<SandboxedConnector> {
  const port = await findFreePort();
  const sandbox = await startSandboxSystems({
    port,
    seed: options.seed ?? true,
    limits: options.limits,
    ...(options.organisations ? { organisations: options.organisations } : {}),
  });
  const proxy = options.rewriteWhere ? await startWhereRewriteProxy(sandbox.xero.apiUrl) : undefined;
  const xero = proxy ? { ...sandbox.xero, apiUrl: proxy.url } : sandbox.xero;
  const closeSystems = async () => {
    await proxy?.close();
    await sandbox.close();
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'connector-bench-'));
  const adminToken = randomBytes(24).toString('base64url');
  const logger = createQuietLogger();
  let app: ConnectorApp;
  try {
    app = await startConnectorApp({
      config: {
        mode: 'sandbox',
        port,
        dataDir,
        adminToken,
        mapping: options.routing ? { ...DEFAULT_MAPPING_SETTINGS, routing: options.routing } : DEFAULT_MAPPING_SETTINGS,
        xero,
        dataverse: sandbox.dataverse,
      },
      logger,
      // undefined = the runtime's own default poll pause, as `npm start` runs it.
      idleMs: options.idleMs,
    });
  } catch (error) {
    await closeSystems();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const consentStatus = await completeSandboxConsent(app.url, adminToken);
  if (consentStatus !== 200) {
    await app.close();
    await closeSystems();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`sandbox consent did not complete (status ${consentStatus})`);
  }
  const webhookUrl = new URL(`${app.url}/webhooks/dataverse`);
  webhookUrl.searchParams.set('code', sandbox.dataverse.webhookKey);
  return {
    app,
    sandbox,
    logger,
    webhookUrl: webhookUrl.toString(),
    ...(proxy ? { proxy } : {}),
    dataDir,
    async stop() {
      await app.close();
      await closeSystems();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms` : 'n/a';
}

export function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** A Dataverse Update webhook (body and headers) from the sandbox org, user and business unit. */
export function sandboxUpdateDelivery(table: string, id: string, changed: Readonly<Record<string, unknown>>) {
  return buildWebhookDelivery({
    table,
    id,
    message: 'Update',
    organizationId: SANDBOX_DATAVERSE_ORG_ID,
    organizationName: 'sandbox',
    organization: SANDBOX_ORGANIZATION,
    userId: SANDBOX_DATAVERSE_USER_ID,
    businessUnitId: SANDBOX_DATAVERSE_BUSINESS_UNIT_ID,
    changed,
  });
}
