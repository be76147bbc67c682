import { startSandboxDataverse, type SandboxDataverse } from '../../../sandbox/dataverse/server';
import { DEMO_IDS, seedDemoData } from '../../../sandbox/demo-data';

const TOKEN = 'sandbox-dataverse-token';

type Row = Record<string, unknown>;
interface DvBody extends Row {
  readonly value: Row[];
  readonly error: { readonly code: string; readonly message: string };
}

describe('sandbox Dataverse Web API', () => {
  let dv: SandboxDataverse;
  let now: number;

  beforeEach(async () => {
    now = Date.UTC(2026, 1, 10, 9, 30, 0);
    dv = await startSandboxDataverse({ accessToken: TOKEN, clock: () => now });
    seedDemoData(dv.state);
  });
  afterEach(() => dv.close());

  async function get(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(path.startsWith('http') ? path : `${dv.apiUrl}/${path}`, {
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', ...headers },
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as DvBody };
  }

  async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${dv.apiUrl}/${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  it('should retrieve an account with $select, $expand and lookup annotations', async () => {
    const id = DEMO_IDS.accounts.harbourview;
    const result = await get(
      `accounts(${id})?$select=name,accountnumber,_primarycontactid_value&$expand=primarycontactid($select=fullname,emailaddress1),transactioncurrencyid($select=isocurrencycode)`,
      { Prefer: 'odata.include-annotations="*"' }
    );
    expect(result.status).toBe(200);
    const body = result.body;
    expect(body['@odata.context']).toBe(
      `${dv.apiUrl}/$metadata#accounts(name,accountnumber,_primarycontactid_value,primarycontactid,primarycontactid(fullname,emailaddress1),transactioncurrencyid,transactioncurrencyid(isocurrencycode))/$entity`
    );
    expect(body['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(body).toMatchObject({
      accountid: id,
      name: 'Harbourview Provisions Ltd',
      accountnumber: 'HVP-2041',
      _primarycontactid_value: DEMO_IDS.contacts.ariaTeWhare,
      '_primarycontactid_value@OData.Community.Display.V1.FormattedValue': 'Aria Te Whare',
      '_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'contact',
      '_primarycontactid_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'primarycontactid',
      primarycontactid: { contactid: DEMO_IDS.contacts.ariaTeWhare, fullname: 'Aria Te Whare' },
      transactioncurrencyid: { isocurrencycode: 'USD' },
    });
    expect(body.telephone1).toBeUndefined();
    expect(result.headers.get('preference-applied')).toBe('odata.include-annotations="*"');
  });

  it('should leave annotations out when the Prefer header does not ask for them', async () => {
    const result = await get(`contacts(${DEMO_IDS.contacts.bjornLindqvist})?$select=fullname,_parentcustomerid_value`);
    expect(result.body._parentcustomerid_value).toBe(DEMO_IDS.accounts.cafeNandu);
    expect(Object.keys(result.body).filter((k) => k.includes('@') && !k.startsWith('@odata'))).toEqual([]);
  });

  it('should expand order lines with nested product and the polymorphic customer', async () => {
    const id = DEMO_IDS.orders.harbourview;
    const result = await get(
      `salesorders(${id})?$select=ordernumber,totalamount,_customerid_value&$expand=customerid_account($select=name),customerid_contact($select=fullname),transactioncurrencyid($select=isocurrencycode),order_details($select=quantity,priceperunit,baseamount,extendedamount,isproductoverridden,productdescription;$expand=productid($select=productnumber,name))`,
      { Prefer: 'odata.include-annotations="*"' }
    );
    const body = result.body;
    expect(body['_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    expect(body['_customerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('customerid_account');
    expect(body['totalamount@OData.Community.Display.V1.FormattedValue']).toBe('$1,500.19');
    expect(body._transactioncurrencyid_value).toBe(DEMO_IDS.currencies.usd);
    expect(body.customerid_account).toMatchObject({ name: 'Harbourview Provisions Ltd' });
    expect(body.customerid_contact).toBeNull();
    const lines = body.order_details as Row[];
    expect(lines).toHaveLength(3);
    expect(lines[0]!.productid).toMatchObject({ productnumber: 'BEAN-ESP-1KG', name: 'Espresso blend beans 1 kg' });
    expect(lines[2]).toMatchObject({ isproductoverridden: true, productid: null, priceperunit: 320 });
    expect(lines[2]!.productdescription).toContain('installation');
  });

  it('should answer 404 in Dataverse error shape for a missing record', async () => {
    const missing = '11111111-2222-3333-4444-555555555555';
    const result = await get(`accounts(${missing})`);
    expect(result.status).toBe(404);
    expect(result.body).toEqual({
      error: { code: '0x80040217', message: `Entity 'account' With Id = ${missing} Does Not Exist` },
    });
  });

  it('should filter, order, select and page a collection with absolute nextLinks', async () => {
    const first = await get(
      'products?$select=productnumber,name,price&$filter=statecode eq 0&$orderby=productnumber asc',
      {
        Prefer: 'odata.maxpagesize=2',
      }
    );
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
    expect(first.body.value.map((p) => p.productnumber)).toEqual(['BEAN-ESP-1KG', 'GRD-CONICAL-64']);
    const next = first.body['@odata.nextLink'] as string;
    expect(next.startsWith(`${dv.apiUrl}/products?`)).toBe(true);
    expect(new URL(next).searchParams.get('$skiptoken')).toContain('pagenumber="2"');
    const second = await get(next, { Prefer: 'odata.maxpagesize=2' });
    expect(second.body.value.map((p) => p.productnumber)).toEqual(['PLANTER-TERRACOTTA-GLAZED-SEAGREEN-LARGE-2026']);
    expect(second.body['@odata.nextLink']).toBeUndefined();
  });

  it('should find records changed after a timestamp with modifiedon gt', async () => {
    const before = await get(`accounts?$select=name,modifiedon&$orderby=modifiedon desc&$top=1`);
    const latest = before.body.value[0]!.modifiedon as string;
    now += 60_000;
    dv.state.upsert('account', { accountid: DEMO_IDS.accounts.northwind, telephone1: '+1 206 555 0100' });
    const changed = await get(`accounts?$select=name&$filter=modifiedon gt ${latest}`);
    expect(changed.body.value.map((a) => a.name)).toEqual(['Northwind Roasters Co-op']);
    const bad = await get(`accounts?$filter=name eq`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('0x80060888');
  });

  it('should create with 204 and OData-EntityId, update with PATCH and delete', async () => {
    const created = await send('POST', 'contacts', {
      firstname: 'Lena',
      lastname: 'Moreau',
      'parentcustomerid_account@odata.bind': `/accounts(${DEMO_IDS.accounts.northwind})`,
    });
    expect(created.status).toBe(204);
    const entityId = created.headers.get('odata-entityid')!;
    const id = /contacts\(([0-9a-f-]{36})\)$/.exec(entityId)![1]!;
    expect(dv.state.get('contact', id)).toMatchObject({
      fullname: 'Lena Moreau',
      _parentcustomerid_value: DEMO_IDS.accounts.northwind,
    });

    const patched = await send('PATCH', `contacts(${id})`, { lastname: 'Moreau-Blanc' }, { 'If-Match': '*' });
    expect(patched.status).toBe(204);
    expect(dv.state.get('contact', id)!.fullname).toBe('Lena Moreau-Blanc');

    const missing = await send(
      'PATCH',
      'contacts(99999999-2222-3333-4444-555555555555)',
      { lastname: 'x' },
      { 'If-Match': '*' }
    );
    expect(missing.status).toBe(404);

    expect((await send('DELETE', `contacts(${id})`)).status).toBe(204);
    expect((await send('DELETE', `contacts(${id})`)).status).toBe(404);
    expect(dv.state.get('contact', id)).toBeUndefined();
  });

  // learn.microsoft.com/power-apps/developer/data-platform/reference/entities/salesorder (StateCode): only active
  // orders can be edited.
  it('should refuse a change to a sales order that is not Active, but accept a change of its state', async () => {
    const id = DEMO_IDS.orders.mayaOkafor;
    expect(
      (await send('PATCH', `salesorders(${id})`, { statecode: 3, statuscode: 100001 }, { 'If-Match': '*' })).status
    ).toBe(204);
    const refused = await send('PATCH', `salesorders(${id})`, { name: 'Edited' }, { 'If-Match': '*' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/only active orders/i);
    expect(dv.state.get('salesorder', id)?.name).not.toBe('Edited');
  });

  it('should upsert with PATCH, refuse If-None-Match updates and return a representation on request', async () => {
    const newId = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
    const upserted = await send('PATCH', `accounts(${newId})`, { name: 'Upserted Ltd' });
    expect(upserted.status).toBe(204);
    expect(upserted.headers.get('odata-entityid')).toBe(`${dv.apiUrl}/accounts(${newId})`);
    const refused = await send('PATCH', `accounts(${newId})`, { name: 'Again' }, { 'If-None-Match': '*' });
    expect(refused.status).toBe(412);
    const created = await send(
      'POST',
      'salesorderdetails',
      {
        'salesorderid@odata.bind': `/salesorders(${DEMO_IDS.orders.mayaOkafor})`,
        'productid@odata.bind': `/products(${DEMO_IDS.products.espressoBeans})`,
        quantity: 4,
      },
      { Prefer: 'return=representation' }
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      priceperunit: 24.5,
      baseamount: 98,
      _salesorderid_value: DEMO_IDS.orders.mayaOkafor,
    });
    const badBind = await send('POST', 'contacts', {
      'parentcustomerid_account@odata.bind': `/accounts(${'9'.repeat(8)}-2222-3333-4444-555555555555)`,
    });
    expect(badBind.status).toBe(404);
  });

  it('should require the bearer token when one is configured', async () => {
    const response = await fetch(`${dv.apiUrl}/accounts`);
    expect(response.status).toBe(401);
  });

  it('should inject 429 with Retry-After, 5xx and then recover', async () => {
    dv.knobs.failNext(1, 429, 3);
    const limited = await get('accounts?$select=name');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.body.error.code).toBe('0x80072322');
    dv.knobs.failNext(1, 503);
    expect((await get('accounts?$select=name')).status).toBe(503);
    dv.knobs.setLatency(20);
    expect((await get('accounts?$select=name')).status).toBe(200);
    expect(dv.knobs.requests().map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it('should follow a nested order_details collection path', async () => {
    const result = await get(`salesorders(${DEMO_IDS.orders.cafeNanduEur})/order_details?$select=extendedamount`);
    expect(result.body.value.map((l) => l.extendedamount)).toEqual([1452.49]);
  });
});
