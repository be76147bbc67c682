/**
 * XeroOrganisationReader (preflight) over xero-node's AccountingApi: GET /Organisation, /Accounts, /TaxRates and
 * /Currencies through a XeroCallRunner on the process's shared limiter (one Xero budget per tenant, Retry-After,
 * typed errors, a timeout per request). Reads Xero's raw PascalCase JSON (xero_accounting.yaml: Organisation,
 * Account, TaxRate, Currency).
 */
import type { AccountingApi } from 'xero-node/dist/gen/api/accountingApi';
import { PermanentError } from '../../core/errors';
import type {
  XeroAccountInfo,
  XeroOrganisationProfile,
  XeroOrganisationReader,
  XeroTaxRateInfo,
} from '../../core/preflight/ports';
import { systemClock } from '../system-clock';
import { createAccountingApi } from './accounting-api';
import { DEFAULT_RETRY_POLICY, XeroCallRunner } from './xero-call-runner';
import { elementsOf } from './xero-element-results';
import type { XeroReaderOptions } from './xero-invoice-reader';

/** The preflight's reads spend the same shared Xero budget as the sync. */
export type XeroOrganisationReaderOptions = XeroReaderOptions;

type Loose = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export class XeroAccountingOrganisationReader implements XeroOrganisationReader {
  private readonly api: AccountingApi;
  private readonly runner: XeroCallRunner;

  constructor(options: XeroOrganisationReaderOptions) {
    const clock = options.clock ?? systemClock;
    this.api = createAccountingApi(options.apiUrl, options.timeoutMs ?? 20_000);
    this.runner = new XeroCallRunner({
      access: options.access,
      limiter: options.limiter,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: () => clock.now().getTime(),
      policy: DEFAULT_RETRY_POLICY,
      ...(options.logger && { logger: options.logger }),
    });
  }

  private authorised(accessToken: string): AccountingApi {
    this.api.accessToken = accessToken;
    return this.api;
  }

  async getOrganisation(): Promise<XeroOrganisationProfile> {
    const body = await this.runner.run('GET /Organisation', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getOrganisations(tenantId)
    );
    const org = elementsOf(body, 'Organisations')[0] as Loose | undefined;
    const organisationId = text(org?.OrganisationID);
    const baseCurrency = text(org?.BaseCurrency);
    if (!org || !organisationId || !baseCurrency)
      throw new PermanentError('Xero /Organisation answered without an organisation', 'XERO_SHAPE');
    return {
      organisationId,
      name: text(org.Name) ?? '',
      baseCurrency,
      ...optional('timezone', text(org.Timezone)),
      ...optional('shortCode', text(org.ShortCode)),
      ...optional('countryCode', text(org.CountryCode)),
    };
  }

  async listAccounts(): Promise<readonly XeroAccountInfo[]> {
    const body = await this.runner.run('GET /Accounts', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getAccounts(tenantId)
    );
    return (elementsOf(body, 'Accounts') as Loose[]).map((a) => ({
      name: text(a.Name) ?? '',
      type: text(a.Type) ?? '',
      status: text(a.Status) ?? 'ACTIVE',
      ...optional('code', text(a.Code)),
      ...optional('class', text(a.Class)),
    }));
  }

  async listTaxRates(): Promise<readonly XeroTaxRateInfo[]> {
    const body = await this.runner.run('GET /TaxRates', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getTaxRates(tenantId)
    );
    return (elementsOf(body, 'TaxRates') as Loose[])
      .filter((r) => text(r.TaxType) !== undefined)
      .map((r) => ({
        taxType: text(r.TaxType) as string,
        name: text(r.Name) ?? '',
        status: text(r.Status) ?? 'ACTIVE',
        ...optional('canApplyToRevenue', typeof r.CanApplyToRevenue === 'boolean' ? r.CanApplyToRevenue : undefined),
        ...optional('effectiveRate', typeof r.EffectiveRate === 'number' ? r.EffectiveRate : undefined),
      }));
  }

  async listCurrencies(): Promise<readonly string[]> {
    const body = await this.runner.run('GET /Currencies', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getCurrencies(tenantId)
    );
    return (elementsOf(body, 'Currencies') as Loose[])
      .map((c) => text(c.Code))
      .filter((code): code is string => code !== undefined);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
