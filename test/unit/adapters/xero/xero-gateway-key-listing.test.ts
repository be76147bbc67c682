import { useFakeHttpServer, type RecordedRequest } from '../../../helpers/fake-http-server';
import { gatewayFor, uuid } from './xero-gateway-fixtures';

const server = useFakeHttpServer();

const query = (request: RecordedRequest) => new URL(request.url, 'http://x').searchParams;
const contacts = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    ContactID: uuid(from + i),
    Name: `C${from + i}`,
    ContactNumber: `N${from + i}`,
  }));

describe('XeroAccountingGateway.listExistingKeys', () => {
  it('should page contacts 1,000 at a time, archived included, and stop at the page count Xero reports', async () => {
    server.setRoute((request) => {
      const page = Number(query(request).get('page'));
      const rows =
        page === 1 ? contacts(1, 1000) : [...contacts(1001, 4), { ContactID: uuid(9999), Name: 'No number' }];
      return { body: { pagination: { page, pageSize: 1000, pageCount: 2, itemCount: 1005 }, Contacts: rows } };
    });
    const { gateway } = gatewayFor(server.url);

    const keys = await gateway.listExistingKeys('contacts', 10);

    expect(keys?.size).toBe(1004);
    expect(keys?.has('N1004')).toBe(true);
    expect(server.requests.map((r) => query(r).get('page'))).toEqual(['1', '2']);
    expect(query(server.requests[0]!).get('pageSize')).toBe('1000');
    expect(query(server.requests[0]!).get('includeArchived')).toBe('true');
    // developer.xero.com/documentation/api/accounting/contacts: summaryOnly serves the lightweight form.
    expect(query(server.requests[0]!).get('summaryOnly')).toBe('true');
  });

  it('should keep paging until an empty page when the answer carries no pagination', async () => {
    server.setRoute((request) => {
      const page = Number(query(request).get('page'));
      return {
        body: { Invoices: page <= 2 ? [{ InvoiceID: uuid(page), Reference: `ORD-${page}`, Status: 'DRAFT' }] : [] },
      };
    });
    const { gateway } = gatewayFor(server.url);

    const keys = await gateway.listExistingKeys('invoices', 10);

    expect([...(keys ?? [])].sort()).toEqual(['ORD-1', 'ORD-2']);
    expect(server.requests).toHaveLength(3);
    expect(query(server.requests[0]!).get('where')).toBe('Type=="ACCREC"');
    expect(query(server.requests[0]!).get('summaryOnly')).toBe('true');
  });

  it('should give up (undefined) after one call when Xero reports more pages than allowed', async () => {
    server.setRoute((request) => ({
      body: {
        pagination: { page: Number(query(request).get('page')), pageSize: 1000, pageCount: 40, itemCount: 40_000 },
        Contacts: contacts(1, 1000),
      },
    }));
    const { gateway } = gatewayFor(server.url);

    expect(await gateway.listExistingKeys('contacts', 3)).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('should give up after the allowed pages when the answers carry no pagination', async () => {
    server.setRoute(() => ({ body: { Contacts: contacts(1, 1000) } }));
    const { gateway } = gatewayFor(server.url);

    expect(await gateway.listExistingKeys('contacts', 3)).toBeUndefined();
    expect(server.requests).toHaveLength(3);
  });

  it('should read every item code in one call', async () => {
    server.setRoute(() => ({
      body: {
        Items: [
          { ItemID: uuid(1), Code: 'BEAN-1' },
          { ItemID: uuid(2), Code: 'MUG' },
        ],
      },
    }));
    const { gateway } = gatewayFor(server.url);

    expect(await gateway.listExistingKeys('items', 10)).toEqual(new Set(['BEAN-1', 'MUG']));
    expect(server.requests).toHaveLength(1);
  });
});
