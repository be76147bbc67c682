import { startSandboxXero, type SandboxXero } from '../../../sandbox/xero-accounting/server';
import { elements, validationMessages, xeroClient } from './xero-test-client';

describe('sandbox Xero contacts and items', () => {
  let xero: SandboxXero;
  let call: ReturnType<typeof xeroClient>;

  beforeEach(async () => {
    xero = await startSandboxXero();
    call = xeroClient(xero);
  });
  afterEach(() => xero.close());

  it('should create a contact with PUT and refuse a second PUT with the same name', async () => {
    const first = await call('PUT', '/Contacts', { Contacts: [{ Name: 'Kōwhai Traders', ContactNumber: 'A-1' }] });
    expect(first.status).toBe(200);
    const created = elements(first, 'Contacts')[0]!;
    expect(created.ContactID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.ContactStatus).toBe('ACTIVE');

    const again = await call('PUT', '/Contacts', { Contacts: [{ Name: 'kōwhai traders', ContactNumber: 'A-2' }] });
    expect(again.status).toBe(400);
    expect(again.body.Type).toBe('ValidationException');
    expect(validationMessages(again)).toEqual([
      'The contact name kōwhai traders is already assigned to another contact. The contact name must be unique across all active contacts.',
    ]);
  });

  it('should refuse a duplicate ContactNumber even when the name differs', async () => {
    await call('PUT', '/Contacts', { Contacts: [{ Name: 'One', ContactNumber: 'dup' }] });
    const second = await call('POST', '/Contacts', { Contacts: [{ Name: 'Two', ContactNumber: 'dup' }] });
    expect(second.status).toBe(400);
    expect(validationMessages(second)[0]).toContain('dup');
    expect(xero.state.snapshot().contacts).toHaveLength(1);
  });

  it('should update by ContactID with POST and keep omitted fields', async () => {
    const created = elements(
      await call('PUT', '/Contacts', {
        Contacts: [{ Name: 'Rata Ltd', EmailAddress: 'a@rata.test', ContactNumber: 'R1' }],
      }),
      'Contacts'
    )[0]!;
    const updated = await call('POST', `/Contacts/${String(created.ContactID)}`, {
      Contacts: [{ Name: 'Rata Limited' }],
    });
    expect(updated.status).toBe(200);
    const [contact] = xero.state.snapshot().contacts;
    expect(contact).toMatchObject({ Name: 'Rata Limited', EmailAddress: 'a@rata.test', ContactNumber: 'R1' });
    expect(xero.state.snapshot().contacts).toHaveLength(1);
  });

  it('should refuse PUT of an existing ContactID and create a second contact when POST carries no id', async () => {
    const created = elements(await call('PUT', '/Contacts', { Contacts: [{ Name: 'Tōtara' }] }), 'Contacts')[0]!;
    const put = await call('PUT', '/Contacts', { Contacts: [{ ContactID: created.ContactID, Name: 'Other' }] });
    expect(put.status).toBe(400);
    const post = await call('POST', '/Contacts', { Contacts: [{ Name: 'Mataī' }] });
    expect(post.status).toBe(200);
    expect(
      xero.state
        .snapshot()
        .contacts.map((c) => c.Name)
        .sort()
    ).toEqual(['Mataī', 'Tōtara']);
  });

  it('should hide archived contacts unless includeArchived=true and free their name', async () => {
    const created = elements(
      await call('PUT', '/Contacts', { Contacts: [{ Name: 'Old Co', ContactNumber: 'O1' }] }),
      'Contacts'
    )[0]!;
    await call('POST', '/Contacts', { Contacts: [{ ContactID: created.ContactID, ContactStatus: 'ARCHIVED' }] });
    expect(elements(await call('GET', '/Contacts'), 'Contacts')).toHaveLength(0);
    const all = elements(await call('GET', '/Contacts?includeArchived=true'), 'Contacts');
    expect(all.map((c) => c.ContactStatus)).toEqual(['ARCHIVED']);
    const reuse = await call('PUT', '/Contacts', { Contacts: [{ Name: 'Old Co', ContactNumber: 'O2' }] });
    expect(reuse.status).toBe(200);
  });

  it('should return every element with its status when summarizeErrors=false and still save the valid ones', async () => {
    const result = await call('POST', '/Contacts?summarizeErrors=false', {
      Contacts: [{ Name: 'Good One', ContactNumber: 'G1' }, { ContactNumber: 'no-name' }, { Name: 'Good Two' }],
    });
    expect(result.status).toBe(200);
    const els = elements(result, 'Contacts');
    expect(els.map((e) => e.StatusAttributeString)).toEqual(['OK', 'ERROR', 'OK']);
    expect(els[1]!.ValidationErrors).toEqual([{ Message: 'The contact name must be specified.' }]);
    expect(els[0]!.ContactID).toBeDefined();
    expect(xero.state.snapshot().contacts.map((c) => c.Name)).toEqual(['Good One', 'Good Two']);
  });

  it('should answer 400 for a mixed batch without summarizeErrors yet keep the valid element', async () => {
    const result = await call('POST', '/Contacts', { Contacts: [{ Name: 'Valid' }, { Name: '' }] });
    expect(result.status).toBe(400);
    expect(result.body.Contacts).toBeUndefined();
    expect(xero.state.snapshot().contacts.map((c) => c.Name)).toEqual(['Valid']);
  });

  it('should filter contacts with where clauses joined by OR', async () => {
    await call('PUT', '/Contacts', {
      Contacts: [
        { Name: 'Alpha', ContactNumber: 'c-1' },
        { Name: 'Beta', ContactNumber: 'c-2' },
        { Name: 'Gamma', ContactNumber: 'c-3' },
      ],
    });
    const where = encodeURIComponent('ContactNumber=="c-1" OR ContactNumber=="c-3"');
    const found = elements(await call('GET', `/Contacts?where=${where}`), 'Contacts');
    expect(found.map((c) => c.Name)).toEqual(['Alpha', 'Gamma']);
    const byName = elements(await call('GET', `/Contacts?where=${encodeURIComponent('Name=="Beta"')}`), 'Contacts');
    expect(byName.map((c) => c.ContactNumber)).toEqual(['c-2']);
    const search = elements(await call('GET', '/Contacts?searchTerm=C-3'), 'Contacts');
    expect(search.map((c) => c.Name)).toEqual(['Gamma']);
    const bad = await call('GET', `/Contacts?where=${encodeURIComponent('Name.Contains("B")')}`);
    expect(bad.status).toBe(400);
  });

  it('should page contacts and filter by IDs', async () => {
    const names = Array.from({ length: 105 }, (_, i) => ({ Name: `Contact ${i}` }));
    const created = elements(await call('PUT', '/Contacts', { Contacts: names }), 'Contacts');
    expect(elements(await call('GET', '/Contacts?page=1'), 'Contacts')).toHaveLength(100);
    expect(elements(await call('GET', '/Contacts?page=2'), 'Contacts')).toHaveLength(5);
    const ids = [created[3]!.ContactID, created[7]!.ContactID].join(',');
    expect(elements(await call('GET', `/Contacts?IDs=${ids}`), 'Contacts').map((c) => c.Name)).toEqual([
      'Contact 3',
      'Contact 7',
    ]);
  });

  it('should get a contact by ContactID or ContactNumber and 404 otherwise', async () => {
    const created = elements(
      await call('PUT', '/Contacts', { Contacts: [{ Name: 'Kauri', ContactNumber: 'K-9' }] }),
      'Contacts'
    )[0]!;
    expect(elements(await call('GET', `/Contacts/${String(created.ContactID)}`), 'Contacts')[0]!.Name).toBe('Kauri');
    expect(elements(await call('GET', '/Contacts/K-9'), 'Contacts')[0]!.Name).toBe('Kauri');
    expect((await call('GET', '/Contacts/nope')).status).toBe(404);
  });

  it('should upsert items by Code with POST and refuse a duplicate Code with PUT', async () => {
    const put = await call('PUT', '/Items', {
      Items: [{ Code: 'WIDGET-1', Name: 'Widget', SalesDetails: { UnitPrice: 9.999 } }],
    });
    expect(put.status).toBe(200);
    expect(elements(put, 'Items')[0]!.SalesDetails).toEqual({ UnitPrice: 10 });
    const dup = await call('PUT', '/Items', { Items: [{ Code: 'WIDGET-1', Name: 'Again' }] });
    expect(validationMessages(dup)).toEqual(["Price List Item with Code ''WIDGET-1'' already exists"]);
    const post = await call('POST', '/Items?unitdp=4', {
      Items: [{ Code: 'WIDGET-1', Description: 'Blue', SalesDetails: { UnitPrice: 1.23456 } }],
    });
    expect(post.status).toBe(200);
    const items = xero.state.snapshot().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      Code: 'WIDGET-1',
      Name: 'Widget',
      Description: 'Blue',
      SalesDetails: { UnitPrice: 1.2346 },
    });
    const long = await call('PUT', '/Items', { Items: [{ Code: 'X'.repeat(31) }] });
    expect(long.status).toBe(400);
    const byCode = elements(await call('GET', `/Items?where=${encodeURIComponent('Code=="WIDGET-1"')}`), 'Items');
    expect(byCode).toHaveLength(1);
  });

  it('should reject bodies that the injected validator refuses without saving anything', async () => {
    await xero.close();
    xero = await startSandboxXero({
      validateBody: (schema, body) =>
        schema === 'Items' && JSON.stringify(body).includes('"Bad"') ? ['Items[0].Code is not allowed to be Bad'] : [],
    });
    call = xeroClient(xero);
    const refused = await call('POST', '/Items', { Items: [{ Code: 'Bad' }] });
    expect(refused.status).toBe(400);
    expect(validationMessages(refused)).toEqual(['Items[0].Code is not allowed to be Bad']);
    expect(xero.state.snapshot().items).toHaveLength(0);
  });

  it('should serve the organisation of the tenant', async () => {
    const org = await call('GET', '/Organisation');
    expect(org.status).toBe(200);
    expect(elements(org, 'Organisations')[0]!.OrganisationID).toBe(xero.tenantId);
  });
});
