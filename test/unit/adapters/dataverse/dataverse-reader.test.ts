import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../../../lambdas/core/errors';
import type { DataverseReaderOptions } from '../../../../lambdas/adapters/dataverse/dataverse-reader';
import {
  DataverseWebApiReader,
  createDataverseReaderFromEnv,
} from '../../../../lambdas/adapters/dataverse/dataverse-reader';
import type { FakeDataverseHandler } from '../../../helpers/dataverse-fake-server';
import {
  dataverseError,
  startDataverseFakeServer,
  useDataverseFakeServer,
} from '../../../helpers/dataverse-fake-server';

const ORDER_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
const ACCOUNT_ID = '3f6a9b2c-1d4e-4f50-8a7b-9c0d1e2f3a4b';
const CONTACT_ID = '8e7d6c5b-4a39-4281-b0c9-d8e7f6a5b4c3';
const PRODUCT_ID = 'c4b3a291-8f7e-4d6c-a5b4-93a2b1c0d9e8';
const TOKEN = 'test-bearer-token';

function webApiFixture(name: string): Record<string, unknown> {
  const path = join(__dirname, '..', '..', '..', 'fixtures', 'dataverse', 'webapi', `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

let handler: FakeDataverseHandler = () => ({ status: 500 });
const server = useDataverseFakeServer((request, base) => handler(request, base));

function reader(options: Partial<DataverseReaderOptions> = {}) {
  const { options: common, sleeps } = server.clientOptions(TOKEN);
  return { reader: new DataverseWebApiReader({ ...common, ...options }), sleeps };
}

describe('DataverseWebApiReader.getSalesOrder', () => {
  it('should retrieve the order with lines, products and currency expanded and annotations requested', async () => {
    handler = () => ({ status: 200, body: webApiFixture('salesorder-with-lines') });
    const order = await reader().reader.getSalesOrder(ORDER_ID.toUpperCase());

    const request = server.requests[0]!;
    expect(request.path).toBe(`/api/data/v9.2/salesorders(${ORDER_ID})`);
    expect(request.query.get('$select')?.split(',')).toEqual(
      expect.arrayContaining(['salesorderid', 'ordernumber', '_customerid_value', 'totalamount'])
    );
    const expand = request.query.get('$expand') ?? '';
    expect(expand).toContain('transactioncurrencyid($select=isocurrencycode)');
    expect(expand).toMatch(
      /order_details\(\$select=[^)]*salesorderdetailid[^)]*;\$expand=productid\(\$select=productnumber,name\)\)/
    );
    expect(request.headers['prefer']).toContain('odata.include-annotations="*"');
    expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);

    expect(order).toEqual({
      salesorderid: ORDER_ID,
      ordernumber: 'ORD-01027-X4K9',
      name: 'Spring restock — Ōtautahi store',
      customer: { table: 'contact', id: CONTACT_ID },
      currencyCode: 'NZD',
      statecode: 1,
      statuscode: 2,
      createdon: '2025-11-20T09:30:00.000Z',
      modifiedon: '2025-11-25T16:45:12.000Z',
      submitdate: '2025-11-21T00:00:00.000Z',
      totalamount: 632.5,
      totallineitemamount: 550,
      totaltax: 82.5,
      freightamount: 0,
      totaldiscountamount: 19.97,
      lines: [
        {
          salesorderdetailid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          isproductoverridden: true,
          productdescription: 'On-site installation — 2 hours',
          quantity: 1,
          priceperunit: 180,
          baseamount: 180,
          volumediscountamount: 0,
          tax: 27,
          extendedamount: 207,
          lineitemnumber: 1,
          sequencenumber: 1,
        },
        {
          salesorderdetailid: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
          isproductoverridden: false,
          productid: PRODUCT_ID,
          productnumber: 'TCAM-X2',
          productname: 'Trail Camera X2',
          description: 'Shipped from Auckland',
          quantity: 3,
          priceperunit: 129.99,
          baseamount: 389.97,
          manualdiscountamount: 19.97,
          volumediscountamount: 0,
          tax: 55.5,
          extendedamount: 425.5,
          lineitemnumber: 2,
          sequencenumber: 2,
        },
      ],
    });
  });

  it('should resolve an account customer from the lookup annotation', async () => {
    const body = webApiFixture('salesorder-with-lines');
    body['_customerid_value'] = ACCOUNT_ID.toUpperCase();
    body['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'] = 'account';
    handler = () => ({ status: 200, body });
    const order = await reader().reader.getSalesOrder(ORDER_ID);
    expect(order?.customer).toEqual({ table: 'account', id: ACCOUNT_ID });
  });

  it('should refuse an order whose customer table cannot be told (annotation missing)', async () => {
    const body = webApiFixture('salesorder-with-lines');
    delete body['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'];
    delete body['_customerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty'];
    handler = () => ({ status: 200, body });
    await expect(reader().reader.getSalesOrder(ORDER_ID)).rejects.toThrow(PermanentError);
  });

  it('should follow order_details@odata.nextLink when the expanded lines are paged', async () => {
    const first = webApiFixture('salesorder-with-lines');
    handler = (request, base) => {
      if (request.path.endsWith(`salesorders(${ORDER_ID})`)) {
        return {
          status: 200,
          body: {
            ...first,
            order_details: [],
            'order_details@odata.nextLink': `${base}/api/data/v9.2/salesorders(${ORDER_ID})/order_details?$skiptoken=page2`,
          },
        };
      }
      if (request.query.get('$skiptoken') === 'page2') {
        return {
          status: 200,
          body: {
            value: first['order_details'],
            '@odata.nextLink': `${base}/api/data/v9.2/salesorders(${ORDER_ID})/order_details?$skiptoken=page3`,
          },
        };
      }
      return { status: 200, body: { value: [webApiFixture('order-line-extra')] } };
    };
    const order = await reader().reader.getSalesOrder(ORDER_ID);
    expect(server.requests.map((r) => r.query.get('$skiptoken'))).toEqual([null, 'page2', 'page3']);
    expect(server.requests[2]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(order?.lines.map((line) => line.sequencenumber)).toEqual([1, 2, 3]);
    expect(order?.lines[2]).toMatchObject({ isproductoverridden: true, priceperunit: 0 });
  });

  it('should never follow a nextLink to another host', async () => {
    handler = () => ({
      status: 200,
      body: {
        ...webApiFixture('salesorder-with-lines'),
        'order_details@odata.nextLink': 'https://attacker.example/api/data/v9.2/salesorderdetails?$skiptoken=x',
      },
    });
    await expect(reader().reader.getSalesOrder(ORDER_ID)).rejects.toThrow(/nextLink outside/);
    expect(server.requests).toHaveLength(1);
  });

  it('should return null for a 404', async () => {
    handler = () => dataverseError(404, '0x80040217', 'salesorder With Id = … Does Not Exist');
    await expect(reader().reader.getSalesOrder(ORDER_ID)).resolves.toBeNull();
  });
});

describe('DataverseWebApiReader other tables', () => {
  it('should map an account with its primary contact, currency and address', async () => {
    handler = () => ({ status: 200, body: webApiFixture('account') });
    const account = await reader().reader.getAccount(ACCOUNT_ID);
    expect(server.requests[0]!.query.get('$expand')).toContain('primarycontactid($select=contactid,firstname,lastname');
    expect(account).toEqual({
      accountid: ACCOUNT_ID,
      name: 'Fabrikam Trading Ltd',
      accountnumber: 'FT-0042',
      emailaddress1: 'accounts@fabrikam.example',
      telephone1: '+64 9 555 0142',
      websiteurl: 'https://fabrikam.example',
      address1: { line1: '12 Quay Street', city: 'Auckland', postalCode: '1010', country: 'New Zealand' },
      statecode: 0,
      currencyCode: 'NZD',
      primaryContact: { contactid: CONTACT_ID, firstname: 'Priya', lastname: 'Raman' },
      modifiedon: '2025-11-26T00:00:00.000Z',
    });
  });

  it('should map a contact whose parent customer is an account', async () => {
    handler = () => ({ status: 200, body: webApiFixture('contact') });
    const contact = await reader().reader.getContact(CONTACT_ID);
    expect(contact).toEqual({
      contactid: CONTACT_ID,
      firstname: 'Priya',
      lastname: 'Raman',
      fullname: 'Priya Raman',
      emailaddress1: 'priya@fabrikam.example',
      mobilephone: '+64 21 555 0199',
      statecode: 0,
      parentAccountId: ACCOUNT_ID,
      modifiedon: '2025-11-26T01:00:00.000Z',
    });
  });

  it('should ignore a contact parent that is another contact', async () => {
    const body = webApiFixture('contact');
    body['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'] = 'contact';
    handler = () => ({ status: 200, body });
    expect((await reader().reader.getContact(CONTACT_ID))?.parentAccountId).toBeUndefined();
  });

  it('should map a product', async () => {
    handler = () => ({ status: 200, body: webApiFixture('product') });
    await expect(reader().reader.getProduct(PRODUCT_ID)).resolves.toEqual({
      productid: PRODUCT_ID,
      productnumber: 'TCAM-X2',
      name: 'Trail Camera X2',
      description: 'Weatherproof trail camera, 4K',
      price: 129.99,
      statecode: 0,
      currencyCode: 'NZD',
      modifiedon: '2025-11-24T08:00:00.000Z',
    });
  });

  it('should reject an id that is not a GUID without calling Dataverse', async () => {
    await expect(reader().reader.getProduct("x') or 1 eq 1")).rejects.toThrow(ValidationError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('DataverseWebApiReader failures', () => {
  it('should wait Retry-After seconds after a 429 and then succeed', async () => {
    let calls = 0;
    handler = () => {
      calls += 1;
      return calls === 1
        ? dataverseError(429, '0x80072322', 'Number of requests exceeded the limit', { 'Retry-After': '2' })
        : { status: 200, body: webApiFixture('product') };
    };
    const { reader: instance, sleeps } = reader();
    const product = await instance.getProduct(PRODUCT_ID);
    expect(product?.productnumber).toBe('TCAM-X2');
    expect(sleeps).toEqual([2_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('should give up after the bounded attempts with RateLimitedError carrying Retry-After', async () => {
    handler = () => dataverseError(429, '0x80072322', 'slow down', { 'Retry-After': '1' });
    const { reader: instance, sleeps } = reader({ maxAttempts: 3 });
    const error = await instance.getAccount(ACCOUNT_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(1_000);
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('should not sleep in-process for a Retry-After longer than the cap', async () => {
    handler = () => dataverseError(429, '0x80072322', 'slow down', { 'Retry-After': '120' });
    const { reader: instance, sleeps } = reader({ maxRetryDelayMs: 5_000 });
    const error = await instance.getAccount(ACCOUNT_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(120_000);
    expect(sleeps).toEqual([]);
  });

  it('should retry 5xx with backoff and then throw TransientError', async () => {
    handler = () => dataverseError(503, '0x80040216', 'unavailable');
    const { reader: instance, sleeps } = reader({ maxAttempts: 3 });
    await expect(instance.getContact(CONTACT_ID)).rejects.toThrow(TransientError);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
  });

  it('should turn a request that outlives the timeout into TransientError', async () => {
    handler = () => ({ status: 200, hang: true });
    const { reader: instance } = reader({ timeoutMs: 150, maxAttempts: 2 });
    const error = await instance.getProduct(PRODUCT_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(server.requests).toHaveLength(2);
  });

  it.each([401, 403])('should throw PermanentError explaining credentials for %i, without retrying', async (status) => {
    handler = () => dataverseError(status, '0x80072560', 'The user is not a member of the organization.');
    const error = await reader()
      .reader.getAccount(ACCOUNT_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('DATAVERSE_AUTH');
    expect((error as Error).message).toMatch(/application user/);
    expect(server.requests).toHaveLength(1);
  });

  it('should pass a typed token failure through without calling Dataverse', async () => {
    const failing = new PermanentError('bad client secret', 'DATAVERSE_AUTH');
    const { reader: instance } = reader({ tokenSource: () => Promise.reject(failing) });
    await expect(instance.getAccount(ACCOUNT_ID)).rejects.toBe(failing);
    expect(server.requests).toHaveLength(0);
  });

  it('should treat a refused connection as transient', async () => {
    const closed = await startDataverseFakeServer(() => ({ status: 200 }));
    const url = closed.url;
    await closed.close();
    const instance = new DataverseWebApiReader({
      serverUrl: url,
      tokenSource: async () => TOKEN,
      maxAttempts: 1,
    });
    await expect(instance.getAccount(ACCOUNT_ID)).rejects.toThrow(TransientError);
  });
});

describe('DataverseWebApiReader.listRecordIds', () => {
  it('should page through ids with a modifiedon filter and the requested page size', async () => {
    handler = (request, base) =>
      request.query.get('$skiptoken') === '2'
        ? { status: 200, body: { value: [{ accountid: 'CCCCCCCC-0000-4000-8000-000000000003' }] } }
        : {
            status: 200,
            body: {
              value: [
                { accountid: 'aaaaaaaa-0000-4000-8000-000000000001' },
                { accountid: 'bbbbbbbb-0000-4000-8000-000000000002' },
              ],
              '@odata.nextLink': `${base}/api/data/v9.2/accounts?$select=accountid&$skiptoken=2`,
            },
          };
    const ids: string[] = [];
    for await (const id of reader().reader.listRecordIds('account', new Date('2025-11-01T00:00:00Z'), 2)) ids.push(id);
    expect(ids).toEqual([
      'aaaaaaaa-0000-4000-8000-000000000001',
      'bbbbbbbb-0000-4000-8000-000000000002',
      'cccccccc-0000-4000-8000-000000000003',
    ]);
    const first = server.requests[0]!;
    expect(first.path).toBe('/api/data/v9.2/accounts');
    expect(first.query.get('$filter')).toBe('modifiedon ge 2025-11-01T00:00:00Z');
    expect(first.headers['prefer']).toContain('odata.maxpagesize=2');
    expect(server.requests).toHaveLength(2);
  });
});

describe('createDataverseReaderFromEnv', () => {
  it('should name every missing variable and no values', () => {
    let caught: unknown;
    try {
      createDataverseReaderFromEnv({ DATAVERSE_CLIENT_SECRET: 'super-secret-value' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues).toEqual(['DATAVERSE_URL', 'DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID']);
    expect((caught as Error).message).not.toContain('super-secret-value');
  });

  it('should refuse a plain-http URL that is not loopback', () => {
    expect(() =>
      createDataverseReaderFromEnv({ DATAVERSE_URL: 'http://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 't' })
    ).toThrow(/https/);
  });

  it('should build a client-credentials reader without contacting Entra', () => {
    const instance = createDataverseReaderFromEnv({
      DATAVERSE_URL: 'https://contoso.crm4.dynamics.com/',
      DATAVERSE_TENANT_ID: '11111111-2222-4333-8444-555555555555',
      DATAVERSE_CLIENT_ID: '66666666-7777-4888-9999-000000000000',
      DATAVERSE_CLIENT_SECRET: 'not-a-real-secret',
    });
    expect(instance).toBeInstanceOf(DataverseWebApiReader);
  });

  it('should use a static DATAVERSE_ACCESS_TOKEN as the bearer', async () => {
    handler = () => ({ status: 200, body: webApiFixture('product') });
    const instance = createDataverseReaderFromEnv({ DATAVERSE_URL: server.url, DATAVERSE_ACCESS_TOKEN: 'static-abc' });
    await instance.getProduct(PRODUCT_ID);
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer static-abc');
  });
});
