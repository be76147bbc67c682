/**
 * No secret ever leaves through a log line, an HTTP answer or the CLI: a full sandbox run with consent, a token
 * refresh, refused requests and failed syncs, with everything the connector says collected and searched for the
 * client secret, every issued token, the webhook key, the admin token and the Dataverse access token.
 */
import type { LocalConnector } from '../../src/local/local-connector';
import { startLocalConnector } from '../../src/local/local-connector';
import { runCli } from '../../src/cli/main';
import { DEMO_IDS } from '../../sandbox/demo-data';
import {
  ADMIN_TOKEN,
  closeQuietly,
  adminFetch,
  collectingLogger,
  consentOverHttp,
  deliverWebhook,
  getStatus,
  tempDataDir,
  waitFor,
  waitForDrain,
} from '../helpers/e2e-harness';

jest.setTimeout(60_000);

const data = tempDataDir('no-secrets');
const collected = collectingLogger();
const said: { where: string; text: string }[] = [];
let connector: LocalConnector;

afterAll(async () => {
  await closeQuietly(connector);
  data.remove();
});

async function keep(where: string, response: Response | Promise<Response>): Promise<number> {
  const r = await response;
  const headers = JSON.stringify(Object.fromEntries(r.headers.entries()));
  said.push({ where, text: `${headers}\n${await r.text()}` });
  return r.status;
}

async function cli(args: string[]): Promise<number> {
  let text = '';
  const code = await runCli([...args, '--url', connector.app.url, '--token', ADMIN_TOKEN], {
    stdout: (t) => (text += t),
    stderr: (t) => (text += t),
    env: {},
  });
  said.push({ where: `cli ${args.join(' ')}`, text });
  return code;
}

it('should never put a secret in a log line, an HTTP answer or CLI output', async () => {
  connector = await startLocalConnector(
    { PORT: '0', DATA_DIR: data.dir, CONNECTOR_ADMIN_TOKEN: ADMIN_TOKEN },
    { logger: collected.logger, idleMs: 20 }
  );
  const sandbox = connector.sandbox;
  if (!sandbox) throw new Error('expected sandbox mode');
  const url = connector.app.url;
  await waitForDrain(url);

  // Consent again (a second grant), a refused consent and forged callbacks.
  const again = await consentOverHttp(url);
  said.push({ where: 'consent page', text: again.body + again.hops.join('\n') });
  sandbox.identity.knobs.denyNextConsent();
  const denied = await consentOverHttp(url);
  said.push({ where: 'denied consent page', text: denied.body + denied.hops.join('\n') });
  await keep('forged callback', fetch(`${url}/oauth/xero/callback?code=abc&state=forged`));
  await keep('connect without token', fetch(`${url}/oauth/xero/connect`, { redirect: 'manual' }));

  // A token refresh, as the timer would do it near expiry.
  const refreshed = await connector.app.tokenService.refreshIfDue(new Date(Date.now() + 2 * 3600_000));
  expect(refreshed).toBe('refreshed');

  // Webhooks: refused, malformed and accepted.
  const key = sandbox.dataverse.webhookKey;
  const change = { table: 'account', id: DEMO_IDS.accounts.northwind, message: 'Update' as const };
  said.push({ where: 'webhook wrong key', text: (await deliverWebhook(url, 'wrong', change)).body });
  said.push({ where: 'webhook no key', text: (await deliverWebhook(url, undefined, change)).body });
  said.push({ where: 'webhook ok', text: (await deliverWebhook(url, key, change)).body });
  await keep(
    'webhook malformed',
    fetch(`${url}/webhooks/dataverse?code=${encodeURIComponent(key)}`, { method: 'POST', body: '{oops' })
  );

  // Failures: a permanent Xero refusal (duplicate name), Xero 5xx and Dataverse 5xx along the way.
  sandbox.accounting.knobs.failNext(2, 500);
  sandbox.dataverseServer.knobs.failNext(1, 503);
  const duplicate = sandbox.dataverseServer.state.create('account', { name: 'Northwind Roasters Co-op' });
  await waitFor('the duplicate to fail', async () =>
    (await getStatus(url)).failures.some((f) => f.id === duplicate.id)
  );
  await waitForDrain(url);

  // Everything an operator can read.
  await keep('status', adminFetch(url, '/status'));
  await keep('status page', adminFetch(url, '/'));
  await keep('login link', adminFetch(url, '/admin/login-link', { method: 'POST' }));
  await keep('preview', adminFetch(url, `/admin/preview/salesorder/${DEMO_IDS.orders.harbourview}`));
  for (const args of [
    ['status'],
    ['status', '--json'],
    ['preview', 'account', duplicate.id],
    ['retry', 'account', duplicate.id],
    ['redrive'],
    ['connect-link'],
  ]) {
    await cli(args);
  }
  await keep('disconnect', adminFetch(url, '/admin/disconnect', { method: 'POST' }));

  const secrets = [
    { name: 'XERO_CLIENT_SECRET', value: sandbox.xero.clientSecret },
    { name: 'DATAVERSE_WEBHOOK_KEY', value: key },
    { name: 'CONNECTOR_ADMIN_TOKEN', value: ADMIN_TOKEN },
    { name: 'DATAVERSE_ACCESS_TOKEN', value: sandbox.dataverse.accessToken ?? '' },
    ...sandbox.identity.knobs.issuedSecrets().map((value, i) => ({ name: `issued token #${i + 1}`, value })),
  ];
  expect(secrets.filter((s) => s.value.length < 16)).toEqual([]);
  expect(sandbox.identity.knobs.issuedSecrets().length).toBeGreaterThanOrEqual(4);
  expect(collected.lines.length).toBeGreaterThan(20);
  expect(said.length).toBeGreaterThan(15);

  const everything = [...collected.lines.map((text) => ({ where: 'log', text })), ...said];
  const leaks = everything.flatMap(({ where, text }) =>
    secrets.filter((s) => text.includes(s.value)).map((s) => `${s.name} in ${where}: ${text.slice(0, 200)}`)
  );
  expect(leaks).toEqual([]);
});
