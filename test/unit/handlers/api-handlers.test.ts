import { createHmac } from 'node:crypto';
import type { ChangeEvent } from '../../../lambdas/core/model/change-event';
import type { XeroWebhookEvent } from '../../../lambdas/core/ingress/xero-webhook';
import type { ConsentRoutes } from '../../../lambdas/core/connection/consent-routes';
import { createHandler as createDataverseHandler } from '../../../lambdas/handlers/dataverse-webhook';
import { createHandler as createOperatorHandler } from '../../../lambdas/handlers/oauth';
import { createHandler as createXeroHandler } from '../../../lambdas/handlers/xero-webhook';
import { apiGatewayEvent } from '../../helpers/api-gateway-events';
import { operatorDeps, SNAPSHOT } from '../../helpers/operator-deps';
import { invoiceEvent } from '../writeback/writeback-fakes';

const KEY = 'k'.repeat(40);
const body = JSON.stringify({
  MessageName: 'Update',
  PrimaryEntityName: 'account',
  PrimaryEntityId: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301',
  OperationId: '11111111-2222-4333-8444-555555555555',
  CorrelationId: '99999999-2222-4333-8444-555555555555',
  OperationCreatedOn: '/Date(1764150000000)/',
  OrganizationId: '3f9d2a71-64c8-4b0e-a5d2-8e1c7b40f6a9',
  InputParameters: [],
});

const JSON_TYPE = { 'content-type': 'application/json' };

describe('dataverse-webhook handler', () => {
  function setup() {
    const queued: ChangeEvent[] = [];
    const handler = createDataverseHandler(async () => ({
      queue: { enqueue: async (events) => void queued.push(...events) },
      webhookKey: KEY,
      syncedTables: ['account', 'contact', 'product', 'salesorder'],
    }));
    return { handler, queued };
  }

  it('should accept a keyed webhook with 202 and queue one change', async () => {
    const { handler, queued } = setup();
    const answer = await handler(
      apiGatewayEvent({
        resource: '/webhooks/dataverse',
        method: 'POST',
        query: { code: KEY },
        body,
        headers: JSON_TYPE,
      })
    );
    expect(answer.statusCode).toBe(202);
    expect(queued).toEqual([
      expect.objectContaining({ table: 'account', id: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301', message: 'Update' }),
    ]);
  });

  it('should read a base64-encoded body byte for byte', async () => {
    const { handler, queued } = setup();
    const answer = await handler(
      apiGatewayEvent({
        resource: '/webhooks/dataverse',
        method: 'POST',
        query: { code: KEY },
        headers: JSON_TYPE,
        body: Buffer.from(body).toString('base64'),
        base64: true,
      })
    );
    expect(answer.statusCode).toBe(202);
    expect(queued).toHaveLength(1);
  });

  it('should refuse a wrong key with 401 and queue nothing', async () => {
    const { handler, queued } = setup();
    const answer = await handler(
      apiGatewayEvent({ resource: '/webhooks/dataverse', method: 'POST', query: { code: 'wrong' }, body })
    );
    expect(answer.statusCode).toBe(401);
    expect(queued).toHaveLength(0);
  });
});

describe('xero-webhook handler', () => {
  it('should answer 200 with an empty body for a signed delivery and 401 for a bad signature', async () => {
    const events: XeroWebhookEvent[] = [];
    const handler = createXeroHandler(async () => ({
      key: KEY,
      sink: { enqueue: async (e) => void events.push(...e) },
    }));
    const payload = JSON.stringify({
      events: [
        invoiceEvent('7f1c0c3e-2b7a-4d7e-9a4f-0e7b3c1d2a11', {
          eventDateUtc: '2026-11-26T10:00:00.000',
          tenantId: '5a1dbb0c-7e3f-4c2a-9d61-0c7f3b9e2a41',
        }),
      ],
      firstEventSequence: 1,
      lastEventSequence: 1,
      entropy: 'ABCDEF',
    });
    const signature = createHmac('sha256', KEY).update(payload).digest('base64');

    const good = await handler(
      apiGatewayEvent({
        resource: '/webhooks/xero',
        method: 'POST',
        headers: { 'x-xero-signature': signature },
        body: payload,
      })
    );
    const bad = await handler(
      apiGatewayEvent({
        resource: '/webhooks/xero',
        method: 'POST',
        headers: { 'X-Xero-Signature': 'AAAA' },
        body: payload,
      })
    );

    expect([good.statusCode, good.body]).toEqual([200, '']);
    expect(bad.statusCode).toBe(401);
    expect(events.map((e) => e.resourceId)).toEqual(['7f1c0c3e-2b7a-4d7e-9a4f-0e7b3c1d2a11']);
  });
});

describe('oauth (operator) handler', () => {
  const consent: ConsentRoutes = {
    connect: async () => ({
      status: 302,
      headers: { location: 'https://login.xero.com/identity/connect/authorize?state=s' },
      body: '',
    }),
    callback: async () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: 'Connected to Demo Ltd' }),
    chooseTenant: async () => ({ status: 400, headers: {}, body: 'expired' }),
  };
  const handler = createOperatorHandler(async () => operatorDeps({ consent }));

  it("should hand the replacement form's body and the browser's cookie to the choose route", async () => {
    const seen: { body?: string; cookie?: string }[] = [];
    const withBody = createOperatorHandler(async () =>
      operatorDeps({
        consent: {
          ...consent,
          chooseTenant: async (req) => {
            seen.push({ body: req.body, cookie: req.headers.cookie });
            return { status: 401, headers: {}, body: 'admin token needed' };
          },
        },
      })
    );
    const answer = await withBody(
      apiGatewayEvent({
        resource: '/oauth/xero/choose',
        method: 'POST',
        headers: { Cookie: '__Host-xero_consent=abc', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=t&tenantId=x&confirm=replace&adminToken=guess',
      })
    );
    expect(answer.statusCode).toBe(401);
    expect(seen).toEqual([
      { body: 'token=t&tenantId=x&confirm=replace&adminToken=guess', cookie: '__Host-xero_consent=abc' },
    ]);
  });

  it('should route consent paths to the consent use cases', async () => {
    const connect = await handler(apiGatewayEvent({ resource: '/oauth/xero/connect' }));
    const callback = await handler(
      apiGatewayEvent({ resource: '/oauth/xero/callback', query: { code: 'c', state: 's' } })
    );
    expect(connect.statusCode).toBe(302);
    expect(connect.headers?.location).toContain('/identity/connect/authorize');
    expect(callback.body).toContain('Demo Ltd');
  });

  it('should show status to the admin only', async () => {
    const anonymous = await handler(apiGatewayEvent({ resource: '/status' }));
    const admin = await handler(
      apiGatewayEvent({ resource: '/status', headers: { Authorization: 'Bearer admin-token-0123456789' } })
    );
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(admin.body)).toEqual(SNAPSHOT);
  });

  it('should answer health without any dependency', async () => {
    const health = createOperatorHandler(async () => {
      throw new Error('settings unavailable');
    });
    expect((await health(apiGatewayEvent({ resource: '/health' }))).statusCode).toBe(200);
  });
});
