/**
 * The connector's real adapters (Dataverse Web API reader, Xero gateway over xero-node) and core pipeline against
 * the two sandboxes on 127.0.0.1, with in-memory sync state and queues: the place to check that the connector and
 * the sandboxes agree on the platforms' documented rules.
 */
import { randomUUID } from 'node:crypto';
import { DataverseWebApiReader } from '../../lambdas/adapters/dataverse/dataverse-reader';
import { XeroAccountingGateway } from '../../lambdas/adapters/xero/xero-gateway';
import type { ChangeEvent, SyncedTable } from '../../lambdas/core/model/change-event';
import type { WorkResult } from '../../lambdas/core/model/xero-write';
import { DEFAULT_MAPPING_SETTINGS, type MappingSettings } from '../../lambdas/core/settings';
import { withTrackingColumns } from '../../lambdas/core/mapping/tracking';
import { createMapChange } from '../../lambdas/core/sync/map-change';
import { createPostWrites } from '../../lambdas/core/sync/post-writes';
import { syncConditionColumns } from '../../lambdas/core/sync/sync-condition';
import { DEMO_IDS, seedDemoData } from '../../sandbox/demo-data';
import { startSandboxDataverse, type SandboxDataverse } from '../../sandbox/dataverse/server';
import {
  startSandboxXero,
  type SandboxXero,
  type SandboxXeroTenant,
  SANDBOX_XERO_TENANT_ID,
} from '../../sandbox/xero-accounting/server';
import { InMemorySyncState, RecordingOutcomes, RecordingQueues, fixedClock, recordingLogger } from './in-memory-ports';

export interface PlatformHarnessOptions {
  readonly settings?: Partial<MappingSettings>;
  readonly xeroTenant?: Partial<SandboxXeroTenant>;
  readonly dataverseUserTimeZone?: string;
}

export interface PlatformHarness {
  readonly dataverse: SandboxDataverse;
  readonly xero: SandboxXero;
  readonly gateway: XeroAccountingGateway;
  readonly state: InMemorySyncState;
  readonly outcomes: RecordingOutcomes;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** Maps the change (and any changes it forwards), then posts the writes; returns every work result. */
  sync(table: SyncedTable, id: string, message?: ChangeEvent['message']): Promise<WorkResult[]>;
  close(): Promise<void>;
}

let sequence = 0;

export async function startPlatformHarness(options: PlatformHarnessOptions = {}): Promise<PlatformHarness> {
  const dataverse = await startSandboxDataverse({
    accessToken: 'dv-token',
    ...(options.dataverseUserTimeZone && { userTimeZone: options.dataverseUserTimeZone }),
  });
  const xero = await startSandboxXero({ tenants: [{ tenantId: SANDBOX_XERO_TENANT_ID, ...options.xeroTenant }] });
  const settings = { ...DEFAULT_MAPPING_SETTINGS, ...options.settings };
  const reader = new DataverseWebApiReader({
    serverUrl: dataverse.url,
    tokenSource: async () => 'dv-token',
    timeoutMs: 5_000,
    conditionColumns: withTrackingColumns(syncConditionColumns(settings.syncConditions), settings.tracking),
  });
  const gateway = new XeroAccountingGateway({
    access: {
      getAccess: async (tenantId?: string) => ({ accessToken: 'xero-token', tenantId: tenantId ?? xero.tenantId }),
    },
    apiUrl: xero.url,
    timeoutMs: 5_000,
    sleep: async () => undefined,
  });
  const state = new InMemorySyncState();
  const outcomes = new RecordingOutcomes();
  const queues = new RecordingQueues();
  const logger = recordingLogger();
  const mapChange = createMapChange({
    reader,
    state,
    settings,
    writes: queues,
    changes: queues,
    outcomes,
    logger,
  });
  const postWrites = createPostWrites({ xero: gateway, state, outcomes, settings, clock: fixedClock(), logger });

  async function sync(table: SyncedTable, id: string, message: ChangeEvent['message'] = 'Update') {
    const results: WorkResult[] = [];
    queues.changes.push({
      table,
      id,
      message,
      occurredAt: '2026-11-26T10:00:00Z',
      dedupeId: `harness-${++sequence}`,
      source: 'dataverse-webhook',
    });
    for (let round = 0; round < 5 && queues.changes.length > 0; round++) {
      for (const event of queues.changes.splice(0)) results.push(await mapChange(event));
      const writes = queues.writes.splice(0);
      if (writes.length > 0) results.push(...(await postWrites(writes)));
    }
    return results;
  }

  return {
    dataverse,
    xero,
    gateway,
    state,
    outcomes,
    logger,
    sync,
    close: async () => {
      await dataverse.close();
      await xero.close();
    },
  };
}

/**
 * Returns a starter for harnesses seeded with the sandbox's demo data; every harness it starts is closed after each
 * test of the calling file.
 */
export function demoPlatformHarnesses(): (options?: PlatformHarnessOptions) => Promise<PlatformHarness> {
  const open: PlatformHarness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  return async (options = {}) => {
    const h = await startPlatformHarness(options);
    open.push(h);
    seedDemoData(h.dataverse.state);
    return h;
  };
}

/** Adds a one-line write-in USD order for the demo account Northwind; returns its id. */
export function demoOrder(h: PlatformHarness, values: Record<string, unknown> = {}): string {
  const id = randomUUID();
  h.dataverse.state.upsert('salesorder', {
    salesorderid: id,
    customerid: { table: 'account', id: DEMO_IDS.accounts.northwind },
    transactioncurrencyid: { table: 'transactioncurrency', id: DEMO_IDS.currencies.usd },
    ...values,
  });
  h.dataverse.state.upsert('salesorderdetail', {
    salesorderid: { table: 'salesorder', id },
    isproductoverridden: true,
    productdescription: 'Consulting',
    priceperunit: 100,
    ispriceoverridden: true,
    quantity: 1,
  });
  return id;
}
