/**
 * SANDBOX MODE: the in-repo fakes of Xero (identity + Accounting API, validating every body against Xero's OpenAPI
 * contract) and of the Dataverse Web API, seeded with demo data, wired to the connector exactly as real systems
 * would be. Nothing here talks to the internet.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { validateXeroRequest } from '../../contracts/xero-contract';
import { DEFAULT_XERO_SCOPES } from '../../lambdas/core/connection/config';
import type { SyncedTable } from '../../lambdas/core/model/change-event';
import type { ChangeQueue } from '../../lambdas/core/ports';
import { DEMO_IDS, demoRouting, demoTrackingAndBranding, seedDemoData } from '../../sandbox/demo-data';
import type { BrandingThemeSettings } from '../../lambdas/core/mapping/branding';
import type { TrackingSettings } from '../../lambdas/core/mapping/tracking';
import type { RoutingSettings } from '../../lambdas/core/routing/routing-settings';
import { startSandboxDataverse, type SandboxDataverse } from '../../sandbox/dataverse/server';
import { forwardChangesAsWebhooks, type WebhookForwarder } from '../../sandbox/dataverse/webhook-forwarder';
import { startSandboxXeroFront } from '../../sandbox/sandbox-xero-front';
import { SANDBOX_XERO_TENANT_ID, startSandboxXero, type SandboxXero } from '../../sandbox/xero-accounting/server';
import { startFakeXeroIdentity, type FakeXeroIdentity } from '../../sandbox/xero-identity/identity-server';
import type { DataverseConfig, XeroConfig } from './runtime-config';

export const SANDBOX_ORGANIZATION = 'sandbox.crm.dynamics.local';
export const SANDBOX_TENANT_NAME = 'Sandbox Coffee Roasters Ltd';
/** The second sandbox organisation: the demo's Europe business unit is routed to it (sandbox/demo-data.ts). */
export const SANDBOX_EUROPE_TENANT_ID = '5a1dbb0c-7e3f-4c2a-9d61-0c7f3b9e2a42';
export const SANDBOX_EUROPE_TENANT_NAME = 'Sandbox Coffee Roasters GmbH';
/** A third one, for the three-organisation benchmark (bench/throughput.ts --orgs=3). */
export const SANDBOX_THIRD_XERO_TENANT_ID = 'd2b7a9e4-61c3-4f8e-b0a5-7e9c1d3f5b28';
/** The sandbox organisations, the default first (`npm start` connects the first two). */
export const SANDBOX_TENANTS = [
  { tenantId: SANDBOX_XERO_TENANT_ID, tenantName: SANDBOX_TENANT_NAME, baseCurrency: 'NZD' },
  { tenantId: SANDBOX_EUROPE_TENANT_ID, tenantName: SANDBOX_EUROPE_TENANT_NAME, baseCurrency: 'EUR' },
  { tenantId: SANDBOX_THIRD_XERO_TENANT_ID, tenantName: 'Sandbox Coffee Roasters Export Ltd', baseCurrency: 'NZD' },
] as const;

export interface SandboxSystems {
  readonly xero: XeroConfig;
  readonly dataverse: DataverseConfig;
  readonly accounting: SandboxXero;
  readonly identity: FakeXeroIdentity;
  readonly dataverseServer: SandboxDataverse;
  /** Routing of the demo data by business unit to the two organisations, used unless MAPPING_SETTINGS sets one. */
  readonly routing: RoutingSettings;
  /** Region by business unit on every line, and a theme per organisation, used unless MAPPING_SETTINGS sets them. */
  readonly tracking: TrackingSettings;
  readonly brandingThemes: BrandingThemeSettings;
  /** Start delivering Dataverse changes to the connector's webhook, like a registered async step. */
  forwardWebhooksTo(connectorUrl: string): WebhookForwarder;
  close(): Promise<void>;
}

/**
 * A port that is free right now: the redirect URI must be known before the connector binds. It is drawn from below
 * the kernel's ephemeral range (Linux 32768+, macOS and Windows 49152+): a port taken from that range could be handed
 * to an outgoing connection or another `listen(0)` between this check and the real bind (EADDRINUSE).
 */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = RESERVED_RANGE.first + randomInt(RESERVED_RANGE.last - RESERVED_RANGE.first + 1);
    if (await canListen(candidate)) return candidate;
  }
  throw new Error(`no free port between ${RESERVED_RANGE.first} and ${RESERVED_RANGE.last}`);
}

const RESERVED_RANGE = { first: 20_000, last: 32_767 };

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function startSandboxSystems(options: {
  port: number;
  seed?: boolean;
  limits?: { perMinute?: number; concurrent?: number; perDay?: number };
  /** How many Xero organisations the sandbox serves and the connector pins: `npm start` uses 2. Default 1. */
  organisations?: 1 | 2 | 3;
}): Promise<SandboxSystems> {
  const organisations = SANDBOX_TENANTS.slice(0, options.organisations ?? 1);
  const clientId = 'sandbox-connector';
  const clientSecret = randomBytes(24).toString('base64url');
  const identity = await startFakeXeroIdentity({
    clients: [{ clientId, secret: clientSecret }],
    tenants: organisations.map(({ tenantId, tenantName }) => ({ tenantId, tenantName })),
  });
  const accounting = await startSandboxXero({
    validateBody: validateXeroRequest,
    isValidAccessToken: (token) => identity.isValidAccessToken(token),
    limits: options.limits,
    // Every sandbox organisation keeps books; the identity server lists (and the connector pins) `organisations`.
    tenants: SANDBOX_TENANTS.map(({ tenantId, tenantName, baseCurrency }) => ({
      tenantId,
      name: tenantName,
      baseCurrency,
    })),
  });
  const front = await startSandboxXeroFront({ accountingUrl: accounting.url, identityUrl: identity.url });
  const dataverseToken = randomBytes(24).toString('base64url');
  const dataverseServer = await startSandboxDataverse({ accessToken: dataverseToken });
  if (options.seed !== false) seedDemoData(dataverseServer.state);
  const webhookKey = randomBytes(24).toString('base64url');
  const forwarders: WebhookForwarder[] = [];

  return {
    xero: {
      authMode: 'oauth',
      clientId,
      clientSecret,
      redirectUri: `http://127.0.0.1:${options.port}/oauth/xero/callback`,
      scopes: DEFAULT_XERO_SCOPES,
      // Every sandbox organisation is pinned: one consent connects them without a choice page (and the status page
      // shows no "no tenant pin" warning).
      pinnedTenantId: SANDBOX_XERO_TENANT_ID,
      pinnedTenantIds: organisations.map((t) => t.tenantId),
      loginUrl: front.url,
      identityUrl: front.url,
      apiUrl: front.url,
    },
    dataverse: {
      url: dataverseServer.url,
      webhookKey,
      organization: SANDBOX_ORGANIZATION,
      accessToken: dataverseToken,
    },
    accounting,
    identity,
    dataverseServer,
    routing: demoRouting(SANDBOX_XERO_TENANT_ID, SANDBOX_EUROPE_TENANT_ID),
    ...demoTrackingAndBranding(SANDBOX_XERO_TENANT_ID, SANDBOX_EUROPE_TENANT_ID),
    forwardWebhooksTo(connectorUrl) {
      const forwarder = forwardChangesAsWebhooks(dataverseServer.state, {
        url: `${connectorUrl}/webhooks/dataverse`,
        webhookKey,
        organization: SANDBOX_ORGANIZATION,
      });
      forwarders.push(forwarder);
      return forwarder;
    },
    async close() {
      for (const forwarder of forwarders) forwarder.stop();
      await Promise.allSettled(forwarders.map((f) => f.settle()));
      await Promise.allSettled([front.close(), accounting.close(), identity.close(), dataverseServer.close()]);
    },
  };
}

/** Every seeded demo record as a change, in dependency order: what a first backfill would enqueue. */
export async function enqueueDemoRecords(changes: ChangeQueue, now: Date): Promise<number> {
  const groups: [SyncedTable, Record<string, string>][] = [
    ['account', DEMO_IDS.accounts],
    ['contact', DEMO_IDS.contacts],
    ['product', DEMO_IDS.products],
    ['salesorder', DEMO_IDS.orders],
  ];
  const events = groups.flatMap(([table, ids]) =>
    Object.values(ids).map((id) => ({
      table,
      id,
      message: 'Update' as const,
      occurredAt: now.toISOString(),
      dedupeId: `sandbox-seed:${table}:${id}`,
      source: 'backfill' as const,
    }))
  );
  await changes.enqueue(events);
  return events.length;
}

/**
 * Completes consent the way an operator's browser would: start at /oauth/xero/connect with the admin token, follow
 * the fake Xero's automatic approval back to the callback. Returns the callback page's status.
 */
export async function completeSandboxConsent(connectorUrl: string, adminToken: string): Promise<number> {
  let cookie: string | undefined;
  let response = await fetch(`${connectorUrl}/oauth/xero/connect`, {
    headers: { authorization: `Bearer ${adminToken}` },
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  // The consent is bound to the browser that started it: carry its cookie back to the callback.
  cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  for (let hops = 0; hops < 5 && response.status >= 300 && response.status < 400; hops++) {
    const location = response.headers.get('location');
    if (!location) break;
    await response.arrayBuffer();
    response = await fetch(new URL(location, connectorUrl), {
      headers: cookie ? { cookie } : {},
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? cookie;
  }
  await response.text();
  return response.status;
}
