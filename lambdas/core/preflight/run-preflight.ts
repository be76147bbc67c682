/**
 * Preflight against the connected Xero organisation: are the mapping settings usable there?
 *
 * 1. Read /Organisation (base currency, time zone, ShortCode), /Accounts, /TaxRates and /Currencies (4 calls).
 * 2. Optionally read which currencies Dataverse orders may use (its active transaction currencies).
 * 3. Validate the mapping settings (validate-mapping.ts): each broken setting names the setting and the valid choices;
 *    tracking categories and branding themes too, when configured (check-tracking-branding.ts: more reads, and
 *    the creation of missing tracking options behind tracking.createMissingOptions).
 * 4. Store the report (also when Xero could not be read: then `error` says why) and return it.
 *
 * When it runs: after each consent (a new connection) and otherwise once a day (preflightDue).
 */
import { describeError } from '../errors';
import type { Clock, Logger } from '../ports';
import type { MappingSettings } from '../settings';
import type { CheckpointStore } from '../writeback/ports';
import type { XeroOrganisationReader } from './ports';
import { loadPreflightReport, savePreflightReport, type PreflightReport } from './preflight-report';
import { validateMapping } from './validate-mapping';
import { checkTrackingAndBranding } from './check-tracking-branding';

export const PREFLIGHT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** A preflight that could not reach Xero is tried again sooner. */
export const PREFLIGHT_RETRY_MS = 15 * 60 * 1000;

export interface PreflightDeps {
  readonly xero: XeroOrganisationReader;
  readonly settings: MappingSettings;
  readonly reports: CheckpointStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** ISO codes of Dataverse's active transaction currencies, when they can be read. */
  readonly orderCurrencies?: () => Promise<readonly string[]>;
}

export function createPreflight(deps: PreflightDeps) {
  return async function preflight(tenantId?: string): Promise<PreflightReport> {
    const checkedAt = deps.clock.now().toISOString();
    let report: PreflightReport;
    try {
      const organisation = await deps.xero.getOrganisation();
      const accounts = await deps.xero.listAccounts();
      const taxRates = await deps.xero.listTaxRates();
      const currencies = await deps.xero.listCurrencies();
      const orderCurrencies = await readOrderCurrencies(deps);
      const check = validateMapping(
        deps.settings,
        { baseCurrency: organisation.baseCurrency, accounts, taxRates, currencies },
        orderCurrencies
      );
      const extra = await checkTrackingAndBranding(deps.xero, deps.settings, tenantId ?? organisation.organisationId);
      check.problems.push(...extra.problems);
      check.warnings.push(...extra.warnings);
      report = {
        checkedAt,
        tenantId: tenantId ?? organisation.organisationId,
        organisation,
        ok: check.problems.length === 0,
        problems: check.problems,
        warnings: check.warnings,
      };
      if (!report.ok)
        deps.logger.warn('preflight found mapping settings Xero cannot honour', {
          settings: check.problems.map((p) => p.setting),
        });
    } catch (error) {
      report = { checkedAt, tenantId, ok: false, problems: [], warnings: [], error: describeError(error) };
      deps.logger.warn('preflight could not read the Xero organisation', { error: report.error });
    }
    await savePreflightReport(deps.reports, report);
    return report;
  };
}

async function readOrderCurrencies(deps: PreflightDeps): Promise<readonly string[] | undefined> {
  if (!deps.orderCurrencies) return undefined;
  try {
    return await deps.orderCurrencies();
  } catch (error) {
    deps.logger.warn('preflight could not read the Dataverse currencies', { error: describeError(error) });
    return undefined;
  }
}

/** Run when there is no report, the connection changed (a new consent), or the last one is old (or failed). */
export function preflightDue(last: PreflightReport | undefined, tenantId: string | undefined, now: Date): boolean {
  if (!last) return true;
  if (tenantId !== undefined && last.tenantId !== tenantId) return true;
  const age = now.getTime() - Date.parse(last.checkedAt);
  return age >= (last.error ? PREFLIGHT_RETRY_MS : PREFLIGHT_MAX_AGE_MS);
}

/** The preflight when due; the stored report otherwise. */
export async function preflightIfDue(
  preflight: (tenantId?: string) => Promise<PreflightReport>,
  reports: CheckpointStore,
  tenantId: string | undefined,
  now: Date
): Promise<PreflightReport> {
  const last = await loadPreflightReport(reports);
  if (last && !preflightDue(last, tenantId, now)) return last;
  return preflight(tenantId);
}
