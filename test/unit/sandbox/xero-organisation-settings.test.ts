import { validateXeroRequest, type XeroSchemaName } from '../../../contracts/xero-contract';
import { SANDBOX_XERO_TENANT_ID, startSandboxXero, type SandboxXero } from '../../../sandbox/xero-accounting/server';
import { withoutProxy } from '../../helpers/no-proxy';

let xero: SandboxXero;
withoutProxy();

beforeAll(async () => {
  xero = await startSandboxXero();
});

afterAll(async () => {
  await xero.close();
});

async function get(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${xero.apiUrl}${path}`, {
    headers: { authorization: 'Bearer t', 'xero-tenant-id': SANDBOX_XERO_TENANT_ID, accept: 'application/json' },
  });
  expect(response.status).toBe(200);
  // The response envelope (Id, Status, ProviderName, DateTimeUTC) is not part of the collection schemas.
  const {
    Id: _id,
    Status: _status,
    ProviderName: _provider,
    DateTimeUTC: _at,
    ...body
  } = (await response.json()) as Record<string, unknown>;
  return body;
}

describe('sandbox Xero organisation settings (what the preflight reads)', () => {
  it.each<[string, XeroSchemaName]>([
    ['/Accounts', 'Accounts'],
    ['/TaxRates', 'TaxRates'],
    ['/Currencies', 'Currencies'],
    ['/Organisation', 'Organisations'],
  ])('should answer GET %s in the shape of the OpenAPI contract', async (path, schema) => {
    const body = await get(path);
    expect(validateXeroRequest(schema, body)).toEqual([]);
  });

  it('should hold the sandbox to the contract: a misspelt field or a status outside the enum is refused', () => {
    expect(validateXeroRequest('Accounts', { Accounts: [{ Code: '200', Klass: 'REVENUE' }] })).not.toEqual([]);
    expect(validateXeroRequest('TaxRates', { TaxRates: [{ TaxType: 'OUTPUT2', Status: 'ENABLED' }] })).not.toEqual([]);
  });

  it('should list the base currency among the currencies and give the organisation a time zone and short code', async () => {
    const currencies = (await get('/Currencies')).Currencies as { Code: string }[];
    expect(currencies.map((c) => c.Code)).toContain('NZD');
    const [org] = (await get('/Organisation')).Organisations as Record<string, unknown>[];
    expect(org).toMatchObject({ Timezone: 'NEWZEALANDSTANDARDTIME', ShortCode: expect.stringMatching(/^!/) });
  });
});
