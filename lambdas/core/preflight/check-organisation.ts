/**
 * The preflight for one Xero organisation, with that organisation's own reader (its own token tenant and budget):
 *
 * 1. Read /Organisation (base currency, time zone, ShortCode), /Accounts, /TaxRates and /Currencies (4 calls).
 * 2. Validate the account codes, tax types and currencies the mapping names (validate-mapping.ts).
 * 3. Check the tracking categories and options, and the branding themes this organisation may use: its own
 *    brandingThemes entry and `default` (check-tracking-branding.ts).
 * 4. With several organisations, tag each problem with the organisation, so a row on the status page says whose it is.
 * A failure to read Xero becomes this organisation's `error`: it never hides the other organisations' results.
 */
import { describeError } from '../errors';
import type { MappingSettings } from '../settings';
import type { XeroOrganisationReader } from './ports';
import type { OrganisationPreflight } from './preflight-report';
import { checkTrackingAndBranding } from './check-tracking-branding';
import { validateMapping } from './validate-mapping';

export interface OrganisationCheckInput {
  readonly xero: XeroOrganisationReader;
  readonly settings: MappingSettings;
  /** The tenant checked; undefined: the connection's one organisation (its id is read from Xero). */
  readonly tenantId?: string;
  /** The name the connection knows, for messages when Xero cannot be read. */
  readonly tenantName?: string;
  readonly orderCurrencies?: readonly string[];
  /** Name the organisation in each problem (several organisations). */
  readonly tagProblems: boolean;
}

export async function checkOrganisation(input: OrganisationCheckInput): Promise<OrganisationPreflight> {
  const { xero, settings } = input;
  try {
    const organisation = await xero.getOrganisation();
    const accounts = await xero.listAccounts();
    const taxRates = await xero.listTaxRates();
    const currencies = await xero.listCurrencies();
    const tenantId = input.tenantId ?? organisation.organisationId;
    const check = validateMapping(
      settings,
      { baseCurrency: organisation.baseCurrency, accounts, taxRates, currencies },
      input.orderCurrencies
    );
    const extra = await checkTrackingAndBranding(xero, settings, tenantId);
    const problems = [...check.problems, ...extra.problems].map((p) =>
      input.tagProblems ? { ...p, tenantId, organisationName: organisation.name } : p
    );
    return {
      tenantId,
      name: organisation.name,
      organisation,
      ok: problems.length === 0,
      problems,
      warnings: [...check.warnings, ...extra.warnings],
    };
  } catch (error) {
    return {
      tenantId: input.tenantId ?? '',
      ...(input.tenantName && { name: input.tenantName }),
      ok: false,
      problems: [],
      warnings: [],
      error: describeError(error),
    };
  }
}
