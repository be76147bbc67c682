import { ValidationError } from '../../../../lambdas/core/errors';
import {
  CONNECTOR_KEY_HEADER,
  createAcceptDataverseWebhook,
} from '../../../../lambdas/core/ingress/accept-dataverse-webhook';
import type { AcceptDataverseWebhookSettings } from '../../../../lambdas/core/ingress/accept-dataverse-webhook';
import type { ChangeEvent } from '../../../../lambdas/core/model/change-event';
import { SYNCED_TABLES } from '../../../../lambdas/core/model/change-event';
import type { ChangeQueue, Logger } from '../../../../lambdas/core/ports';
import { FIXTURE_ORDER_ID, FIXTURE_ORG_ID, FIXTURE_USER_ID, fixtureBytes, fixtureJson } from './dataverse-fixtures';
import { fixedClock } from '../../../helpers/in-memory-ports';

const KEY = 'k3y-Th1s-is-a-long-random-webhook-secret-0123456789';

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function setup(settings: Partial<AcceptDataverseWebhookSettings> = {}, queue?: ChangeQueue) {
  const enqueued: ChangeEvent[][] = [];
  const logs: LogLine[] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push({ level, message, ...(fields ? { fields } : {}) });
    };
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const accept = createAcceptDataverseWebhook({
    queue: queue ?? {
      enqueue: async (events) => {
        enqueued.push([...events]);
      },
    },
    settings: { webhookKey: KEY, syncedTables: SYNCED_TABLES, ...settings },
    clock: fixedClock('2025-11-26T09:00:00Z'),
    logger,
  });
  return { accept, enqueued, logs };
}

const withKey = { code: KEY };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('createAcceptDataverseWebhook', () => {
  it('should enqueue one ChangeEvent and answer 202 accepted for a Create', async () => {
    const { accept, enqueued } = setup();
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('account-create') });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ accepted: true, table: 'account' });
    expect(enqueued).toEqual([
      [
        {
          table: 'account',
          id: '3f6a9b2c-1d4e-4f50-8a7b-9c0d1e2f3a4b',
          message: 'Create',
          occurredAt: '2025-11-26T00:00:00.000Z',
          dedupeId: 'a1b2c3d4-0001-4e11-9a2b-3c4d5e6f7081:Create',
          correlationId: 'c0ffee00-1111-4222-8333-444455556666',
          operationId: 'a1b2c3d4-0001-4e11-9a2b-3c4d5e6f7081',
          source: 'dataverse-webhook',
        },
      ],
    ]);
  });

  it('should accept the key in the x-connector-key header (HttpHeader auth)', async () => {
    const { accept, enqueued } = setup();
    const response = await accept({
      headers: { ...JSON_TYPE, 'X-Connector-Key': KEY },
      query: {},
      rawBody: fixtureBytes('product-delete'),
    });
    expect(response.status).toBe(202);
    expect(enqueued[0]?.[0]).toMatchObject({ table: 'product', message: 'Delete' });
    expect(CONNECTOR_KEY_HEADER).toBe('x-connector-key');
  });

  it('should enqueue an order Update for a change of one of its lines', async () => {
    const { accept, enqueued } = setup();
    const response = await accept({
      headers: JSON_TYPE,
      query: withKey,
      rawBody: fixtureBytes('salesorderdetail-update'),
    });
    expect(response.status).toBe(202);
    expect(enqueued[0]?.[0]).toMatchObject({ table: 'salesorder', id: FIXTURE_ORDER_ID, message: 'Update' });
  });

  it('should give the same dedupeId to a redelivery of the same operation', async () => {
    const { accept, enqueued } = setup();
    await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('contact-update') });
    await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('contact-update') });
    expect(enqueued).toHaveLength(2);
    expect(enqueued[0]?.[0]?.dedupeId).toBe(enqueued[1]?.[0]?.dedupeId);
  });

  it('should derive a stable hash dedupeId when there is no operation id, distinct per change', async () => {
    const { accept, enqueued } = setup();
    const first = fixtureJson('contact-update');
    delete first['OperationId'];
    const second = { ...first, OperationCreatedOn: '/Date(1764118900000)/' };
    for (const body of [first, first, second]) {
      await accept({ headers: JSON_TYPE, query: withKey, rawBody: Buffer.from(JSON.stringify(body)) });
    }
    const ids = enqueued.map((batch) => batch[0]?.dedupeId);
    expect(ids[0]).toMatch(/^h:[0-9a-f]{64}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it.each([
    ['no key at all', {}, {}],
    ['a wrong query key', { code: `${KEY}x` }, {}],
    ['a wrong header key', {}, { 'x-connector-key': 'guess' }],
    ['an empty key', { code: '' }, {}],
  ])('should answer 401 without parsing for %s', async (_label, query, headers) => {
    const { accept, enqueued, logs } = setup();
    // Not even JSON: a 401 proves the body was never looked at.
    const response = await accept({ headers, query, rawBody: Buffer.from('not json') });
    expect(response.status).toBe(401);
    expect(enqueued).toHaveLength(0);
    expect(JSON.stringify(logs)).not.toContain(KEY);
  });

  it('should answer 413 for a body over the limit, nothing enqueued', async () => {
    const { accept, enqueued } = setup({ maxBodyBytes: 1024 });
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('account-create') });
    expect(response.status).toBe(413);
    expect(enqueued).toHaveLength(0);
  });

  it('should apply a default body limit well above the 256 KB Dataverse sends', async () => {
    const { accept, enqueued } = setup();
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: Buffer.alloc(600 * 1024, 0x20) });
    expect(response.status).toBe(413);
    expect(enqueued).toHaveLength(0);
  });

  it.each([
    ['not JSON', Buffer.from('<xml/>')],
    ['JSON of the wrong shape', Buffer.from('{"MessageName":"Update"}')],
    ['an empty body', Buffer.alloc(0)],
  ])('should answer 400 with a reason for %s, nothing enqueued', async (_label, rawBody) => {
    const { accept, enqueued } = setup();
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).reason).toEqual(expect.any(String));
    expect(enqueued).toHaveLength(0);
  });

  it('should answer 403 for another organisation, nothing enqueued', async () => {
    const { accept, enqueued } = setup({ organization: 'other-org.crm.dynamics.com' });
    const response = await accept({
      headers: { ...JSON_TYPE, 'x-ms-dynamics-organization': 'contosotest.crm4.dynamics.com' },
      query: withKey,
      rawBody: fixtureBytes('account-create'),
    });
    expect(response.status).toBe(403);
    expect(enqueued).toHaveLength(0);
  });

  it.each([
    ['its OrganizationId', FIXTURE_ORG_ID.toUpperCase()],
    ['its unique name', 'contosotest'],
    ['its environment URL', 'https://contosotest.crm4.dynamics.com/'],
  ])('should accept the configured organisation given as %s', async (_label, organization) => {
    const { accept, enqueued } = setup({ organization });
    const response = await accept({
      headers: { ...JSON_TYPE, 'x-ms-dynamics-organization': 'contosotest.crm4.dynamics.com' },
      query: withKey,
      rawBody: fixtureBytes('account-create'),
    });
    expect(response.status).toBe(202);
    expect(enqueued).toHaveLength(1);
  });

  it('should answer 400 to a table that is not synced, so a mis-registered step fails visibly', async () => {
    const { accept, enqueued } = setup({ syncedTables: ['account', 'contact'] });
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('product-delete') });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ accepted: false, reason: expect.stringMatching(/product/) });
    expect(enqueued).toHaveLength(0);
  });

  it('should answer 400 to an unknown table and acknowledge but ignore an unsupported message', async () => {
    const { accept, enqueued } = setup();
    const custom = fixtureJson('product-delete');
    custom['PrimaryEntityName'] = 'new_widget';
    delete custom['InputParameters'];
    const unknown = await accept({ headers: JSON_TYPE, query: withKey, rawBody: Buffer.from(JSON.stringify(custom)) });
    expect(unknown.status).toBe(400);
    const assign = fixtureJson('contact-update');
    assign['MessageName'] = 'Assign';
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: Buffer.from(JSON.stringify(assign)) });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body).ignored).toBe(true);
    expect(enqueued).toHaveLength(0);
  });

  it.each([
    ['no content type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a JSON look-alike', { 'content-type': 'application/jsonx' }],
  ])('should answer 415 to %s and enqueue nothing', async (_label, headers: Record<string, string>) => {
    const { accept, enqueued } = setup();
    const response = await accept({ headers, query: withKey, rawBody: fixtureBytes('account-create') });
    expect(response.status).toBe(415);
    expect(enqueued).toHaveLength(0);
  });

  it('should accept application/json with a charset', async () => {
    const { accept } = setup();
    const headers = { 'Content-Type': 'application/json; charset=utf-8' };
    expect((await accept({ headers, query: withKey, rawBody: fixtureBytes('account-create') })).status).toBe(202);
  });

  it("should ignore the connector's own changes (loop prevention)", async () => {
    const { accept, enqueued } = setup({ ignoreUserId: FIXTURE_USER_ID.toUpperCase() });
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('account-create') });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body).reason).toMatch(/connector itself/);
    expect(enqueued).toHaveLength(0);
  });

  it('should acknowledge, warn and not enqueue a deleted line whose order is unknown', async () => {
    const { accept, enqueued, logs } = setup();
    const response = await accept({
      headers: JSON_TYPE,
      query: withKey,
      rawBody: fixtureBytes('salesorderdetail-delete-noimage'),
    });
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body).ignored).toBe(true);
    expect(enqueued).toHaveLength(0);
    expect(logs.some((line) => line.level === 'warn' && line.fields?.['sourceTable'] === 'salesorderdetail')).toBe(
      true
    );
  });

  it('should answer 503 when the queue fails, so Dataverse retries once', async () => {
    const { accept, logs } = setup({}, { enqueue: () => Promise.reject(new Error('sqs down')) });
    const response = await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('contact-update') });
    expect(response.status).toBe(503);
    expect(logs.some((line) => line.level === 'error')).toBe(true);
  });

  it('should never log the key, the query string or the payload', async () => {
    const { accept, logs } = setup();
    await accept({ headers: JSON_TYPE, query: withKey, rawBody: fixtureBytes('account-update-non-ascii') });
    await accept({
      headers: JSON_TYPE,
      query: { code: 'guessed-Z9q7' },
      rawBody: fixtureBytes('account-update-non-ascii'),
    });
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain(KEY);
    expect(logged).not.toContain('guessed-Z9q7');
    expect(logged).not.toContain('Kraków');
    expect(logs.some((line) => line.message === 'dataverse change accepted')).toBe(true);
  });

  it('should refuse to start without a webhook key', () => {
    expect(() => setup({ webhookKey: '' })).toThrow(ValidationError);
  });
});
