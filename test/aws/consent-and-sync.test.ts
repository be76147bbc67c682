/**
 * The synthesized stack end to end: consent at the hosted callback, a Dataverse webhook through API Gateway, the
 * changes queue, the map function, the writes queue and the post function into the sandbox Xero.
 */
import { contactsByNumber, deliverWebhook, invoicesByReference, waitFor } from '../helpers/e2e-harness';
import { consentInBrowser, DEMO_IDS, startScenario, waitForIdle, type Scenario } from '../helpers/aws-scenario';

jest.setTimeout(120_000);

let s: Scenario;
beforeAll(async () => {
  s = await startScenario();
}, 240_000);
afterAll(async () => s?.close());

it('should connect Xero through the hosted consent routes and store the token set through the token function', async () => {
  const page = await consentInBrowser(s);
  expect(page.status).toBe(200);
  expect(page.hops.at(-1)).toContain(`${s.stack.api.publicUrl}/oauth/xero/callback?`);
  const tokenFn = s.stack.fn(/Token/);
  expect(s.stack.lambda.invocationCount(tokenFn.name)).toBeGreaterThan(0);
  const status = await fetch(`${s.stack.api.url}/status`, { headers: { authorization: `Bearer ${s.adminToken}` } });
  expect(status.status).toBe(200);
  expect(((await status.json()) as { connection: { state: string } }).connection.state).toBe('connected');
});

it('should turn a Dataverse order webhook into one invoice in Xero, its customer and products first', async () => {
  const answer = await deliverWebhook(s.stack.api.url, s.webhookKey, {
    table: 'salesorder',
    id: DEMO_IDS.orders.harbourview,
    message: 'Update',
  });
  expect(answer.status).toBeLessThan(300);
  await waitFor('the Harbourview invoice', () => invoicesByReference(s.sandbox, 'ORD-01001-HVP').length > 0, {
    timeoutMs: 60_000,
  });
  await waitForIdle(s.stack);
  expect(invoicesByReference(s.sandbox, 'ORD-01001-HVP')).toHaveLength(1);
  expect(contactsByNumber(s.sandbox, DEMO_IDS.accounts.harbourview)).toHaveLength(1);
});
