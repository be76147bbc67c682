import { useFakeHttpServer, type RecordedRequest } from '../../../helpers/fake-http-server';
import { TENANT_ID, gatewayFor, uuid } from './xero-gateway-fixtures';

const server = useFakeHttpServer();

const params = (request: RecordedRequest) => new URL(request.url, 'http://x').searchParams;
const path = (request: RecordedRequest) => new URL(request.url, 'http://x').pathname;
/** The quoted values of `Field=="…"` terms in a where filter (handles escaped quotes). */
const whereValues = (where: string, field: string): string[] =>
  [...where.matchAll(new RegExp(`${field}=="((?:[^"\\\\]|\\\\.)*)"`, 'g'))].map((m) => m[1]!.replace(/\\(.)/g, '$1'));

describe('XeroAccountingGateway lookups', () => {
  it('should find contacts by number with includeArchived, preferring an active contact', async () => {
    server.setRoute(() => ({
      body: {
        Contacts: [
          { ContactID: uuid(1), ContactNumber: 'N-1', Name: 'Old', ContactStatus: 'ARCHIVED' },
          { ContactID: uuid(2), ContactNumber: 'N-1', Name: 'Current', ContactStatus: 'ACTIVE' },
          { ContactID: uuid(3), ContactNumber: 'N-2', Name: 'Two', ContactStatus: 'ACTIVE' },
          { ContactID: uuid(4), ContactNumber: 'SOMEONE-ELSE', Name: 'Stray', ContactStatus: 'ACTIVE' },
        ],
      },
    }));
    const { gateway } = gatewayFor(server.url);
    const found = await gateway.findContactsByNumber(['N-1', 'N-2', 'N-3', 'N-1']);
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.method).toBe('GET');
    expect(path(request)).toBe('/api.xro/2.0/Contacts');
    expect(request.headers['xero-tenant-id']).toBe(TENANT_ID);
    expect(params(request).get('includeArchived')).toBe('true');
    expect(params(request).get('where')).toBe('ContactNumber=="N-1" OR ContactNumber=="N-2" OR ContactNumber=="N-3"');
    expect([...found.entries()]).toEqual([
      ['N-1', { ContactID: uuid(2), ContactNumber: 'N-1', Name: 'Current', ContactStatus: 'ACTIVE' }],
      ['N-2', { ContactID: uuid(3), ContactNumber: 'N-2', Name: 'Two', ContactStatus: 'ACTIVE' }],
    ]);
  });

  it('should escape quotes and backslashes so a key cannot break out of the filter', async () => {
    server.setRoute(() => ({ body: { Contacts: [] } }));
    const { gateway } = gatewayFor(server.url);
    const nasty = 'A" OR Name!="x\\';
    await gateway.findContactsByNumber([nasty]);
    const where = params(server.requests[0]!).get('where')!;
    expect(where).toBe('ContactNumber=="A\\" OR Name!=\\"x\\\\"');
    expect(whereValues(where, 'ContactNumber')).toEqual([nasty]);
  });

  it('should split long key lists into several short lookups that together cover every key', async () => {
    server.setRoute((request) => ({
      body: {
        Contacts: whereValues(params(request).get('where')!, 'ContactNumber').map((number, n) => ({
          ContactID: uuid(n),
          ContactNumber: number,
          Name: number,
        })),
      },
    }));
    const { gateway } = gatewayFor(server.url);
    const numbers = Array.from({ length: 120 }, (_, n) => `D365-${uuid(n)}`);
    const found = await gateway.findContactsByNumber(numbers);
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    const asked = server.requests.flatMap((r) => whereValues(params(r).get('where')!, 'ContactNumber'));
    expect(asked.sort()).toEqual([...numbers].sort());
    for (const request of server.requests) {
      expect(whereValues(params(request).get('where')!, 'ContactNumber').length).toBeLessThanOrEqual(50);
      expect(encodeURIComponent(params(request).get('where')!).length).toBeLessThanOrEqual(2000);
    }
    expect(found.size).toBe(120);
  });

  it('should walk the pages of a contact lookup until a short page', async () => {
    server.setRoute((request) => {
      const page = Number(params(request).get('page'));
      const count = page === 1 ? 100 : 3;
      return {
        body: {
          Contacts: Array.from({ length: count }, (_, n) => ({
            ContactID: uuid(page * 1000 + n),
            ContactNumber: `P${page}-${n}`,
            Name: 'x',
          })),
        },
      };
    });
    const { gateway } = gatewayFor(server.url);
    const found = await gateway.findContactsByNumber(['P2-1']);
    expect(server.requests.map((r) => params(r).get('page'))).toEqual(['1', '2']);
    expect(found.get('P2-1')).toMatchObject({ ContactID: uuid(2001) });
  });

  it('should find a contact by exact name among active contacts', async () => {
    server.setRoute(() => ({
      body: { Contacts: [{ ContactID: uuid(5), Name: 'Acme "Ltd"', ContactStatus: 'ACTIVE' }] },
    }));
    const { gateway } = gatewayFor(server.url);
    expect(await gateway.findContactByName('Acme "Ltd"')).toEqual({
      ContactID: uuid(5),
      Name: 'Acme "Ltd"',
      ContactStatus: 'ACTIVE',
    });
    expect(params(server.requests[0]!).get('where')).toBe('Name=="Acme \\"Ltd\\""');
    expect(params(server.requests[0]!).get('includeArchived')).toBe('false');
    server.setRoute(() => ({
      body: {
        Contacts: [
          { ContactID: uuid(6), Name: 'ACME LTD' },
          { ContactID: uuid(7), Name: 'Acme Ltd' },
        ],
      },
    }));
    expect(await gateway.findContactByName('Acme Ltd')).toMatchObject({ ContactID: uuid(7) });
    expect(await gateway.findContactByName('acme ltd')).toMatchObject({ ContactID: uuid(6) });
    server.setRoute(() => ({ body: { Contacts: [{ ContactID: uuid(8), Name: 'Someone Else' }] } }));
    expect(await gateway.findContactByName('Nobody')).toBeNull();
  });

  it('should find items by code with unitdp=4', async () => {
    server.setRoute(() => ({
      body: { Items: [{ ItemID: uuid(7), Code: 'W-1', IsSold: true, Name: 'Widget' }] },
    }));
    const { gateway } = gatewayFor(server.url);
    const found = await gateway.findItemsByCode(['W-1', 'W-2']);
    const request = server.requests[0]!;
    expect(path(request)).toBe('/api.xro/2.0/Items');
    expect(params(request).get('where')).toBe('Code=="W-1" OR Code=="W-2"');
    expect(params(request).get('unitdp')).toBe('4');
    expect([...found.entries()]).toEqual([['W-1', { ItemID: uuid(7), Code: 'W-1', IsSold: true }]]);
  });

  it('should find sales invoices by reference, preferring a live invoice over a voided one', async () => {
    server.setRoute(() => ({
      body: {
        Invoices: [
          { InvoiceID: uuid(8), Reference: 'ORD-1', Status: 'AUTHORISED', Total: 10, AmountDue: 10 },
          { InvoiceID: uuid(9), Reference: 'ORD-2', Status: 'VOIDED' },
          { InvoiceID: uuid(10), Reference: 'ORD-2', Status: 'DRAFT' },
        ],
      },
    }));
    const { gateway } = gatewayFor(server.url);
    const found = await gateway.findInvoicesByReference(['ORD-1', 'ORD-2']);
    const request = server.requests[0]!;
    expect(path(request)).toBe('/api.xro/2.0/Invoices');
    expect(params(request).get('where')).toBe('Type=="ACCREC" AND (Reference=="ORD-1" OR Reference=="ORD-2")');
    expect(found.get('ORD-1')).toEqual({
      InvoiceID: uuid(8),
      Reference: 'ORD-1',
      Status: 'AUTHORISED',
      Total: 10,
      AmountDue: 10,
    });
    expect(found.get('ORD-2')).toMatchObject({ InvoiceID: uuid(10), Status: 'DRAFT' });
  });
});
