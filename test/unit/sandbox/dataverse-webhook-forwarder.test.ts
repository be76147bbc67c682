import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataverseState } from '../../../sandbox/dataverse/state';
import { forwardChangesAsWebhooks } from '../../../sandbox/dataverse/webhook-forwarder';
import { DEMO_IDS, seedDemoData } from '../../../sandbox/demo-data';

interface Received {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

describe('sandbox Dataverse webhook forwarder', () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          url: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(req.headers['x-ms-dynamics-entity-name'] === 'account' ? 503 : 202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/dataverse`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('should post Dataverse-shaped webhooks for writes with the key in a header and record the outcomes', async () => {
    const state = new DataverseState();
    seedDemoData(state);
    const forwarder = forwardChangesAsWebhooks(state, {
      url: receiverUrl,
      webhookKey: 'k3y',
      organization: 'sandbox.example',
    });
    state.upsert('account', { accountid: DEMO_IDS.accounts.northwind, telephone1: '+1 206 555 0111' });
    const line = state.list('salesorderdetail').find((l) => l._salesorderid_value === DEMO_IDS.orders.cafeNanduEur)!;
    state.remove('salesorderdetail', String(line.salesorderdetailid));
    state.upsert('transactioncurrency', { isocurrencycode: 'NZD', currencyname: 'NZ Dollar' }); // not forwarded
    await forwarder.settle();
    forwarder.stop();

    expect(forwarder.deliveries.map((d) => `${d.message} ${d.table} ${d.status}`).sort()).toEqual([
      'Delete salesorderdetail 202',
      'Update account 503',
      'Update salesorder 202',
    ]);
    const update = received.find((r) => r.body.PrimaryEntityName === 'account');
    // HttpHeader authentication, as `connector register-webhooks` registers it: nothing secret in the URL.
    expect(new URL(update!.url, 'http://x').search).toBe('');
    expect(update!.headers).toMatchObject({
      'x-connector-key': 'k3y',
      'x-ms-dynamics-organization': 'sandbox.example',
      'x-ms-dynamics-entity-name': 'account',
      'x-ms-dynamics-request-name': 'Update',
    });
    const target = (
      update!.body.InputParameters as Array<{ key: string; value: { Attributes: Array<{ key: string }> } }>
    )[0]!;
    expect(target.value.Attributes.map((a) => a.key)).toContain('telephone1');
    const deleted = received.find((r) => r.body.MessageName === 'Delete')!.body;
    expect(deleted.PrimaryEntityName).toBe('salesorderdetail');
    expect(JSON.stringify(deleted.PreEntityImages)).toContain(DEMO_IDS.orders.cafeNanduEur);
  });

  it('should send the key as ?code= for an old WebhookKey-style registration', async () => {
    const state = new DataverseState();
    seedDemoData(state);
    const before = received.length;
    const forwarder = forwardChangesAsWebhooks(state, {
      url: receiverUrl,
      webhookKey: 'old-k3y',
      auth: 'query',
      organization: 'sandbox.example',
    });
    state.upsert('product', { productid: DEMO_IDS.products.espressoBeans, name: 'Espresso beans 2' });
    await forwarder.settle();
    forwarder.stop();
    const delivery = received.slice(before).find((r) => r.body.PrimaryEntityName === 'product')!;
    expect(new URL(delivery.url, 'http://x').searchParams.get('code')).toBe('old-k3y');
    expect(delivery.headers['x-connector-key']).toBeUndefined();
  });
});
