/**
 * Consent hijack (issue 14, item 1): an admin starts consent, the authorize URL or a connect link leaks, and someone
 * else completes it in their own browser with their own Xero organisation. The connection must not change.
 */
import { validateXeroRequest } from '../../contracts/xero-contract';
import type { LocalConnector } from '../../src/local/local-connector';
import { findFreePort } from '../../src/local/sandbox-mode';
import { startSandboxDataverse, type SandboxDataverse } from '../../sandbox/dataverse/server';
import { startSandboxXeroFront } from '../../sandbox/sandbox-xero-front';
import { startSandboxXero, type SandboxXero } from '../../sandbox/xero-accounting/server';
import { startFakeXeroIdentity, type FakeXeroIdentity } from '../../sandbox/xero-identity/identity-server';
import { Browser } from '../helpers/browser';
import {
  ADMIN_TOKEN,
  adminFetch,
  closeQuietly,
  collectingLogger,
  consentOverHttp,
  getStatus,
  startRealConnector,
  tempDataDir,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const ADMIN_ORG = { tenantId: '0a0a0a0a-1111-4222-8333-444444444444', tenantName: 'Admin Books Ltd' };
const INTRUDER_ORG = { tenantId: '0b0b0b0b-5555-4666-8777-888888888888', tenantName: 'Intruder Ltd' };

const data = tempDataDir('consent-hijack');
let identity: FakeXeroIdentity;
let accounting: SandboxXero;
let front: { url: string; close(): Promise<void> };
let dataverse: SandboxDataverse;
let connector: LocalConnector;
let url: string;

beforeAll(async () => {
  const port = await findFreePort();
  identity = await startFakeXeroIdentity({
    clients: [{ clientId: 'hijack-client', secret: 'hijack-client-secret-0123456789' }],
    tenants: [ADMIN_ORG, INTRUDER_ORG],
  });
  accounting = await startSandboxXero({
    validateBody: validateXeroRequest,
    isValidAccessToken: (token) => identity.isValidAccessToken(token),
    tenants: [{ tenantId: ADMIN_ORG.tenantId }, { tenantId: INTRUDER_ORG.tenantId }],
  });
  front = await startSandboxXeroFront({ accountingUrl: accounting.url, identityUrl: identity.url });
  dataverse = await startSandboxDataverse({ accessToken: 'hijack-dataverse-token-0123456789' });
  connector = await startRealConnector(
    {
      XERO_CLIENT_ID: 'hijack-client',
      XERO_CLIENT_SECRET: 'hijack-client-secret-0123456789',
      XERO_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/xero/callback`,
      XERO_LOGIN_URL: front.url,
      XERO_IDENTITY_URL: front.url,
      XERO_API_URL: front.url,
      DATAVERSE_URL: dataverse.url,
      DATAVERSE_ACCESS_TOKEN: 'hijack-dataverse-token-0123456789',
      DATAVERSE_WEBHOOK_KEY: 'hijack-webhook-key-0123456789',
      CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN,
      PORT: String(port),
      DATA_DIR: data.dir,
    },
    collectingLogger().logger
  );
  url = connector.app.url;
  identity.knobs.selectTenantsForNextConsent([ADMIN_ORG.tenantId]);
  const first = await consentOverHttp(url, { browser: new Browser() });
  expect(first.status).toBe(200);
  expect((await getStatus(url)).connection.tenantId).toBe(ADMIN_ORG.tenantId);
});

afterAll(async () => {
  await closeQuietly(connector, front, accounting, identity, dataverse);
  data.remove();
});

describe('consent hijack', () => {
  it('should keep the connection when a leaked authorize URL is completed in another browser', async () => {
    const adminBrowser = new Browser();
    const start = await adminBrowser.fetch(`${url}/oauth/xero/connect`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(start.status).toBe(302);
    expect(adminBrowser.cookies.has('xero_consent')).toBe(true);
    const leakedAuthorizeUrl = start.headers.get('location')!;

    identity.knobs.consentAsUser('intruder');
    identity.knobs.selectTenantsForNextConsent([INTRUDER_ORG.tenantId]);
    const intruder = new Browser();
    const { response } = await intruder.follow(leakedAuthorizeUrl);
    const page = await response.text();
    expect(response.status).toBe(400);
    expect(page).toContain('another browser');

    const status = await getStatus(url);
    expect(status.connection).toMatchObject({ state: 'connected', tenantId: ADMIN_ORG.tenantId });
  });

  it('should not let a leaked connect link swap the organisation without the admin token', async () => {
    const link = (await (await adminFetch(url, '/admin/connect-link', { method: 'POST' })).json()) as { url: string };
    identity.knobs.consentAsUser('intruder');
    identity.knobs.selectTenantsForNextConsent([INTRUDER_ORG.tenantId]);
    const intruder = new Browser();
    const { response } = await intruder.follow(link.url);
    const page = await response.text();
    expect(page).toContain('Replace the connected Xero organisation?');
    const fields = Object.fromEntries(
      [...page.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')])
    );
    const confirm = await intruder.fetch(`${url}/oauth/xero/choose`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
      body: new URLSearchParams({ ...fields, adminToken: 'a-guess-at-the-admin-token' }).toString(),
    });
    expect(confirm.status).toBe(401);

    const status = await getStatus(url);
    expect(status.connection).toMatchObject({ state: 'connected', tenantId: ADMIN_ORG.tenantId });
  });
});
