import { randomUUID } from 'node:crypto';
import {
  createDataverseSessionFromEnv,
  DataverseSession,
  DataverseWriter,
  entitySetFor,
} from '../../../lambdas/adapters/dataverse/dataverse-writer';
import { createStaticTokenSource } from '../../../lambdas/adapters/dataverse/dataverse-token-source';
import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../../lambdas/core/errors';
import { installIntegrationSchema, useFakeOrgPerTest } from './fake-dataverse-org';

describe('DataverseWriter', () => {
  const fake = useFakeOrgPerTest();
  let sleeps: number[];
  beforeEach(() => {
    sleeps = [];
  });

  const writer = (timeoutMs = 2_000) =>
    new DataverseWriter(
      new DataverseSession({
        serverUrl: fake.org.url,
        tokenSource: createStaticTokenSource('test-token'),
        timeoutMs,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      })
    );
  const seedOrder = (ordernumber: string) => {
    const id = randomUUID();
    const rows = fake.org.rows.get('salesorders') ?? new Map();
    fake.org.rows.set('salesorders', rows);
    rows.set(id, { salesorderid: id, ordernumber });
    return id;
  };

  it('should PATCH an existing record with If-Match: * and the bearer token', async () => {
    await installIntegrationSchema(fake.org);
    const id = seedOrder('SO-1');

    const updated = await writer().updateRecord('salesorder', id.toUpperCase(), { d365x_lastsyncmessage: 'paid' });

    expect(updated).toBe(true);
    const patch = fake.org.server.requests.find((request) => request.method === 'PATCH')!;
    expect(patch.url).toBe(`/api/data/v9.2/salesorders(${id})`);
    expect(patch.headers['if-match']).toBe('*');
    expect(patch.headers.authorization).toBe('Bearer test-token');
    expect(JSON.parse(patch.body)).toEqual({ d365x_lastsyncmessage: 'paid' });
  });

  it('should answer false instead of creating a record that does not exist', async () => {
    const updated = await writer().updateRecord('account', randomUUID(), { d365x_xeroid: 'x' });

    expect(updated).toBe(false);
    expect(fake.org.rows.get('accounts')?.size ?? 0).toBe(0);
  });

  it('should also treat 412 Precondition Failed as a record that no longer exists', async () => {
    const id = seedOrder('SO-412');
    fake.org.overrides.push({ match: (request) => request.method === 'PATCH', reply: { status: 412 } });

    await expect(writer().updateRecord('salesorder', id, { name: 'x' })).resolves.toBe(false);
  });

  it('should refuse an id that is not a GUID before calling Dataverse', async () => {
    await expect(writer().updateRecord('account', "x') or (1 eq 1", {})).rejects.toBeInstanceOf(ValidationError);
    expect(fake.org.server.requests).toHaveLength(0);
  });

  it('should find an order by its number, quoting the literal', async () => {
    const id = seedOrder("O'Brien-7");
    seedOrder('SO-2');

    await expect(writer().findSalesOrderIdByNumber("O'Brien-7")).resolves.toBe(id);
    await expect(writer().findSalesOrderIdByNumber('SO-404')).resolves.toBeNull();
    const query = new URL(fake.org.server.requests[0]!.url, fake.org.url).searchParams;
    expect(query.get('$filter')).toBe("ordernumber eq 'O''Brien-7'");
    expect(query.get('$select')).toBe('salesorderid');
  });

  it('should refuse to pick between two orders with the same number', async () => {
    seedOrder('SO-9');
    seedOrder('SO-9');

    await expect(writer().findSalesOrderIdByNumber('SO-9')).rejects.toMatchObject({ code: 'AMBIGUOUS_ORDER' });
  });

  it('should wait as long as Retry-After says after a 429 and then succeed', async () => {
    const id = seedOrder('SO-3');
    fake.org.overrides.push({
      match: (request) => request.method === 'PATCH',
      reply: {
        status: 429,
        headers: { 'Retry-After': '2' },
        body: { error: { code: '0x80072322', message: 'limit' } },
      },
    });

    await expect(writer().updateRecord('salesorder', id, { name: 'x' })).resolves.toBe(true);
    expect(sleeps).toEqual([2000]);
  });

  it('should refuse a column the table does not have, as Dataverse does', async () => {
    const id = seedOrder('SO-COL');

    await expect(writer().updateRecord('salesorder', id, { d365x_lastsyncmessage: 'x' })).rejects.toBeInstanceOf(
      PermanentError
    );
    await expect(writer().createRecord('d365x_integrationlogs', { d365x_name: 'x' })).rejects.toBeInstanceOf(
      PermanentError
    );
  });

  it('should give up after three attempts on server errors with a retryable error', async () => {
    const id = seedOrder('SO-4');
    for (let i = 0; i < 3; i += 1) {
      fake.org.overrides.push({ match: (request) => request.method === 'PATCH', reply: { status: 503 } });
    }

    await expect(writer().updateRecord('salesorder', id, { name: 'x' })).rejects.toBeInstanceOf(TransientError);
    expect(fake.org.server.requests.filter((request) => request.method === 'PATCH')).toHaveLength(3);
  });

  it('should surface a long Retry-After as RateLimitedError without waiting', async () => {
    fake.org.overrides.push({
      match: (request) => request.method === 'POST',
      reply: { status: 429, headers: { 'Retry-After': '300' } },
    });

    await expect(writer().createRecord('d365x_integrationlogs', { d365x_name: 'x' })).rejects.toBeInstanceOf(
      RateLimitedError
    );
    expect(sleeps).toEqual([]);
  });

  it('should time out a request Dataverse never answers', async () => {
    fake.org.server.setRoute(() => 'hang');

    await expect(writer(100).findSalesOrderIdByNumber('SO-5')).rejects.toBeInstanceOf(TransientError);
  });

  it('should turn a refused create into a permanent error and return the new id otherwise', async () => {
    await installIntegrationSchema(fake.org);
    fake.org.overrides.push({
      match: (request) => request.method === 'POST',
      reply: { status: 400, body: { error: { code: '0x80048d19', message: 'bad' } } },
    });

    await expect(writer().createRecord('d365x_integrationlogs', { a: 1 })).rejects.toBeInstanceOf(PermanentError);
    const id = await writer().createRecord('d365x_integrationlogs', { d365x_name: 'ok' });
    expect(fake.org.rows.get('d365x_integrationlogs')?.get(id)).toMatchObject({ d365x_name: 'ok' });
  });
});

describe('Dataverse session configuration', () => {
  it('should name every missing variable and never a value', () => {
    const attempt = () => createDataverseSessionFromEnv({ DATAVERSE_CLIENT_SECRET: 'sssh-secret' });

    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/DATAVERSE_URL, DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID/);
    expect(attempt).not.toThrow(/sssh-secret/);
  });

  it('should accept https or a loopback http URL only', () => {
    expect(() =>
      createDataverseSessionFromEnv({ DATAVERSE_URL: 'http://org.example.com', DATAVERSE_ACCESS_TOKEN: 't' })
    ).toThrow(/https/);
    const session = createDataverseSessionFromEnv({
      DATAVERSE_URL: 'https://org.crm.dynamics.com/main.aspx',
      DATAVERSE_ACCESS_TOKEN: 't',
    });
    expect(session.apiBase).toBe('https://org.crm.dynamics.com/api/data/v9.2/');
  });

  it('should map synced tables to their entity sets and reject odd names', () => {
    expect(entitySetFor('salesorder')).toBe('salesorders');
    expect(entitySetFor('d365x_integrationlogs')).toBe('d365x_integrationlogs');
    expect(() => entitySetFor('accounts(1)')).toThrow(ValidationError);
  });
});
