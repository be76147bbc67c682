import { createHmac } from 'node:crypto';
import type { XeroWebhookEvent } from '../../../../lambdas/core/ingress/xero-webhook';
import { createAcceptXeroWebhook, verifyXeroSignature } from '../../../../lambdas/core/ingress/xero-webhook';
import type { Logger } from '../../../../lambdas/core/ports';

const KEY = 'xero-webhook-signing-key-for-tests-only';
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Signs independently of the code under test, the way Xero does. */
function sign(body: Buffer, key = KEY): string {
  return createHmac('sha256', key).update(body).digest('base64');
}

const event: XeroWebhookEvent = {
  resourceUrl: 'https://api.xero.com/api.xro/2.0/Invoices/5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  resourceId: '5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  eventDateUtc: '2025-11-26T08:15:00.123',
  eventType: 'UPDATE',
  eventCategory: 'INVOICE',
  tenantId: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d',
  tenantType: 'ORGANISATION',
};
const eventsBody = Buffer.from(
  JSON.stringify({ events: [event], firstEventSequence: 7, lastEventSequence: 7, entropy: 'QWERTYUIOPASDFGH' })
);
const intentBody = Buffer.from(
  JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'ZXCVBNMLKJHGFDSA' })
);

function setup(enqueue: (events: XeroWebhookEvent[]) => Promise<void> = async () => undefined) {
  const received: XeroWebhookEvent[][] = [];
  const accept = createAcceptXeroWebhook({
    key: KEY,
    sink: {
      enqueue: async (events) => {
        received.push(events);
        await enqueue(events);
      },
    },
    logger: silent,
  });
  return { accept, received };
}

describe('verifyXeroSignature', () => {
  it('should accept the signature Xero computes', () => {
    expect(verifyXeroSignature(eventsBody, sign(eventsBody), KEY)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['signed with another key', sign(eventsBody, 'another-key')],
    ['for another body', sign(intentBody)],
    ['truncated', sign(eventsBody).slice(0, 20)],
    ['hex instead of base64', createHmac('sha256', KEY).update(eventsBody).digest('hex')],
  ])('should reject a signature that is %s', (_label, signature) => {
    expect(verifyXeroSignature(eventsBody, signature, KEY)).toBe(false);
  });

  it('should reject everything when no key is configured', () => {
    expect(verifyXeroSignature(eventsBody, sign(eventsBody, ''), '')).toBe(false);
  });
});

describe('createAcceptXeroWebhook', () => {
  it('should answer 200 with an empty body and hand the events to the sink', async () => {
    const { accept, received } = setup();
    const response = await accept({ headers: { 'X-Xero-Signature': sign(eventsBody) }, rawBody: eventsBody });
    expect(response).toEqual({ status: 200, body: '' });
    expect(received).toEqual([[event]]);
  });

  it('should answer intent-to-receive with 200 and an empty body, enqueuing nothing', async () => {
    const { accept, received } = setup();
    const response = await accept({ headers: { 'x-xero-signature': sign(intentBody) }, rawBody: intentBody });
    expect(response).toEqual({ status: 200, body: '' });
    expect(received).toHaveLength(0);
  });

  it('should answer a mis-signed intent-to-receive with 401 and an empty body', async () => {
    const { accept, received } = setup();
    const response = await accept({ headers: { 'x-xero-signature': sign(intentBody, 'wrong') }, rawBody: intentBody });
    expect(response).toEqual({ status: 401, body: '' });
    expect(received).toHaveLength(0);
  });

  it('should answer 401 when the signature header is missing', async () => {
    const { accept, received } = setup();
    expect((await accept({ headers: {}, rawBody: eventsBody })).status).toBe(401);
    expect(received).toHaveLength(0);
  });

  it.each([
    ['not JSON', Buffer.from('events=1')],
    ['JSON without events', Buffer.from('{"entropy":"x"}')],
    ['events of the wrong shape', Buffer.from('{"events":[{"resourceId":"5f1c2d3e"}]}')],
    ['events that are not objects', Buffer.from('{"events":["INVOICE"]}')],
  ])('should answer 400 for a correctly signed body that is %s', async (_label, body) => {
    const { accept, received } = setup();
    const response = await accept({ headers: { 'x-xero-signature': sign(body) }, rawBody: body });
    expect(response).toEqual({ status: 400, body: '' });
    expect(received).toHaveLength(0);
  });

  it('should answer 503 when the sink fails, so Xero delivers again', async () => {
    const { accept } = setup(() => Promise.reject(new Error('queue down')));
    const response = await accept({ headers: { 'x-xero-signature': sign(eventsBody) }, rawBody: eventsBody });
    expect(response).toEqual({ status: 503, body: '' });
  });
});
