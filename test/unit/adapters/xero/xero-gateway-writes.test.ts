import { validateXeroRequest } from '../../../../contracts/xero-contract';
import { PermanentError, ValidationError } from '../../../../lambdas/core/errors';
import type { XeroContact } from '../../../../lambdas/core/model/xero';
import { useFakeHttpServer, type RecordedRequest } from '../../../helpers/fake-http-server';
import { ACCESS_TOKEN, TENANT_ID, contact, gatewayFor, invoice, item, uuid } from './xero-gateway-fixtures';

const server = useFakeHttpServer();

const query = (request: RecordedRequest) => new URL(request.url, 'http://x').searchParams;
const only = (): RecordedRequest => {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
};

describe('XeroAccountingGateway writes', () => {
  it('should PUT new contacts with tenant, token, idempotency key and summarizeErrors=false, body exactly our wire JSON', async () => {
    const sent = [contact(1), contact(2)];
    server.setRoute((request) => {
      const body = JSON.parse(request.body) as { Contacts: XeroContact[] };
      return {
        body: {
          Contacts: body.Contacts.map((c, i) => ({ ...c, ContactID: uuid(i + 1), StatusAttributeString: 'OK' })),
        },
      };
    });
    const { gateway } = gatewayFor(server.url);

    const results = await gateway.saveContacts(sent, 'contacts-batch-7f3a');

    const request = only();
    expect(request.method).toBe('PUT');
    expect(new URL(request.url, 'http://x').pathname).toBe('/api.xro/2.0/Contacts');
    expect(query(request).get('summarizeErrors')).toBe('false');
    expect(request.headers['xero-tenant-id']).toBe(TENANT_ID);
    expect(request.headers['idempotency-key']).toBe('contacts-batch-7f3a');
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    const body: unknown = JSON.parse(request.body);
    expect(body).toEqual({ Contacts: sent });
    expect(validateXeroRequest('Contacts', body)).toEqual([]);
    expect(results).toEqual([
      { ok: true, value: { ContactID: uuid(1), ContactNumber: sent[0]!.ContactNumber, Name: 'Customer 1' } },
      { ok: true, value: { ContactID: uuid(2), ContactNumber: sent[1]!.ContactNumber, Name: 'Customer 2' } },
    ]);
  });

  // developer.xero.com/documentation/api/accounting/invoices: PUT creates; POST creates or updates, and updates an
  // invoice that already has the same InvoiceNumber. Creates must never go by POST.
  it('should PUT the new documents and POST the updates (by id) of a mixed batch, results in the caller’s order', async () => {
    server.setRoute((request) => {
      const body = JSON.parse(request.body) as { Invoices: { InvoiceID?: string; Reference: string }[] };
      return {
        body: {
          Invoices: body.Invoices.map((i, n) => ({
            ...i,
            InvoiceID: i.InvoiceID ?? uuid(50 + n),
            Status: 'DRAFT',
            StatusAttributeString: 'OK',
          })),
        },
      };
    });
    const { gateway } = gatewayFor(server.url);
    const update = { ...invoice('ORD-2'), InvoiceID: uuid(7) };
    const created = invoice('ORD-1');

    const results = await gateway.saveInvoices([created, update, invoice('ORD-3')], 'inv-key');

    const methods = server.requests.map((r) => [r.method, r.headers['idempotency-key'], JSON.parse(r.body)]);
    expect(methods).toEqual([
      ['PUT', 'inv-key-put', { Invoices: [created, invoice('ORD-3')] }],
      ['POST', 'inv-key-post', { Invoices: [update] }],
    ]);
    expect(results.map((r) => (r.ok ? r.value.Reference : r.messages))).toEqual(['ORD-1', 'ORD-2', 'ORD-3']);
    expect(results[1]).toMatchObject({ ok: true, value: { InvoiceID: uuid(7) } });
  });

  it('should report each element on its own when Xero rejects some of a batch', async () => {
    server.setRoute(() => ({
      body: {
        Contacts: [
          { ContactID: uuid(1), Name: 'Customer 1', ContactNumber: 'n1', StatusAttributeString: 'OK' },
          {
            ContactID: '00000000-0000-0000-0000-000000000000',
            Name: 'Customer 2',
            StatusAttributeString: 'ERROR',
            ValidationErrors: [{ Message: 'The contact name Customer 2 is already assigned to another contact.' }],
          },
        ],
      },
    }));
    const { gateway } = gatewayFor(server.url);
    const results = await gateway.saveContacts([contact(1), contact(2)], 'k-1');
    expect(results[0]).toMatchObject({ ok: true, value: { ContactID: uuid(1) } });
    expect(results[1]).toEqual({
      ok: false,
      messages: ['The contact name Customer 2 is already assigned to another contact.'],
    });
  });

  it('should POST items with unitdp=4 and a body valid per Xero contract', async () => {
    server.setRoute((request) => {
      const body = JSON.parse(request.body) as { Items: { Code: string }[] };
      return {
        body: { Items: body.Items.map((i, n) => ({ ...i, ItemID: uuid(n + 10), StatusAttributeString: 'OK' })) },
      };
    });
    const { gateway } = gatewayFor(server.url);
    const results = await gateway.saveItems([item('W-1'), item('W-2')], 'items-1');
    const request = only();
    expect(query(request).get('unitdp')).toBe('4');
    expect(query(request).get('summarizeErrors')).toBe('false');
    const body: unknown = JSON.parse(request.body);
    expect(body).toEqual({ Items: [item('W-1'), item('W-2')] });
    expect(validateXeroRequest('Items', body)).toEqual([]);
    expect(results).toEqual([
      { ok: true, value: { ItemID: uuid(10), Code: 'W-1', IsSold: true } },
      { ok: true, value: { ItemID: uuid(11), Code: 'W-2', IsSold: true } },
    ]);
  });

  it('should POST invoices with unitdp=4 and return refs with totals', async () => {
    server.setRoute(() => ({
      body: {
        Invoices: [
          {
            InvoiceID: uuid(20),
            InvoiceNumber: 'INV-0042',
            Reference: 'ORD-1',
            Status: 'DRAFT',
            Total: 225.99,
            AmountDue: 225.99,
            AmountPaid: 0,
            StatusAttributeString: 'OK',
          },
        ],
      },
    }));
    const { gateway } = gatewayFor(server.url);
    const results = await gateway.saveInvoices([invoice('ORD-1')], 'inv-ORD-1-v3');
    const request = only();
    expect(query(request).get('unitdp')).toBe('4');
    expect(query(request).get('summarizeErrors')).toBe('false');
    expect(request.headers['idempotency-key']).toBe('inv-ORD-1-v3');
    const body: unknown = JSON.parse(request.body);
    expect(body).toEqual({ Invoices: [invoice('ORD-1')] });
    expect(validateXeroRequest('Invoices', body)).toEqual([]);
    expect(results).toEqual([
      {
        ok: true,
        value: {
          InvoiceID: uuid(20),
          InvoiceNumber: 'INV-0042',
          Reference: 'ORD-1',
          Status: 'DRAFT',
          Total: 225.99,
          AmountDue: 225.99,
          AmountPaid: 0,
        },
      },
    ]);
  });

  it('should void an invoice through POST /Invoices/{id}', async () => {
    server.setRoute(() => ({ body: { Invoices: [{ InvoiceID: uuid(30), Status: 'VOIDED', Reference: 'ORD-9' }] } }));
    const { gateway } = gatewayFor(server.url);
    const ref = await gateway.setInvoiceStatus(uuid(30), 'VOIDED', 'void-ORD-9');
    const request = only();
    expect(request.method).toBe('POST');
    expect(new URL(request.url, 'http://x').pathname).toBe(`/api.xro/2.0/Invoices/${uuid(30)}`);
    expect(request.headers['idempotency-key']).toBe('void-ORD-9');
    const body: unknown = JSON.parse(request.body);
    expect(body).toEqual({ Invoices: [{ InvoiceID: uuid(30), Status: 'VOIDED' }] });
    expect(validateXeroRequest('Invoices', body)).toEqual([]);
    expect(ref).toEqual({ InvoiceID: uuid(30), Status: 'VOIDED', Reference: 'ORD-9' });
  });

  it('should treat a response with a different element count as an uncertain (retryable) outcome', async () => {
    server.setRoute(() => ({ body: { Contacts: [{ ContactID: uuid(1), Name: 'Customer 1' }] } }));
    const { gateway } = gatewayFor(server.url);
    await expect(gateway.saveContacts([contact(1), contact(2)], 'k')).rejects.toMatchObject({
      code: 'XERO_UNCERTAIN',
      retryable: true,
    });
  });

  it('should refuse oversize batches, bad idempotency keys and fields xero-node would drop, without calling Xero', async () => {
    const { gateway } = gatewayFor(server.url);
    const many = Array.from({ length: 51 }, (_, n) => contact(n));
    await expect(gateway.saveContacts(many, 'k')).rejects.toBeInstanceOf(ValidationError);
    await expect(gateway.saveItems([item('A')], 'k'.repeat(129))).rejects.toBeInstanceOf(ValidationError);
    const misspelt = { ...contact(1), EmailAdress: 'typo@example.test' } as XeroContact;
    await expect(gateway.saveContacts([misspelt], 'k')).rejects.toBeInstanceOf(PermanentError);
    expect(await gateway.saveInvoices([], 'k')).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
