/** Shared builders for the Xero gateway tests: wire documents, a fake access provider, a fake clock. */
import type { XeroContact, XeroInvoice, XeroItem } from '../../../../lambdas/core/model/xero';
import type { XeroAccessProvider } from '../../../../lambdas/core/ports';
import { XeroAccountingGateway, type XeroGatewayOptions } from '../../../../lambdas/adapters/xero/xero-gateway';
import { fakeTime as fakeTimeFrom } from '../../../helpers/fake-time';

export const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQtZm9yLXRlc3Rz.c2lnbmF0dXJlLWJ5dGVz';
export const TENANT_ID = '7d3c1f2e-1111-4222-8333-944455556666';

export function fakeAccess(tokens: string[] = [ACCESS_TOKEN]): XeroAccessProvider & { calls: number } {
  const provider = {
    calls: 0,
    async getAccess() {
      const accessToken = tokens[Math.min(provider.calls, tokens.length - 1)] ?? ACCESS_TOKEN;
      provider.calls += 1;
      return { accessToken, tenantId: TENANT_ID };
    },
  };
  return provider;
}

/** The gateway tests' clock starts at 01:00 UTC. */
export const fakeTime = () => fakeTimeFrom('2026-11-26T01:00:00Z');

export function gatewayFor(apiUrl: string, overrides: Partial<XeroGatewayOptions> = {}) {
  const time = fakeTime();
  const access = fakeAccess();
  const logged: unknown[] = [];
  const log = (...args: unknown[]) => logged.push(args);
  const gateway = new XeroAccountingGateway({
    access,
    apiUrl,
    timeoutMs: 2_000,
    clock: time.clock,
    sleep: time.sleep,
    logger: { debug: log, info: log, warn: log, error: log },
    ...overrides,
  });
  return { gateway, time, access, logged };
}

export const contact = (n: number, overrides: Partial<XeroContact> = {}): XeroContact => ({
  ContactNumber: `D365-00000000-0000-4000-8000-00000000000${n}`,
  Name: `Customer ${n}`,
  EmailAddress: `c${n}@example.test`,
  Phones: [{ PhoneType: 'DEFAULT', PhoneNumber: `555 010${n}` }],
  Addresses: [{ AddressType: 'POBOX', AddressLine1: `PO Box ${n}`, City: 'Wellington' }],
  ...overrides,
});

export const item = (code: string): XeroItem => ({
  Code: code,
  Name: `Item ${code}`,
  Description: 'Catalogue product',
  IsSold: true,
  SalesDetails: { UnitPrice: 19.9999, AccountCode: '200' },
});

export const invoice = (reference: string): XeroInvoice => ({
  Type: 'ACCREC',
  Contact: { ContactID: 'a1b2c3d4-0000-4000-8000-000000000001' },
  Reference: reference,
  Date: '2026-11-25',
  DueDate: '2026-12-25',
  CurrencyCode: 'AUD',
  LineAmountTypes: 'Exclusive',
  Status: 'DRAFT',
  LineItems: [
    { Description: 'Widget', Quantity: 3, UnitAmount: 19.9999, ItemCode: 'W-1', AccountCode: '200' },
    { Description: 'Write-in: site visit', Quantity: 1, UnitAmount: 150, AccountCode: '200', TaxType: 'OUTPUT' },
  ],
});

export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
