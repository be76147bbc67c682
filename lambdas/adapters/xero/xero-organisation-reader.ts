/**
 * XeroOrganisationReader (preflight) over xero-node's AccountingApi: GET /Organisation, /Accounts, /TaxRates,
 * /Currencies, /TrackingCategories and /BrandingThemes (and PUT /TrackingCategories/{id}/Options) through a XeroCallRunner on the process's shared limiter (one Xero budget per tenant, Retry-After,
 * typed errors, a timeout per request). Reads Xero's raw PascalCase JSON (xero_accounting.yaml: Organisation,
 * Account, TaxRate, Currency).
 */
import { createHash } from 'node:crypto';
import type { AccountingApi } from 'xero-node/dist/gen/api/accountingApi';
import { ObjectSerializer } from 'xero-node/dist/gen/model/accounting/models';
import type { TrackingOption } from 'xero-node/dist/gen/model/accounting/trackingOption';
import { PermanentError } from '../../core/errors';
import type {
  XeroAccountInfo,
  XeroOrganisationProfile,
  XeroOrganisationReader,
  XeroTaxRateInfo,
  XeroTrackingCategoryInfo,
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

  /** GET /TrackingCategories?includeArchived=true: archived categories and options are listed to be reported. */
  async listTrackingCategories(): Promise<readonly XeroTrackingCategoryInfo[]> {
    const body = await this.runner.run('GET /TrackingCategories', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getTrackingCategories(tenantId, undefined, undefined, true)
    );
    return (elementsOf(body, 'TrackingCategories') as Loose[]).flatMap((c) => {
      const id = text(c.TrackingCategoryID);
      if (!id) return [];
      const options = (Array.isArray(c.Options) ? (c.Options as Loose[]) : []).flatMap((o) => {
        const optionId = text(o.TrackingOptionID);
        return optionId ? [{ id: optionId, name: text(o.Name) ?? '', status: text(o.Status) ?? 'ACTIVE' }] : [];
      });
      return [{ id, name: text(c.Name) ?? '', status: text(c.Status) ?? 'ACTIVE', options }];
    });
  }

  /** PUT /TrackingCategories/{id}/Options, keyed so a retried preflight does not add the option twice. */
  async createTrackingOption(categoryId: string, name: string): Promise<void> {
    const option = ObjectSerializer.deserialize({ Name: name }, 'TrackingOption') as TrackingOption;
    const key = `tracking-option-${createHash('sha256').update(`${categoryId}\n${name}`).digest('hex').slice(0, 40)}`;
    await this.runner.run('PUT /TrackingCategories/{id}/Options', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).createTrackingOptions(tenantId, categoryId, option, key)
    );
  }

  async listBrandingThemes(): Promise<readonly { readonly id: string; readonly name: string }[]> {
    const body = await this.runner.run('GET /BrandingThemes', ({ accessToken, tenantId }) =>
      this.authorised(accessToken).getBrandingThemes(tenantId)
    );
    return (elementsOf(body, 'BrandingThemes') as Loose[]).flatMap((t) => {
      const id = text(t.BrandingThemeID);
      return id ? [{ id, name: text(t.Name) ?? '' }] : [];
    });
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
