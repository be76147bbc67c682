/**
 * Checks the mapping settings against the connected organisation, before any invoice fails on them. Rules, from
 * Xero's Accounting API reference (developer.xero.com/documentation/api/accounting/accounts and …/taxrates) and
 * xero_accounting.yaml: a line's AccountCode must be an account of the organisation that is ACTIVE (archived
 * accounts take no new transactions); sales and freight lines belong on REVENUE-class accounts; a TaxType must be
 * one of the organisation's tax rates, ACTIVE and usable on revenue (`CanApplyToRevenue`); an invoice's
 * CurrencyCode must be the base currency or one enabled under /Currencies.
 *
 * Every setting whose name ends in `AccountCode` or `TaxType` is checked, so settings added later are covered too.
 */
import type { MappingSettings } from '../settings';
import type { XeroAccountInfo, XeroTaxRateInfo } from './ports';
import type { PreflightProblem } from './preflight-report';

export interface OrganisationFacts {
  readonly baseCurrency: string;
  readonly accounts: readonly XeroAccountInfo[];
  readonly taxRates: readonly XeroTaxRateInfo[];
  readonly currencies: readonly string[];
}

export interface MappingCheck {
  readonly problems: PreflightProblem[];
  readonly warnings: string[];
}

/** Where each account setting is used decides the account classes it may have. */
const ACCOUNT_CLASSES: Record<string, readonly string[]> = {
  salesAccountCode: ['REVENUE'],
  freightAccountCode: ['REVENUE'],
  // A discount given is booked against revenue or as an expense, depending on the chart of accounts.
  discountAccountCode: ['REVENUE', 'EXPENSE'],
};

export function validateMapping(
  settings: MappingSettings,
  facts: OrganisationFacts,
  orderCurrencies?: readonly string[]
): MappingCheck {
  const problems: PreflightProblem[] = [];
  const entries = Object.entries(settings as unknown as Record<string, unknown>);
  for (const [setting, value] of entries) {
    if (typeof value !== 'string' || value === '') continue;
    if (setting.endsWith('AccountCode')) {
      const problem = checkAccount(setting, value, facts.accounts);
      if (problem) problems.push(problem);
    } else if (setting.endsWith('TaxType')) {
      const problem = checkTaxType(setting, value, facts.taxRates);
      if (problem) problems.push(problem);
    }
  }
  return { problems, warnings: currencyWarnings(facts, orderCurrencies) };
}

function checkAccount(
  setting: string,
  code: string,
  accounts: readonly XeroAccountInfo[]
): PreflightProblem | undefined {
  const classes = ACCOUNT_CLASSES[setting];
  const usable = accounts.filter(
    (a) => a.code && a.status === 'ACTIVE' && (!classes || (a.class !== undefined && classes.includes(a.class)))
  );
  const validChoices = usable.map((a) => `${a.code} ${a.name}`);
  const account = accounts.find((a) => a.code?.toUpperCase() === code.toUpperCase());
  const problem = (message: string): PreflightProblem => ({ setting, value: code, message, validChoices });
  if (!account) return problem(`account code ${code} does not exist in the Xero organisation`);
  if (account.status !== 'ACTIVE')
    return problem(`account ${code} (${account.name}) is ${account.status} and takes no new transactions`);
  if (classes && (account.class === undefined || !classes.includes(account.class)))
    return problem(
      `account ${code} (${account.name}) is a${/^[AEIOU]/.test(account.class ?? '') ? 'n' : ''} ` +
        `${account.class ?? 'unclassified'} account; ${setting} needs a ${classes.join(' or ')} account`
    );
  return undefined;
}

function checkTaxType(
  setting: string,
  taxType: string,
  rates: readonly XeroTaxRateInfo[]
): PreflightProblem | undefined {
  const usable = rates.filter((r) => r.status === 'ACTIVE' && r.canApplyToRevenue !== false);
  const validChoices = usable.map((r) => `${r.taxType} ${r.name}`);
  const rate = rates.find((r) => r.taxType.toUpperCase() === taxType.toUpperCase());
  const problem = (message: string): PreflightProblem => ({ setting, value: taxType, message, validChoices });
  if (!rate) return problem(`tax type ${taxType} does not exist in the Xero organisation`);
  if (rate.status !== 'ACTIVE') return problem(`tax type ${taxType} (${rate.name}) is ${rate.status}`);
  if (rate.canApplyToRevenue === false)
    return problem(`tax type ${taxType} (${rate.name}) cannot be used on sales (revenue) lines`);
  return undefined;
}

function currencyWarnings(facts: OrganisationFacts, orderCurrencies: readonly string[] | undefined): string[] {
  const enabled = new Set([facts.baseCurrency, ...facts.currencies].map((c) => c.toUpperCase()));
  const list = [...enabled].sort().join(', ');
  if (orderCurrencies === undefined)
    return [`orders must be in a currency enabled in Xero (${list}); the currencies Dataverse uses were not checked`];
  return [...new Set(orderCurrencies.map((c) => c.toUpperCase()))]
    .filter((code) => !enabled.has(code))
    .sort()
    .map(
      (code) =>
        `Dataverse has the active currency ${code}, which is not enabled in Xero (enabled: ${list}): ` +
        `orders in ${code} will fail until it is added in Xero (Settings → Currencies)`
    );
}
