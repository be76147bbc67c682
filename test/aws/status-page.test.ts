/**
 * The status page as the synthesized stack serves it, in a real headless Chromium: a login link minted with the
 * admin token (what `connector login-link --stage` asks for), the browser's session cookie, a synced record shown
 * by name, a dead-lettered record with its reason, Retry pressed on it after the fix, and the record synced.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { contactsByNumber, deliverWebhook, waitFor } from '../helpers/e2e-harness';
import { consentInBrowser, startScenario, waitForIdle, type Scenario } from '../helpers/aws-scenario';

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
let s: Scenario;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is required for the status page test but ${CHROMIUM} is missing (CI installs it).`);
  }
  s = await startScenario({ timeScale: 0.01 });
  expect((await consentInBrowser(s)).status).toBe(200);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 240_000);
afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await s?.close();
});

const dv = () => s.sandbox.dataverseServer.state;
const deliver = (change: Parameters<typeof deliverWebhook>[2]) => deliverWebhook(s.stack.api.url, s.webhookKey, change);
const changesQueue = () => s.stack.queues.find((q) => q.arn === s.stack.mappingOf(s.stack.fn(/Map/)).spec.queueArn)!;

/** POST /admin/login-link with the admin bearer, as the CLI does; the public link resolved to the loopback API. */
async function loginLink(): Promise<string> {
  const answer = await fetch(`${s.stack.api.url}/admin/login-link`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.adminToken}` },
  });
  expect(answer.status).toBe(200);
  const { url } = (await answer.json()) as { url: string };
  expect(url.startsWith(`${s.stack.api.publicUrl}/login?link=`)).toBe(true);
  return s.stack.api.localize(url);
}

async function signedInPage(): Promise<Page> {
  const context = await browser!.newContext();
  const page = await context.newPage();
  const response = await page.goto(await loginLink());
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/dev/');
  return page;
}

it('should refuse the page without a session and refuse a login link the second time', async () => {
  const context = await browser!.newContext();
  const page = await context.newPage();
  expect((await page.goto(`${s.stack.api.url}/`))?.status()).toBe(401);
  await expect(page.textContent('body')).resolves.toContain('npx connector login-link --stage dev');
  const link = await loginLink();
  expect((await page.goto(link))?.status()).toBe(200);
  const other = await (await browser!.newContext()).newPage();
  expect((await other.goto(link))?.status()).toBe(401);
  await context.close();
});

it('should show a synced record by name and a dead letter, and sync the record after Retry', async () => {
  const synced = dv().create('account', { name: 'Status Page Roasters' });
  await deliver({ table: 'account', id: synced.id, message: 'Create' });
  const broken = dv().create('account', { name: 'Placeholder' });
  dv().update('account', broken.id, { name: null });
  await deliver({ table: 'account', id: broken.id, message: 'Create' });
  const dlq = s.stack.queues.find((q) => q.arn === changesQueue().deadLetterArn)!;
  await waitFor('the broken change in the dead letters', async () => (await s.stack.depth(dlq)) === 1, {
    timeoutMs: 60_000,
  });
  await waitFor('the synced contact', () => contactsByNumber(s.sandbox, synced.id).length === 1, { timeoutMs: 60_000 });
  await waitForIdle(s.stack);

  const page = await signedInPage();
  await expect(page.getByText('Status Page Roasters').first().isVisible()).resolves.toBe(true);
  const row = page
    .locator('#dead-letters tr', { hasText: broken.id })
    .filter({ has: page.getByRole('button', { name: 'Retry', exact: true }) });
  await expect(row.count()).resolves.toBe(1);

  dv().update('account', broken.id, { name: 'Fixed By Retry Ltd' });
  await row.getByRole('button', { name: 'Retry', exact: true }).click();
  await page.waitForLoadState();
  expect(new URL(page.url()).pathname).toBe('/dev/');

  await waitFor('the retried contact', () => contactsByNumber(s.sandbox, broken.id).length === 1, {
    timeoutMs: 60_000,
  });
  await waitForIdle(s.stack);
  expect(contactsByNumber(s.sandbox, broken.id)[0]?.Name).toBe('Fixed By Retry Ltd');
  expect(await s.stack.depth(dlq)).toBe(0);
  await page.reload();
  await expect(page.getByText('Fixed By Retry Ltd').first().isVisible()).resolves.toBe(true);
  await expect(
    page
      .locator('li, tr', { hasText: broken.id })
      .filter({ has: page.getByRole('button', { name: 'Retry', exact: true }) })
      .count()
  ).resolves.toBe(0);
});

it("should reconnect Xero from the signed-in browser: the page's link starts consent with that browser's cookie", async () => {
  const page = await signedInPage();
  const href = await page
    .getByRole('link', { name: /connect/i })
    .first()
    .getAttribute('href');
  expect(href).toBe('/dev/oauth/xero/connect');
  // The browser's own requests (its cookie jar), one hop at a time: the public callback URL resolves to the
  // loopback API, as DNS would to API Gateway.
  const start = await page.request.get(`${s.stack.api.url}/oauth/xero/connect`, { maxRedirects: 0 });
  expect(start.status()).toBe(302);
  expect(start.headers()['set-cookie']).toMatch(/^__Host-xero_consent=/);
  const authorize = await page.request.get(start.headers().location!, { maxRedirects: 0 });
  expect(authorize.status()).toBe(302);
  const callback = authorize.headers().location!;
  expect(callback.startsWith(`${s.stack.api.publicUrl}/oauth/xero/callback?`)).toBe(true);
  const done = await page.request.get(s.stack.api.localize(callback), { maxRedirects: 0 });
  expect(done.status()).toBe(200);
  const anonymous = await (
    await browser!.newContext()
  ).request.get(`${s.stack.api.url}/oauth/xero/connect`, {
    maxRedirects: 0,
  });
  expect(anonymous.status()).toBe(401);
});
