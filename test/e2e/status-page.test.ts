/**
 * The operator's status page in a real headless Chromium: the SANDBOX MODE banner, the connection and organisation,
 * queue depths, a permanent failure with a Retry button that re-queues the record, and the login-link flow that
 * gives a browser a cookie session instead of a bearer header.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { LocalConnector } from '../../src/local/local-connector';
import { startLocalConnector } from '../../src/local/local-connector';
import {
  ADMIN_TOKEN,
  closeQuietly,
  adminFetch,
  collectingLogger,
  contactsByNumber,
  getStatus,
  tempDataDir,
  waitFor,
  waitForDrain,
} from '../helpers/e2e-harness';
import { SANDBOX_SECOND_TENANT_NAME } from '../../src/local/sandbox-mode';

jest.setTimeout(60_000);

const CHROMIUM = '/usr/bin/chromium';
const data = tempDataDir('status-page');
let connector: LocalConnector;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is required for the status page test but ${CHROMIUM} is missing (CI installs it).`);
  }
  connector = await startLocalConnector(
    { PORT: '0', DATA_DIR: data.dir, CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN },
    { logger: collectingLogger().logger, idleMs: 20 }
  );
  await waitForDrain(connector.app.url);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  // chromium.launch gives every run a new, empty temporary profile and removes it on close.
  await browser?.close().catch(() => undefined);
  await closeQuietly(connector);
  data.remove();
});

async function newContext(withBearer: boolean): Promise<BrowserContext> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext(
    withBearer ? { extraHTTPHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` } } : {}
  );
  contexts.push(context);
  return context;
}

it('should show the sandbox banner, the connection, the organisation and the queue depths', async () => {
  const page = await (await newContext(true)).newPage();
  const response = await page.goto(`${connector.app.url}/`);
  expect(response?.status()).toBe(200);
  await expect(page.locator('[role=alert]').textContent()).resolves.toContain('SANDBOX MODE');
  const status = await getStatus(connector.app.url);
  expect(status.connection.tenantName).toBeTruthy();
  // npm start's sandbox connects two organisations: each is listed with its own state.
  await expect(page.locator('#organisation li.organisation').allTextContents()).resolves.toEqual([
    `${status.connection.tenantName}: Connected`,
    `${SANDBOX_SECOND_TENANT_NAME}: Connected`,
  ]);
  await expect(page.locator('#connection-state').getAttribute('class')).resolves.toBe('state-connected');
  for (const id of ['changes-depth', 'changes-dead', 'writes-depth', 'writes-dead']) {
    await expect(page.locator(`#${id}`).textContent()).resolves.toBe('0');
  }
  await expect(page.locator('#counts').textContent()).resolves.toMatch(/^\d+ \/ 0 \/ \d+$/);
});

it('should refuse the page without credentials', async () => {
  const page = await (await newContext(false)).newPage();
  const response = await page.goto(`${connector.app.url}/`);
  expect(response?.status()).toBe(401);
  await expect(page.content()).resolves.not.toContain('connection-state');
});

it('should list a permanent failure with a Retry button that re-queues the record (303 back to /)', async () => {
  const sandbox = connector.sandbox;
  if (!sandbox) throw new Error('expected sandbox mode');
  // A second account with the name of an active Xero contact: Xero refuses it, permanently.
  const duplicate = sandbox.dataverseServer.state.create('account', { name: 'Northwind Roasters Co-op' });
  await waitFor('the failure on /status', async () =>
    (await getStatus(connector.app.url)).failures.some((f) => f.id === duplicate.id)
  );

  const page = await (await newContext(true)).newPage();
  await page.goto(`${connector.app.url}/`);
  const button = page.locator(`button[data-retry="account:${duplicate.id}"]`);
  await expect(button.count()).resolves.toBe(1);
  await expect(page.locator('#failures').textContent()).resolves.toContain(duplicate.id);

  // Fix the cause in Dataverse, then press Retry.
  sandbox.dataverseServer.state.upsert('account', { accountid: duplicate.id, name: 'Northwind Roasters (East)' });
  const [postResponse] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/admin/retry') && r.request().method() === 'POST'),
    button.click(),
  ]);
  expect(postResponse.status()).toBe(303);
  expect(postResponse.headers().location).toBe('/');
  await page.waitForURL(`${connector.app.url}/`);
  await waitFor('the retried record in Xero', () => contactsByNumber(sandbox, duplicate.id).length === 1);
  expect(contactsByNumber(sandbox, duplicate.id)[0]?.Name).toBe('Northwind Roasters (East)');
  // The outcome is logged just after Xero answers, so it may trail the contact's appearance by a moment.
  await waitFor('the synced outcome of the retried record', () =>
    connector.app.outcomes.recent(50).some((o) => o.id === duplicate.id && o.status === 'synced')
  );
});

it('should re-queue a record through Retry even when nothing else announces it', async () => {
  const sandbox = connector.sandbox;
  if (!sandbox) throw new Error('expected sandbox mode');
  const other = sandbox.dataverseServer.state.create('account', { name: 'Harbourview Provisions Ltd' });
  await waitFor('the second failure on /status', async () =>
    (await getStatus(connector.app.url)).failures.some((f) => f.id === other.id)
  );
  await waitForDrain(connector.app.url);
  const page = await (await newContext(true)).newPage();
  await page.goto(`${connector.app.url}/`);
  const changesBefore = connector.app.queue.depth('changes');
  expect(changesBefore.ready + changesBefore.inFlight + changesBefore.delayed).toBe(0);
  // Pause Xero so the re-queued work stays visible on the page after the redirect.
  sandbox.accounting.knobs.pause();
  try {
    const [postResponse] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/retry')),
      page.locator(`button[data-retry="account:${other.id}"]`).click(),
    ]);
    expect(postResponse.status()).toBe(303);
    await page.waitForURL(`${connector.app.url}/`);
    const waiting = Number(await page.locator('#changes-depth').textContent());
    const writing = Number(await page.locator('#writes-depth').textContent());
    expect(waiting + writing).toBeGreaterThan(0);
  } finally {
    sandbox.accounting.knobs.resume();
  }
  await waitForDrain(connector.app.url);
});

it('should sign a browser in through a single-use login link (cookie session)', async () => {
  const response = await adminFetch(connector.app.url, '/admin/login-link', { method: 'POST' });
  expect(response.status).toBe(200);
  const { url } = (await response.json()) as { url: string };
  const context = await newContext(false);
  const page = await context.newPage();
  const landed = await page.goto(url);
  expect(landed?.status()).toBe(200);
  expect(page.url()).toBe(`${connector.app.url}/`);
  await expect(page.locator('#connection-state').count()).resolves.toBe(1);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'connector_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');

  // The same link does not work twice, not even in another browser.
  const stranger = await (await newContext(false)).newPage();
  const again = await stranger.goto(url);
  expect(again?.status()).toBe(401);
});
