/**
 * Shared plumbing for the e2e tier: temp data dirs, a log collector, polling, the admin HTTP calls, consent over
 * HTTP, the connector in real mode against the in-repo fakes, and Dataverse-shaped webhook deliveries.
 */
import type { Logger } from '../../lambdas/core/ports';
import { Browser } from './browser';
import { tempDir } from './temp-dir';
import { createConsoleLogger } from '../../src/local/console-logger';
import { startLocalConnector, type LocalConnector } from '../../src/local/local-connector';
import {
  findFreePort,
  SANDBOX_ORGANIZATION,
  startSandboxSystems,
  type SandboxSystems,
} from '../../src/local/sandbox-mode';
import { buildWebhookDelivery, type WebhookMessage } from '../../sandbox/dataverse/webhook-body';
import { SANDBOX_DATAVERSE_ORG_ID, SANDBOX_DATAVERSE_USER_ID } from '../../sandbox/dataverse/server';
import type { XeroRecord } from '../../sandbox/xero-accounting/xero-json';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

export function tempDataDir(label: string): { dir: string; remove(): void } {
  return tempDir(`e2e-${label}`);
}

/** A console logger whose JSON lines are kept for assertions (and printed only when DEBUG_E2E is set). */
export function collectingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createConsoleLogger({
    level: 'debug',
    write: (line) => {
      lines.push(line);
      if (process.env.DEBUG_E2E) process.stderr.write(`${line}\n`);
    },
  });
  return { logger, lines };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a truthy value; fails with `what` and the last value after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  options: { timeoutMs?: number; everyMs?: number } = {}
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`
      );
    }
    await sleep(options.everyMs ?? 50);
  }
}

/** The parts of GET /status (lambdas/core/status/status-snapshot.ts) the e2e tests read. */
export interface StatusBody {
  runtime: string;
  connection: { state: string; tenantName?: string; tenantId?: string; reason?: string };
  queues: { changes: { depth: number; dead: number }; writes: { depth: number; dead: number } };
  counts: { synced: number; failed: number; skipped: number };
  recent: { table: string; id: string; name?: string; status: string; message?: string; xeroId?: string }[];
  failures: { table: string; id: string; name?: string; status: string; message?: string }[];
  deadLetters: { queue: string; retryKey: string; record?: { table: string; id: string; name?: string } }[];
}

export async function adminFetch(
  url: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${init.token ?? ADMIN_TOKEN}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
}

export async function getStatus(url: string, token = ADMIN_TOKEN): Promise<StatusBody> {
  const response = await adminFetch(url, '/status', { token });
  if (response.status !== 200) throw new Error(`/status answered ${response.status}`);
  return (await response.json()) as StatusBody;
}

/** Waits until both queues hold no ready, in-flight or delayed work, twice in a row (webhooks may be in flight). */
export async function waitForDrain(url: string, options: { timeoutMs?: number; token?: string } = {}) {
  let emptyStreak = 0;
  return waitFor(
    'the queues to drain',
    async () => {
      const status = await getStatus(url, options.token);
      const empty = status.queues.changes.depth === 0 && status.queues.writes.depth === 0;
      emptyStreak = empty ? emptyStreak + 1 : 0;
      return emptyStreak >= 3 ? status : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 30_000, everyMs: 60 }
  );
}

/**
 * Consent as a browser does it: GET /oauth/xero/connect with the admin bearer, then follow every redirect (the fake
 * Xero auto-approves) back to the callback. Returns the final page.
 */
export async function consentOverHttp(
  connectorUrl: string,
  auth: { token?: string; connectPath?: string; browser?: Browser } = {}
): Promise<{ status: number; body: string; hops: string[] }> {
  const browser = auth.browser ?? new Browser();
  const { response, hops } = await browser.follow(`${connectorUrl}${auth.connectPath ?? '/oauth/xero/connect'}`, {
    headers: auth.token === '' ? {} : { authorization: `Bearer ${auth.token ?? ADMIN_TOKEN}` },
  });
  return { status: response.status, body: await response.text(), hops };
}

export interface Fakes {
  readonly systems: SandboxSystems;
  readonly port: number;
  /** The contract env for real mode against these fakes. */
  readonly env: Record<string, string>;
}

/** The in-repo fakes started on their own, as independent Xero and Dataverse systems for a real-mode connector. */
export async function startFakes(
  dataDir: string,
  options: { seed?: boolean; limits?: { perMinute?: number; concurrent?: number; perDay?: number } } = {}
): Promise<Fakes> {
  const port = await findFreePort();
  const systems = await startSandboxSystems({ port, seed: options.seed, limits: options.limits });
  const env = {
    XERO_CLIENT_ID: systems.xero.clientId,
    XERO_CLIENT_SECRET: systems.xero.clientSecret,
    XERO_REDIRECT_URI: systems.xero.redirectUri,
    XERO_LOGIN_URL: systems.xero.loginUrl,
    XERO_IDENTITY_URL: systems.xero.identityUrl,
    XERO_API_URL: systems.xero.apiUrl,
    DATAVERSE_URL: systems.dataverse.url,
    DATAVERSE_ACCESS_TOKEN: systems.dataverse.accessToken ?? '',
    DATAVERSE_WEBHOOK_KEY: systems.dataverse.webhookKey,
    CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN,
    PORT: String(port),
    DATA_DIR: dataDir,
  };
  return { systems, port, env };
}

export async function startRealConnector(
  env: Record<string, string>,
  logger: Logger,
  idleMs = 20
): Promise<LocalConnector> {
  const connector = await startLocalConnector(env, { logger, idleMs });
  if (connector.config.mode !== 'real') throw new Error('expected real mode');
  return connector;
}

/** Fakes plus a real-mode connector on a temp DATA_DIR, shared by the tests of one file or describe block. */
export interface RealModeRun {
  readonly fakes: Fakes;
  readonly connector: LocalConnector;
  readonly url: string;
  readonly webhookKey: string;
}

/** Starts a {@link RealModeRun} in beforeAll; closes it and removes its DATA_DIR in afterAll. */
export function useRealModeRun(label: string, options: { seed?: boolean } = {}): RealModeRun {
  const data = tempDataDir(label);
  let fakes: Fakes | undefined;
  let connector: LocalConnector | undefined;
  beforeAll(async () => {
    fakes = await startFakes(data.dir, options);
    connector = await startRealConnector(fakes.env, collectingLogger().logger);
  });
  afterAll(async () => {
    await closeQuietly(connector, fakes?.systems);
    data.remove();
  });
  const started = () => {
    if (!fakes || !connector) throw new Error('the real-mode run starts in beforeAll');
    return { fakes, connector };
  };
  return {
    get fakes() {
      return started().fakes;
    },
    get connector() {
      return started().connector;
    },
    get url() {
      return started().connector.app.url;
    },
    get webhookKey() {
      return started().fakes.env.DATAVERSE_WEBHOOK_KEY ?? '';
    },
  };
}

/** `npm start`'s sandbox connector on a temp DATA_DIR, seeded, its three demo invoices in Xero and queues drained. */
export interface SandboxRun {
  readonly connector: LocalConnector;
  readonly url: string;
  readonly sandbox: NonNullable<LocalConnector['sandbox']>;
}

/** Starts a {@link SandboxRun} in beforeAll (extra env over the defaults); closes it and removes its DATA_DIR after. */
export function useSandboxRun(label: string, env: Record<string, string> = {}): SandboxRun {
  const data = tempDataDir(label);
  let connector: LocalConnector | undefined;
  beforeAll(async () => {
    connector = await startLocalConnector(
      { PORT: '0', DATA_DIR: data.dir, CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
      { logger: collectingLogger().logger, idleMs: 20 }
    );
    const sandbox = connector.sandbox;
    if (!sandbox) throw new Error('expected sandbox mode');
    await waitFor('the seeded invoices', () => books(sandbox).flatMap((b) => b.invoices).length === 3);
    await waitForDrain(connector.app.url);
  });
  afterAll(async () => {
    await closeQuietly(connector);
    data.remove();
  });
  const started = () => {
    if (!connector?.sandbox) throw new Error('the sandbox run starts in beforeAll');
    return { connector, sandbox: connector.sandbox };
  };
  return {
    get connector() {
      return started().connector;
    },
    get url() {
      return started().connector.app.url;
    },
    get sandbox() {
      return started().sandbox;
    },
  };
}

/** POSTs one Dataverse-shaped webhook (RemoteExecutionContext + headers) to the connector. */
export async function deliverWebhook(
  connectorUrl: string,
  key: string | undefined,
  change: {
    table: string;
    id: string;
    message: WebhookMessage;
    changed?: Record<string, unknown>;
    parentOrderId?: string;
    when?: Date;
    correlationId?: string;
    operationId?: string;
  }
): Promise<{ status: number; body: string }> {
  const { body, headers } = buildWebhookDelivery({
    ...change,
    organizationId: SANDBOX_DATAVERSE_ORG_ID,
    organizationName: 'sandbox',
    organization: SANDBOX_ORGANIZATION,
    userId: SANDBOX_DATAVERSE_USER_ID,
  });
  const target = new URL(`${connectorUrl}/webhooks/dataverse`);
  if (key !== undefined) target.searchParams.set('code', key);
  const response = await fetch(target, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

/** Xero contacts whose ContactNumber is the given Dataverse id, in one organisation or (by default) in every one. */
export function contactsByNumber(systems: SandboxSystems, id: string, tenantId?: string): XeroRecord[] {
  return books(systems, tenantId).flatMap((b) => b.contacts.filter((c) => c.ContactNumber === id));
}

export function invoicesByReference(systems: SandboxSystems, reference: string, tenantId?: string): XeroRecord[] {
  return books(systems, tenantId).flatMap((b) => b.invoices.filter((i) => i.Reference === reference));
}

/** The books of one sandbox organisation, or of every one (sandbox mode serves two; routing splits the demo). */
export function books(systems: SandboxSystems, tenantId?: string) {
  const tenants = tenantId !== undefined ? [tenantId] : systems.accounting.state.tenantIds;
  return tenants.map((tenant) => systems.accounting.state.snapshot(tenant));
}

/** Requests the sandbox Xero refused as invalid (400): must stay empty, every body has to match the contract. */
export function badXeroRequests(systems: SandboxSystems) {
  return systems.accounting.knobs
    .requests()
    .filter((r) => r.status === 400)
    .map((r) => ({ route: r.route, status: r.status, body: r.body }));
}

/**
 * Closes each in turn, ignoring errors and giving up on one after `CLOSE_TIMEOUT_MS` (a connector finishing a batch
 * that waits on a stuck dependency must not keep the temp dirs from being removed).
 */
export async function closeQuietly(...closables: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const closable of closables) {
    if (!closable) continue;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([closable.close().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }
}

const CLOSE_TIMEOUT_MS = 15_000;
