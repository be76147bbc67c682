/**
 * The operator's status page in a real headless Chromium under its strict CSP: the SANDBOX MODE banner, the
 * connection with relative times and the refresh token's expiry date (rewritten by the nonce'd script), records by
 * name with links into Dynamics and Xero, a dead letter brought back by its Retry and by Retry all, a failed record
 * re-synced through Retry, filters by table and outcome, and the login-link flow that gives a browser a cookie
 * session instead of a bearer header.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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
import { SANDBOX_EUROPE_TENANT_NAME } from '../../src/local/sandbox-mode';

jest.setTimeout(60_000);

const CHROMIUM = '/usr/bin/chromium';
const data = tempDataDir('status-page');
let connector: LocalConnector;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
/** Console errors of every page (a CSP violation is reported there). */
const consoleErrors: string[] = [];

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

afterEach(() => {
  expect(consoleErrors).toEqual([]);
});

/** A British operator in New Zealand: dates and times on the page must follow the browser, not the server. */
async function newContext(withBearer: boolean): Promise<BrowserContext> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({
    locale: 'en-GB',
    timezoneId: 'Pacific/Auckland',
    ...(withBearer ? { extraHTTPHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` } } : {}),
  });
  contexts.push(context);
  return context;
}

async function adminPage(path = '/'): Promise<Page> {
  const page = await (await newContext(true)).newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const response = await page.goto(`${connector.app.url}${path}`);
  expect(response?.status()).toBe(200);
  return page;
}

/** Submits a form by its button and waits for the POST's 303 and the page it leads back to. */
async function submit(page: Page, selector: string, path: string): Promise<void> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(path) && r.request().method() === 'POST'),
    page.locator(selector).click(),
  ]);
  expect(response.status()).toBe(303);
  await page.waitForLoadState('load');
}

function sandboxOf() {
  const sandbox = connector.sandbox;
  if (!sandbox) throw new Error('expected sandbox mode');
  return sandbox;
}

it('should show the sandbox banner, the connection with relative times and dates, and the queue depths', async () => {
  const page = await adminPage();
  await expect(page.locator('[role=alert]').textContent()).resolves.toContain('SANDBOX MODE');
  const status = await getStatus(connector.app.url);
  expect(status.connection.tenantName).toBeTruthy();
  // npm start's sandbox connects two organisations: each is listed with its own state.
  const organisationRows = page
    .locator('#organisations tbody tr')
    .evaluateAll((rows) => rows.map((r) => `${r.children[0]?.textContent}: ${r.children[1]?.textContent}`));
  await expect(organisationRows).resolves.toEqual([
    `${status.connection.tenantName}: Connected`,
    `${SANDBOX_EUROPE_TENANT_NAME}: Connected`,
  ]);
  await expect(page.locator('#connection-state').getAttribute('class')).resolves.toBe('state-connected');
  for (const id of ['changes-depth', 'changes-dead', 'writes-depth', 'writes-dead']) {
    await expect(page.locator(`#${id}`).textContent()).resolves.toBe('0');
  }
  await expect(page.locator('#counts').textContent()).resolves.toMatch(/^\d+ \/ 0 \/ \d+$/);
  // The nonce'd script ran under the CSP: it marks each time it rewrote in the viewer's zone.
  const refreshed = page.locator('#refreshed-at time');
  await expect(refreshed.getAttribute('data-local')).resolves.toBe('true');
  await expect(refreshed.textContent()).resolves.toMatch(/^(just now|\d+ min ago)$/);
  // The tooltip gives the full time in the viewer's zone (the server renders UTC).
  await expect(refreshed.getAttribute('title')).resolves.toMatch(/(NZDT|NZST|GMT\+1[23])$/);
  await expect(page.locator('#refresh-token').textContent()).resolves.toMatch(
    /^renewed (just now|\d+ min ago), expires \d{1,2} [A-Z][a-z]{2,3} \d{4} unless used; the schedule renews it$/
  );
  // Synced records by name, each linking into Dynamics and into Xero.
  const synced = page.locator('#recent tr.synced').first();
  await expect(synced.locator('a.dynamics').getAttribute('href')).resolves.toMatch(
    /\/main\.aspx\?pagetype=entityrecord&etn=(account|contact|product|salesorder)&id=[0-9a-f-]{36}$/
  );
  await expect(synced.locator('a.xero').getAttribute('href')).resolves.toMatch(/^https:\/\/go\.xero\.com\//);
  expect(await page.locator('#hourly-chart g.bar').count()).toBe(24);
  const lastHour = page.locator('#hourly-chart g.bar').last();
  expect(Number(await lastHour.getAttribute('data-synced'))).toBeGreaterThan(0);
});

it('should refuse the page without credentials', async () => {
  const page = await (await newContext(false)).newPage();
  const response = await page.goto(`${connector.app.url}/`);
  expect(response?.status()).toBe(401);
  await expect(page.content()).resolves.not.toContain('connection-state');
});

it('should list a refused record by name as a failure and a dead letter, and bring the dead letter back with Retry', async () => {
  const sandbox = sandboxOf();
  // A second account with the name of an active Xero contact: Xero refuses it, permanently.
  const duplicate = sandbox.dataverseServer.state.create('account', { name: 'Northwind Roasters Co-op' });
  await waitFor('the dead letter on /status', async () =>
    (await getStatus(connector.app.url)).deadLetters.some((d) => d.record?.id === duplicate.id)
  );
  const page = await adminPage();
  const failure = page.locator('#failures tr', { has: page.locator(`button[data-retry="account:${duplicate.id}"]`) });
  await expect(failure.locator('a.dynamics').textContent()).resolves.toBe('Northwind Roasters Co-op');
  await expect(failure.locator('a.dynamics').getAttribute('href')).resolves.toContain(
    `pagetype=entityrecord&etn=account&id=${duplicate.id}`
  );
  const letter = page.locator('#dead-letters tr[data-table="account"]', { hasText: 'Northwind Roasters Co-op' });
  expect(await letter.count()).toBe(1);
  const retryKey = await letter.locator('button[data-retry-key]').getAttribute('data-retry-key');

  // Hold Xero so the retried write stays in the queue while the page reloads.
  sandbox.accounting.knobs.pause();
  try {
    await submit(page, `button[data-retry-key="${retryKey}"]`, '/admin/retry');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator(`button[data-retry-key="${retryKey}"]`).count()).toBe(0);
    expect(Number(await page.locator('#writes-depth').textContent())).toBeGreaterThan(0);
  } finally {
    sandbox.accounting.knobs.resume();
  }
  // Still a duplicate: Xero refuses it again and it returns to the dead letters.
  await waitFor('the dead letter back after its retry', async () =>
    (await getStatus(connector.app.url)).deadLetters.some((d) => d.record?.id === duplicate.id)
  );
});

it('should re-sync a failed record through its Retry once the cause is fixed, linking it into Xero', async () => {
  const sandbox = sandboxOf();
  const failed = (await getStatus(connector.app.url)).failures.find((f) => f.name === 'Northwind Roasters Co-op');
  if (!failed) throw new Error('expected the failure of the previous test');
  const page = await adminPage();
  // Fix the cause in Dataverse, then press Retry.
  sandbox.dataverseServer.state.upsert('account', { accountid: failed.id, name: 'Northwind Roasters (East)' });
  await submit(page, `button[data-retry="account:${failed.id}"]`, '/admin/retry');
  await waitFor('the retried record in Xero', () => contactsByNumber(sandbox, failed.id).length === 1);
  expect(contactsByNumber(sandbox, failed.id)[0]?.Name).toBe('Northwind Roasters (East)');
  await waitFor('the synced outcome of the retried record', async () =>
    (await getStatus(connector.app.url)).recent.some((o) => o.id === failed.id && o.status === 'synced')
  );
  await page.reload();
  const row = page.locator('#recent tr.synced', { hasText: 'Northwind Roasters (East)' }).first();
  await expect(row.locator('a.xero').getAttribute('href')).resolves.toMatch(/^https:\/\/go\.xero\.com\/.*Contacts/);
});

it('should bring every dead letter back with Retry all', async () => {
  const sandbox = sandboxOf();
  const other = sandbox.dataverseServer.state.create('account', { name: 'Harbourview Provisions Ltd' });
  await waitFor('a second dead letter', async () =>
    (await getStatus(connector.app.url)).deadLetters.some((d) => d.record?.id === other.id)
  );
  const page = await adminPage();
  const before = Number(await page.locator('#dead-letter-count').textContent());
  expect(before).toBeGreaterThanOrEqual(2);
  sandbox.accounting.knobs.pause();
  try {
    await submit(page, '#retry-all', '/admin/retry-all');
    await expect(page.locator('#dead-letter-count').textContent()).resolves.toBe('0');
    await expect(page.locator('#writes-dead').textContent()).resolves.toBe('0');
    expect(Number(await page.locator('#writes-depth').textContent())).toBeGreaterThan(0);
  } finally {
    sandbox.accounting.knobs.resume();
  }
  await waitForDrain(connector.app.url);
});

it('should filter by table (applied as soon as it changes) and by outcome (plain query, no script needed)', async () => {
  const page = await adminPage();
  await Promise.all([
    page.waitForURL(/\?table=product/),
    page.locator('#filters select[name=table]').selectOption('product'),
  ]);
  const tables = await page
    .locator('#recent tbody tr[data-table]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-table')));
  expect(tables.length).toBeGreaterThan(0);
  expect(new Set(tables)).toEqual(new Set(['product']));

  const failed = await adminPage('/?outcome=failed&refresh=off');
  const outcomes = await failed
    .locator('#recent tbody tr[data-status]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
  expect(outcomes.length).toBeGreaterThan(0);
  expect(new Set(outcomes)).toEqual(new Set(['failed']));
  await expect(failed.locator('#auto-refresh').textContent()).resolves.toContain('Auto-refresh paused');
  expect(await failed.locator('meta[http-equiv=refresh]').count()).toBe(0);
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

  // Reconnect from the page: the session starts consent (the sandbox Xero approves at once) and comes back connected.
  await Promise.all([page.waitForURL(/\/oauth\/xero\/callback\?/), page.locator('#reconnect').click()]);
  await expect(page.locator('h1').textContent()).resolves.toBe('Xero connected');

  // The same link does not work twice, not even in another browser.
  const stranger = await (await newContext(false)).newPage();
  const again = await stranger.goto(url);
  expect(again?.status()).toBe(401);
});
