/**
 * The one-machine connector: SQLite state, the shared use cases, workers, a refresh timer and the HTTP routes of
 * the runtime contract. Real and sandbox mode differ only in the URLs and credentials in `config`.
 */
import { join } from 'node:path';
import { SqliteChangeQueue } from '../../lambdas/adapters/local/sqlite-change-queue';
import {
  SqliteConnectionStore,
  SqlitePendingConsentStore,
  SqliteUsedNonceStore,
  openConnectionDatabase,
} from '../../lambdas/adapters/local/sqlite-connection-store';
import { openDatabase } from '../../lambdas/adapters/local/sqlite-database';
import { ensurePrivateDir } from '../../lambdas/adapters/local/private-files';
import { SqliteOutcomeLog } from '../../lambdas/adapters/local/sqlite-outcome-log';
import { SqliteQueue, type LeasedMessage } from '../../lambdas/adapters/local/sqlite-queue';
import { SqliteSyncStateStore } from '../../lambdas/adapters/local/sqlite-sync-state';
import { startWorker } from '../../lambdas/adapters/local/worker-loop';
import { DataverseWebApiReader } from '../../lambdas/adapters/dataverse/dataverse-reader';
import {
  createClientCredentialsTokenSource,
  createStaticTokenSource,
} from '../../lambdas/adapters/dataverse/dataverse-token-source';
import { XeroIdentityClient } from '../../lambdas/adapters/xero/identity-client';
import { createXeroGateway } from '../../lambdas/adapters/xero/xero-gateway';
import { createConsentRoutes } from '../../lambdas/core/connection/consent-routes';
import { deriveSigningKey, TokenSigner } from '../../lambdas/core/connection/signed-token';
import { TokenService } from '../../lambdas/core/connection/token-service';
import {
  InProcessTokenServiceClient,
  TokenServiceAccessProvider,
} from '../../lambdas/core/connection/worker-access-provider';
import { describeError } from '../../lambdas/core/errors';
import { createAcceptDataverseWebhook } from '../../lambdas/core/ingress/accept-dataverse-webhook';
import { createAcceptXeroWebhook } from '../../lambdas/core/ingress/xero-webhook';
import type { XeroWrite } from '../../lambdas/core/model/xero-write';
import type { Clock, Logger, OutcomeSink, WriteQueue } from '../../lambdas/core/ports';
import { TenantRateLimiter } from '../../lambdas/core/rate-limit/tenant-rate-limiter';
import { accessForTenant, perTenant } from '../../lambdas/core/routing/tenant-access';
import { AppWideCallBudget, InMemoryAppCallCounter } from '../../lambdas/core/rate-limit/app-wide-budget';
import { createMapBatch } from '../../lambdas/core/sync/map-batch';
import { createPlanChange } from '../../lambdas/core/sync/plan-change';
import { createPostWrites } from '../../lambdas/core/sync/post-writes';
import { startHttpServer, type RunningHttpServer } from './http-server';
import { buildRoutes } from './routes';
import type { DataverseConfig, RuntimeConfig, XeroConfig } from './runtime-config';
import { changeBatchRunner, writesRunner, xeroEventsRunner } from '../../lambdas/core/work/work-runners';
import { DataverseOrderWritebackWriter } from '../../lambdas/adapters/dataverse/order-writeback-writer';
import type { DataverseTokenSource } from '../../lambdas/adapters/dataverse/dataverse-token-source';
import { XeroAccountingInvoiceReader } from '../../lambdas/adapters/xero/xero-invoice-reader';
import { createApplyXeroInvoiceEvents } from '../../lambdas/core/writeback/apply-xero-invoice-events';
import { resolveWritebackColumns } from '../../lambdas/core/writeback/columns';
import { runInvoicePollPerOrganisation } from '../../lambdas/core/writeback/poll-invoices';
import { SqliteCheckpointStore } from '../../lambdas/adapters/local/sqlite-checkpoint-store';
import { fanOutOutcomes } from '../../lambdas/core/sync/outcome-fan-out';
import { XeroKeyIndex } from '../../lambdas/core/sync/xero-key-index';
import { createBackfill } from '../../lambdas/core/backfill/backfill';
import { createReconcile } from '../../lambdas/core/reconcile/reconcile';
import {
  createReconcilePerOrganisation,
  recordTenantOf,
} from '../../lambdas/core/reconcile/reconcile-per-organisation';
import { SqliteBackfillLedger } from '../../lambdas/adapters/local/sqlite-backfill-ledger';
import { systemClock } from '../../lambdas/adapters/system-clock';
import { DataverseSweepFinder } from '../../lambdas/adapters/dataverse/dataverse-sweep-finder';
import { dataverseCurrencyCodes } from '../../lambdas/adapters/dataverse/dataverse-currency-codes';
import { SqliteChangeSightings } from '../../lambdas/adapters/local/sqlite-change-sightings';
import { XeroAccountingOrganisationReader } from '../../lambdas/adapters/xero/xero-organisation-reader';
import { createSweep } from '../../lambdas/core/sweep/run-sweep';
import { noteDeliveredChanges, noteOwnChange } from '../../lambdas/core/sweep/sighting-queue';
import { noteOwnOrderWrites, noteOwnOutcomeWrites } from '../../lambdas/core/sweep/own-writes';
import { loadSweepReport } from '../../lambdas/core/sweep/sweep-report';
import { createPreflight } from '../../lambdas/core/preflight/run-preflight';
import { loadPreflightReport } from '../../lambdas/core/preflight/preflight-report';
import { startBackgroundChecks } from './background-checks';
import { extraColumns } from '../../lambdas/core/sync/extra-columns';
import { routedTenants } from '../../lambdas/core/routing/routing-settings';
import { mapWorkerCount } from './map-workers';

export interface ConnectorAppOptions {
  readonly config: RuntimeConfig & {
    readonly xero: XeroConfig;
    readonly dataverse: DataverseConfig;
    readonly adminToken: string;
  };
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How often the refresh timer checks the token (default every minute; it refreshes well inside 30 minutes). */
  readonly refreshCheckMs?: number;
  /** Worker poll pause when idle (default 250 ms). */
  readonly idleMs?: number;
  /** The URL operators and Xero reach this connector at; default http://127.0.0.1:PORT. */
  readonly publicUrl?: string;
  /** How long the writes worker waits to fill a Xero batch of 50 (default 1 s; the AWS event source waits 5 s). */
  readonly writesBatchWindowMs?: number;
  /** Map-stage workers polling the changes queue at once (default one per routed organisation, else 1). */
  readonly mapWorkers?: number;
  /** How often to poll Xero for changed invoices (default: every 15 minutes when XERO_WEBHOOK_KEY is unset; 0 = off). */
  readonly invoicePollEveryMs?: number;
  /** How often reconciliation runs (default nightly: every 24 hours). */
  readonly reconcileEveryMs?: number;
  /** How often to see whether the Xero preflight is due (default every 10 s; a local read unless due). */
  readonly preflightCheckMs?: number;
  /** Xero calls per day backfill estimates plan against (XERO_DAY_BUDGET). */
  readonly xeroDayBudget?: number;
  /** More places outcomes go besides the local log (e.g. the Dataverse integration-log table). */
  readonly extraOutcomeSinks?: readonly OutcomeSink[];
}

/** The Dataverse token source of a configuration: a static bearer, or client credentials from Entra. */
export function dataverseTokenSourceFor(dataverse: DataverseConfig): DataverseTokenSource {
  return dataverse.accessToken
    ? createStaticTokenSource(dataverse.accessToken)
    : createClientCredentialsTokenSource({
        tenantId: dataverse.tenantId ?? '',
        clientId: dataverse.clientId ?? '',
        clientSecret: dataverse.clientSecret ?? '',
        serverUrl: dataverse.url,
      });
}

export interface ConnectorApp {
  readonly url: string;
  readonly queue: SqliteQueue;
  readonly tokenService: TokenService;
  readonly outcomes: SqliteOutcomeLog;
  /** Stop accepting, let in-flight requests and the batch in hand finish, close the databases. */
  close(): Promise<void>;
}

export async function startConnectorApp(options: ConnectorAppOptions): Promise<ConnectorApp> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  ensurePrivateDir(config.dataDir);

  const db = openDatabase({ dataDir: config.dataDir });
  const connectionDb = openConnectionDatabase(join(config.dataDir, 'connection.db'));
  const queue = new SqliteQueue(db, { maxReceives: 8 });
  const recovered = queue.recoverLeases();
  if (recovered > 0) logger.warn('resuming work left in flight by a previous run', { messages: recovered });
  const state = new SqliteSyncStateStore(db);
  const outcomeLog = new SqliteOutcomeLog(db, { logger, now: () => clock.now() });
  // What the connector has seen of each record, for the catch-up sweep: webhooks, sweeps and its own writes.
  const sightings = new SqliteChangeSightings(db);
  const dataverseTokens = dataverseTokenSourceFor(config.dataverse);
  const sweepFinder = new DataverseSweepFinder({
    serverUrl: config.dataverse.url,
    tokenSource: dataverseTokens,
    logger,
  });
  const ownWrites = { sightings, versions: sweepFinder, logger };
  const outcomes = options.extraOutcomeSinks?.length
    ? fanOutOutcomes(
        [outcomeLog, ...options.extraOutcomeSinks.map((sink) => noteOwnOutcomeWrites(sink, ownWrites))],
        logger
      )
    : outcomeLog;

  const identity = new XeroIdentityClient({
    clientId: config.xero.clientId,
    clientSecret: config.xero.clientSecret,
    identityUrl: config.xero.identityUrl,
    apiUrl: config.xero.apiUrl,
  });
  // The HTTP server binds first so the connect URL (and the port, when 0 was asked for) is known.
  let server: RunningHttpServer | undefined; // eslint-disable-line prefer-const -- assigned once the routes exist
  const publicUrl = () => options.publicUrl ?? server?.url ?? `http://127.0.0.1:${config.port}`;
  const tokenService = new TokenService({
    store: new SqliteConnectionStore(connectionDb),
    identity,
    clock,
    logger,
    authMode: config.xero.authMode,
    scopes: config.xero.scopes,
    connectUrl: `${options.publicUrl ?? `http://127.0.0.1:${config.port}`}/oauth/xero/connect`,
  });
  let connectionEpoch = 0;
  const signer = new TokenSigner(deriveSigningKey(config.adminToken), new SqliteUsedNonceStore(connectionDb));
  const consent = createConsentRoutes({
    config: config.xero,
    signer,
    identity,
    pending: new SqlitePendingConsentStore(connectionDb),
    connections: {
      // A completed consent ends a pause: work paused for the reconnect is handed out again at once. This wakes
      // backoffs and Retry-After waits too, which is harmless: the in-process limiter still holds a penalised tenant.
      adopt: async (record) => {
        await tokenService.adopt(record);
        connectionEpoch += 1;
        queue.wakeDelayed();
      },
      status: () => tokenService.status(),
    },
    clock,
    logger,
    adminToken: config.adminToken,
  });

  const access = new TokenServiceAccessProvider(new InProcessTokenServiceClient(tokenService), clock);
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  // Each organisation its own budget, inside Xero's app-wide 10,000 calls a minute across all of them.
  const limiter = new AppWideCallBudget(new TenantRateLimiter({ clock, sleep }), {
    counter: new InMemoryAppCallCounter(),
    clock,
    sleep,
  });
  const xero = createXeroGateway({ access, apiUrl: config.xero.apiUrl, limiter, logger, clock });
  const reader = new DataverseWebApiReader({
    serverUrl: config.dataverse.url,
    logger,
    tokenSource: dataverseTokens,
    conditionColumns: extraColumns(config.mapping),
  });
  // Xero → Dataverse: invoice status and payments back onto the order, on the same Xero budget as the sync.
  const invoiceReader = new XeroAccountingInvoiceReader({ access, limiter, apiUrl: config.xero.apiUrl, logger, clock });
  const invoiceReaderFor = perTenant(
    (tenantId) =>
      new XeroAccountingInvoiceReader({
        access: accessForTenant(access, tenantId),
        limiter,
        apiUrl: config.xero.apiUrl,
        logger,
        clock,
      })
  );
  const orderWriteback = noteOwnOrderWrites(
    new DataverseOrderWritebackWriter({ serverUrl: config.dataverse.url, tokenSource: dataverseTokens, logger }),
    ownWrites
  );
  const writebackColumns = resolveWritebackColumns();
  const applyXeroEvents = createApplyXeroInvoiceEvents({
    xero: invoiceReader,
    orders: orderWriteback,
    columns: writebackColumns,
    logger,
    clock,
    syncState: state,
    tenantId: config.xero.pinnedTenantId,
    // Several organisations: each event is read from its own (XERO_TENANT_ID's pins limit which ones count).
    ...(config.xero.pinnedTenantIds ? { tenantIds: config.xero.pinnedTenantIds } : {}),
    xeroFor: invoiceReaderFor,
  });
  const invoicePoll = async () => {
    const { defaultTenantId, tenantIds } = await tokenService.organisations();
    return runInvoicePollPerOrganisation({
      organisations: tenantIds,
      ...(defaultTenantId ? { defaultTenantId } : {}),
      xeroFor: invoiceReaderFor,
      orders: orderWriteback,
      columns: writebackColumns,
      checkpoints: new SqliteCheckpointStore(db),
      logger,
      clock,
      syncState: state,
    });
  };

  const changes = new SqliteChangeQueue(queue);
  const writes: WriteQueue = {
    enqueue: async (items: readonly XeroWrite[]) => {
      queue.send(
        'writes',
        items.map((write) => ({ body: JSON.stringify(write) }))
      );
    },
  };
  const settings = config.mapping;
  const routedCount = settings.routing ? routedTenants(settings.routing).length : 1;
  const planChange = createPlanChange({ reader, state, settings });
  const mapBatch = createMapBatch({ reader, state, settings, writes, changes, outcomes, logger });
  // Each organisation's records are reconciled against that organisation (core/reconcile/reconcile-per-organisation).
  const reconcile = createReconcilePerOrganisation({
    reconcileFor: (tenantId) => createReconcile({ planChange, xero: xeroFor(tenantId), now: () => clock.now() }),
    tenantOf: recordTenantOf,
    logger,
  });
  const keyIndex = new XeroKeyIndex({ lister: xero, clock, logger });
  // Routing: one gateway (and key index) per organisation, all on the one limiter that keeps a budget per tenant.
  const xeroFor = perTenant((tenantId) =>
    tenantId === undefined
      ? xero
      : createXeroGateway({
          access: accessForTenant(access, tenantId),
          apiUrl: config.xero.apiUrl,
          limiter,
          logger,
          clock,
        })
  );
  const keyIndexFor = perTenant((tenantId) =>
    tenantId === undefined ? keyIndex : new XeroKeyIndex({ lister: xeroFor(tenantId), clock, logger })
  );
  const postWrites = createPostWrites({
    xero,
    state,
    outcomes,
    settings,
    clock,
    logger,
    keyIndex,
    xeroFor,
    keyIndexFor,
  });
  // Catch-up sweep and Xero preflight (see core/sweep, core/preflight): what they found is shown by /status.
  const checkpoints = new SqliteCheckpointStore(db);
  const sweepEverySeconds = config.sweepIntervalSeconds ?? 300;
  const sweep = createSweep({
    finder: sweepFinder,
    state,
    sightings,
    changes,
    checkpoints,
    clock,
    logger,
    syncedTables: settings.syncedTables,
    routing: settings.routing,
  });
  // Each chosen organisation is checked with its own access and budget (the limiter keeps one per tenant).
  const preflightReaderFor = (tenantId: string | undefined) =>
    new XeroAccountingOrganisationReader({
      access: accessForTenant(access, tenantId),
      limiter,
      apiUrl: config.xero.apiUrl,
      logger,
      clock,
    });
  const preflight = createPreflight({
    xero: preflightReaderFor(undefined),
    xeroFor: preflightReaderFor,
    settings,
    reports: checkpoints,
    clock,
    logger,
    orderCurrencies: dataverseCurrencyCodes({ serverUrl: config.dataverse.url, tokenSource: dataverseTokens, logger }),
  });
  const acceptDataverse = createAcceptDataverseWebhook({
    queue: noteDeliveredChanges(changes, sightings, logger),
    onOwnChange: noteOwnChange(sightings, logger),
    settings: {
      webhookKey: config.dataverse.webhookKey,
      organization: config.dataverse.organization,
      syncedTables: settings.syncedTables,
      ignoreUserId: config.dataverse.connectorUserId,
    },
    clock,
    logger,
  });
  const acceptXero = config.xero.webhookKey
    ? createAcceptXeroWebhook({
        key: config.xero.webhookKey,
        sink: {
          enqueue: async (events) => {
            queue.send(
              'xero-events',
              events.map((event) => ({ body: JSON.stringify(event) }))
            );
          },
        },
        logger,
      })
    : undefined;

  server = await startHttpServer({
    port: config.port,
    logger,
    routes: buildRoutes({
      mode: config.mode,
      adminToken: config.adminToken,
      clock,
      logger,
      signer,
      consent,
      tokenService,
      queue,
      outcomes: outcomeLog,
      changes,
      planChange,
      acceptDataverse,
      acceptXero,
      publicUrl,
      reconcile: () => reconcile(state.listByStatus('synced')),
      backfill: createBackfill({ lister: reader, changes, ledger: new SqliteBackfillLedger(db), clock }),
      xeroDayBudget: options.xeroDayBudget ?? 5000,
      tenantPinned: Boolean(config.xero.pinnedTenantId) || config.xero.authMode === 'custom-connection',
      dataverseUrl: config.dataverse.url,
      checks: async () => ({
        sweepIntervalSeconds: sweepEverySeconds,
        sweep: await loadSweepReport(checkpoints),
        preflight: await loadPreflightReport(checkpoints),
      }),
    }),
  });
  const checks = startBackgroundChecks({
    sweep,
    sweepEveryMs: sweepEverySeconds * 1000,
    preflight,
    reports: checkpoints,
    connection: () => tokenService.status(clock.now()),
    preflightCheckEveryMs: options.preflightCheckMs,
    clock,
    logger,
  });

  const stop = new AbortController();
  const idleMs = options.idleMs ?? 250;
  // Several organisations take several times the documents a minute: one map-stage worker each (map-workers.ts).
  const mapWorkers = mapWorkerCount(settings.routing, options.mapWorkers);
  const workers = [
    ...Array.from({ length: mapWorkers }, () =>
      startWorker({
        queue,
        name: 'changes',
        batchSize: 10,
        visibilityMs: 120_000,
        idleMs,
        signal: stop.signal,
        logger,
        handleBatch: changeBatchRunner(mapBatch, logger),
        connectionEpoch: () => connectionEpoch,
      })
    ),
    startWorker({
      queue,
      name: 'writes',
      batchSize: 50,
      batchWindowMs: options.writesBatchWindowMs ?? 1_000,
      visibilityMs: 300_000,
      idleMs,
      signal: stop.signal,
      logger,
      handleBatch: writesRunner(postWrites, logger),
      // Several organisations: up to 50 writes of each per batch, posted in parallel (one full Xero call each).
      ...(settings.routing && {
        lanes: { of: (message: LeasedMessage) => writeTenantOf(message.body), count: () => routedCount },
      }),
      connectionEpoch: () => connectionEpoch,
    }),
    startWorker({
      queue,
      name: 'xero-events',
      batchSize: 10,
      visibilityMs: 300_000,
      idleMs,
      signal: stop.signal,
      logger,
      handleBatch: xeroEventsRunner(applyXeroEvents, logger),
      connectionEpoch: () => connectionEpoch,
    }),
  ];
  // Proactive refresh: the refresh token is used long before its 60 days, and workers rarely wait for a token.
  const refreshTimer = setInterval(() => {
    tokenService
      .refreshIfDue(clock.now())
      .catch((error) => logger.warn('token refresh check failed', { error: describeError(error) }));
  }, options.refreshCheckMs ?? 60_000);
  refreshTimer.unref();
  // Nightly reconciliation: drift is logged (and shown by `connector reconcile`) rather than silently growing.
  const reconcileTimer = setInterval(
    () => {
      reconcile(state.listByStatus('synced'))
        .then((report) => {
          if (report.drift.length > 0)
            logger.warn('reconciliation found drift', { checked: report.checked, drift: report.drift.length });
          else logger.info('reconciliation clean', { checked: report.checked });
        })
        .catch((error) => logger.warn('reconciliation failed', { error: describeError(error) }));
    },
    options.reconcileEveryMs ?? 24 * 60 * 60 * 1000
  );
  reconcileTimer.unref();
  // Without Xero webhooks, poll for invoices changed since the last checkpoint (If-Modified-Since) instead.
  const pollEveryMs = options.invoicePollEveryMs ?? (config.xero.webhookKey ? 0 : 15 * 60 * 1000);
  const pollTimer =
    pollEveryMs > 0
      ? setInterval(() => {
          invoicePoll().catch((error) => logger.warn('invoice poll failed', { error: describeError(error) }));
        }, pollEveryMs)
      : undefined;
  pollTimer?.unref();

  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    queue,
    tokenService,
    outcomes: outcomeLog,
    close() {
      closing ??= (async () => {
        clearInterval(refreshTimer);
        checks.stop();
        clearInterval(reconcileTimer);
        if (pollTimer) clearInterval(pollTimer);
        await server?.close();
        stop.abort();
        await Promise.allSettled(workers);
        db.close();
        connectionDb.close();
      })();
      return closing;
    },
  };
}

/** The organisation a queued XeroWrite goes to (its lane in the writes worker); '' for the default or unreadable. */
function writeTenantOf(body: string): string {
  try {
    const tenantId = (JSON.parse(body) as { tenantId?: unknown }).tenantId;
    return typeof tenantId === 'string' ? tenantId.toLowerCase() : '';
  } catch {
    return ''; // the writes runner dead-letters it with the reason
  }
}
