/**
 * The connector's doors over HTTP: consent needs the admin token or a fresh signed link, callbacks need a state the
 * connector issued, webhooks need their key or signature, bodies are bounded, and a pinned Xero organisation
 * cannot be swapped for another one. Every refusal must leave nothing stored and nothing queued.
 */
import { createHmac } from 'node:crypto';
import { validateXeroRequest } from '../../contracts/xero-contract';
import type { LocalConnector } from '../../src/local/local-connector';
import { startSandboxXeroFront } from '../../sandbox/sandbox-xero-front';
import { startSandboxDataverse } from '../../sandbox/dataverse/server';
import { startSandboxXero } from '../../sandbox/xero-accounting/server';
import { startFakeXeroIdentity } from '../../sandbox/xero-identity/identity-server';
import { findFreePort, SANDBOX_ORGANIZATION } from '../../src/local/sandbox-mode';
import { buildWebhookDelivery } from '../../sandbox/dataverse/webhook-body';
import { SANDBOX_DATAVERSE_ORG_ID, SANDBOX_DATAVERSE_USER_ID } from '../../sandbox/dataverse/server';
import {
  ADMIN_TOKEN,
  adminFetch,
  closeQuietly,
  collectingLogger,
  consentOverHttp,
  deliverWebhook,
  getStatus,
  startFakes,
  startRealConnector,
  tempDataDir,
  type Fakes,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const XERO_WEBHOOK_KEY = 'xero-webhook-signing-key-for-e2e-0123456789';
const data = tempDataDir('security');
let fakes: Fakes;
let connector: LocalConnector;
let url: string;

beforeAll(async () => {
  fakes = await startFakes(data.dir);
  connector = await startRealConnector({ ...fakes.env, XERO_WEBHOOK_KEY }, collectingLogger().logger);
  url = connector.app.url;
});

afterAll(async () => {
  await closeQuietly(connector, fakes?.systems);
  data.remove();
});

const queued = () => {
  const d = connector.app.queue.depth('changes');
  return d.ready + d.inFlight + d.delayed + d.deadLetters;
};
/**
 * The count once the worker has taken what earlier tests queued (a control delivery is accepted and then worked
 * off): measured before a refusal, it cannot drop under the test and hide a change the refusal queued.
 */
async function settledQueued(): Promise<number> {
  const deadline = performance.now() + 15_000;
  const pending = () => {
    const d = connector.app.queue.depth('changes');
    return d.ready + d.inFlight + d.delayed;
  };
  while (pending() > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return queued();
}
const connectionState = async () => (await getStatus(url)).connection.state;

describe('consent', () => {
  it('should refuse to start consent without the admin token', async () => {
    const response = await fetch(`${url}/oauth/xero/connect`, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    const wrong = await fetch(`${url}/oauth/xero/connect`, {
      redirect: 'manual',
      headers: { authorization: 'Bearer not-the-admin-token-at-all' },
    });
    expect(wrong.status).toBe(401);
    expect(fakes.systems.identity.knobs.calls.authorize).toBe(0);
  });

  it('should refuse admin routes without the admin token', async () => {
    for (const [method, path] of [
      ['GET', '/status'],
      ['POST', '/admin/connect-link'],
      ['POST', '/admin/login-link'],
      ['POST', '/admin/retry'],
      ['POST', '/admin/redrive'],
      ['POST', '/admin/disconnect'],
    ] as const) {
      const response = await adminFetch(url, path, { method, token: 'wrong-token-wrong-token' });
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
    }
  });

  it('should refuse a forged connect link', async () => {
    const forged = await fetch(`${url}/oauth/xero/connect?link=${encodeURIComponent('eyJmb3JnZWQiOnRydWV9.abc')}`, {
      redirect: 'manual',
    });
    expect(forged.status).toBe(401);
  });

  it('should accept a signed connect link once and refuse it when reused', async () => {
    const response = await adminFetch(url, '/admin/connect-link', { method: 'POST' });
    expect(response.status).toBe(200);
    const { url: link } = (await response.json()) as { url: string };
    const path = link.slice(new URL(link).origin.length);
    const first = await fetch(`${url}${path}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const again = await fetch(`${url}${path}`, { redirect: 'manual' });
    expect(again.status).toBe(401);
  });

  it('should answer 400 to a callback with a forged state and store nothing', async () => {
    const before = await connectionState();
    expect(before).not.toBe('connected');
    const tokenCalls = fakes.systems.identity.knobs.calls.token;
    const response = await fetch(`${url}/oauth/xero/callback?code=stolen-code&state=forged-state-value`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(fakes.systems.identity.knobs.calls.token).toBe(tokenCalls);
    expect(await connectionState()).toBe(before);
  });

  it('should refuse a callback state issued for one consent when replayed after it completed', async () => {
    const page = await consentOverHttp(url);
    expect(page.status).toBe(200);
    const callback = page.hops.at(-1) ?? '';
    expect(callback).toContain('state=');
    const replay = await fetch(callback, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await connectionState()).toBe('connected');
  });
});

describe('Dataverse webhooks', () => {
  const change = { table: 'account', id: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301', message: 'Update' as const };

  it('should answer 401 and enqueue nothing without the key or with a wrong one', async () => {
    const before = await settledQueued();
    expect((await deliverWebhook(url, undefined, change)).status).toBe(401);
    expect((await deliverWebhook(url, 'wrong-key', change)).status).toBe(401);
    expect((await deliverWebhook(url, '', change)).status).toBe(401);
    expect(queued()).toBe(before);
  });

  it('should answer 415 to a body that is not application/json and 400 to a table it does not sync', async () => {
    const before = await settledQueued();
    const key = fakes.env.DATAVERSE_WEBHOOK_KEY ?? '';
    const delivery = (table: string) =>
      buildWebhookDelivery({
        ...change,
        table,
        organizationId: SANDBOX_DATAVERSE_ORG_ID,
        organizationName: 'sandbox',
        organization: SANDBOX_ORGANIZATION,
        userId: SANDBOX_DATAVERSE_USER_ID,
      });
    const { body, headers } = delivery('account');
    const post = (contentType: string, payload: unknown) =>
      fetch(`${url}/webhooks/dataverse`, {
        method: 'POST',
        headers: { ...headers, 'content-type': contentType, 'x-connector-key': key },
        body: JSON.stringify(payload),
      });
    expect((await post('text/plain', body)).status).toBe(415);
    expect((await post('application/x-www-form-urlencoded', body)).status).toBe(415);
    const unknown = await post('application/json', delivery('new_widget').body);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('new_widget');
    expect(queued()).toBe(before);
    // Control: the same delivery, as JSON with the key in the header (HttpHeader authentication), is accepted.
    expect((await post('application/json', body)).status).toBe(202);
  });

  it('should answer 400 to malformed JSON and enqueue nothing', async () => {
    const before = await settledQueued();
    const response = await fetch(
      `${url}/webhooks/dataverse?code=${encodeURIComponent(fakes.env.DATAVERSE_WEBHOOK_KEY ?? '')}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"PrimaryEntityName": "account",' }
    );
    expect(response.status).toBe(400);
    expect(queued()).toBe(before);
  });

  it('should answer 413 to a body over the limit and enqueue nothing', async () => {
    const before = await settledQueued();
    const huge = JSON.stringify({ PrimaryEntityName: 'account', padding: 'x'.repeat(2 * 1024 * 1024) });
    const status = await fetch(
      `${url}/webhooks/dataverse?code=${encodeURIComponent(fakes.env.DATAVERSE_WEBHOOK_KEY ?? '')}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge }
    )
      .then((r) => r.status)
      .catch(() => 413); // the server may also cut the upload short
    expect(status).toBe(413);
    expect(queued()).toBe(before);
  });

  it('should accept the same delivery with the right key (control)', async () => {
    const response = await deliverWebhook(url, fakes.env.DATAVERSE_WEBHOOK_KEY, change);
    expect(response.status).toBeLessThan(300);
  });
});

describe('Xero webhooks', () => {
  const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'QWERTYUIOP' });
  const sign = (text: string, key: string) => createHmac('sha256', key).update(text).digest('base64');
  const post = (signature: string | undefined) =>
    fetch(`${url}/webhooks/xero`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-xero-signature': signature } : {}) },
      body,
    });

  it('should answer 401 to a bad or missing signature', async () => {
    expect((await post(sign(body, 'some-other-key'))).status).toBe(401);
    expect((await post(undefined)).status).toBe(401);
  });

  it('should answer 200 to a correctly signed delivery (control)', async () => {
    expect((await post(sign(body, XERO_WEBHOOK_KEY))).status).toBe(200);
  });
});

describe('tenant pin', () => {
  it('should refuse consent to an organisation outside XERO_TENANT_ID and store nothing', async () => {
    const pinned = { tenantId: '11111111-2222-4333-8444-555555555555', tenantName: 'Pinned Books Ltd' };
    const other = { tenantId: '99999999-8888-4777-8666-555555555555', tenantName: 'Somebody Else Ltd' };
    const dir = tempDataDir('security-pin');
    const port = await findFreePort();
    const identity = await startFakeXeroIdentity({
      clients: [{ clientId: 'pin-client', secret: 'pin-client-secret-0123456789' }],
      tenants: [pinned, other],
    });
    const accounting = await startSandboxXero({
      validateBody: validateXeroRequest,
      isValidAccessToken: (token) => identity.isValidAccessToken(token),
      tenants: [{ tenantId: pinned.tenantId }, { tenantId: other.tenantId }],
    });
    const front = await startSandboxXeroFront({ accountingUrl: accounting.url, identityUrl: identity.url });
    const dataverse = await startSandboxDataverse({ accessToken: 'pin-dataverse-token-0123456789' });
    let pinnedConnector: LocalConnector | undefined;
    try {
      pinnedConnector = await startRealConnector(
        {
          XERO_CLIENT_ID: 'pin-client',
          XERO_CLIENT_SECRET: 'pin-client-secret-0123456789',
          XERO_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/xero/callback`,
          XERO_TENANT_ID: pinned.tenantId,
          XERO_LOGIN_URL: front.url,
          XERO_IDENTITY_URL: front.url,
          XERO_API_URL: front.url,
          DATAVERSE_URL: dataverse.url,
          DATAVERSE_ACCESS_TOKEN: 'pin-dataverse-token-0123456789',
          DATAVERSE_WEBHOOK_KEY: 'pin-webhook-key-0123456789',
          CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN,
          PORT: String(port),
          DATA_DIR: dir.dir,
        },
        collectingLogger().logger
      );
      const pinUrl = pinnedConnector.app.url;
      identity.knobs.selectTenantsForNextConsent([other.tenantId]);
      const refused = await consentOverHttp(pinUrl);
      expect(refused.status).toBe(400);
      expect(refused.body).not.toContain(other.tenantName);
      const afterRefusal = await getStatus(pinUrl);
      expect(afterRefusal.connection.state).not.toBe('connected');
      expect(afterRefusal.connection.tenantId).toBeUndefined();

      // Control: choosing the pinned organisation connects, even when another one is ticked as well.
      const accepted = await consentOverHttp(pinUrl);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toContain(pinned.tenantName);
      const status = await getStatus(pinUrl);
      expect(status.connection.tenantId).toBe(pinned.tenantId);
    } finally {
      await closeQuietly(pinnedConnector, front, accounting, identity, dataverse);
      dir.remove();
    }
  });
});
