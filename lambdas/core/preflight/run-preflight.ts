/**
 * Preflight against the connected Xero organisations: are the mapping settings usable in each of them?
 *
 * 1. Optionally read which currencies Dataverse orders may use (its active transaction currencies).
 * 2. For every usable chosen organisation (the default first), with that organisation's own reader, check the
 *    account codes, tax types, currencies, tracking categories and options, and its branding themes
 *    (check-organisation.ts). One organisation that cannot be read gets its own `error`; the others still report.
 * 3. Check that routing names only chosen organisations (validate-routing-tenants.ts).
 * 4. Store the report (also when no organisation could be read: then `error` says why) and return it.
 *
 * Called with a tenant id (or nothing) it checks the one organisation as before several organisations existed.
 * When it runs: after each consent (a new connection or a new set of organisations) and otherwise once a day.
 */
import { describeError } from '../errors';
import type { Clock, Logger } from '../ports';
import type { MappingSettings } from '../settings';
import type { CheckpointStore } from '../writeback/ports';
import { checkOrganisation } from './check-organisation';
import type { XeroOrganisationReader } from './ports';
import {
  loadPreflightReport,
  savePreflightReport,
  type OrganisationPreflight,
  type PreflightReport,
} from './preflight-report';
import { validateRoutingTenants, type ChosenOrganisation } from './validate-routing-tenants';

export const PREFLIGHT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** A preflight that could not reach Xero is tried again sooner. */
export const PREFLIGHT_RETRY_MS = 15 * 60 * 1000;

export interface PreflightDeps {
  /** The default organisation's reader (the only one without several organisations). */
  readonly xero: XeroOrganisationReader;
  /** A reader with one organisation's access (accessForTenant) and budget; without it only `xero` is read. */
  readonly xeroFor?: (tenantId: string) => XeroOrganisationReader;
  readonly settings: MappingSettings;
  readonly reports: CheckpointStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** ISO codes of Dataverse's active transaction currencies, when they can be read. */
  readonly orderCurrencies?: () => Promise<readonly string[]>;
}

/** Which organisations to check: the token service's usable ones, and every chosen one (for the routing check). */
export interface PreflightTargets {
  readonly defaultTenantId?: string;
  /** Connected and not paused, the default first. */
  readonly tenantIds: readonly string[];
  /** Every chosen organisation, paused ones too; absent: the usable ones. */
  readonly chosen?: readonly ChosenOrganisation[];
}

export type Preflight = (target?: string | PreflightTargets) => Promise<PreflightReport>;

export function createPreflight(deps: PreflightDeps): Preflight {
  return async function preflight(target) {
    const checkedAt = deps.clock.now().toISOString();
    const orderCurrencies = await readOrderCurrencies(deps);
    const report =
      typeof target === 'object'
        ? await severalOrganisations(deps, target, checkedAt, orderCurrencies)
        : oneOrganisation(
            await checkOrganisation({ xero: deps.xero, settings: deps.settings, orderCurrencies, tagProblems: false }),
            target,
            checkedAt
          );
    if (report.error) deps.logger.warn('preflight could not read the Xero organisation', { error: report.error });
    else if (!report.ok)
      deps.logger.warn('preflight found mapping settings Xero cannot honour', {
        settings: report.problems.map((p) => p.setting),
      });
    await savePreflightReport(deps.reports, report);
    return report;
  };
}

/** The report's shape before several organisations: kept for one-organisation callers and old readers. */
function oneOrganisation(org: OrganisationPreflight, tenantId: string | undefined, checkedAt: string): PreflightReport {
  if (org.error) return { checkedAt, tenantId, ok: false, problems: [], warnings: [], error: org.error };
  return {
    checkedAt,
    tenantId: tenantId ?? org.tenantId,
    organisation: org.organisation,
    ok: org.ok,
    problems: org.problems,
    warnings: org.warnings,
  };
}

async function severalOrganisations(
  deps: PreflightDeps,
  targets: PreflightTargets,
  checkedAt: string,
  orderCurrencies: readonly string[] | undefined
): Promise<PreflightReport> {
  const chosen: readonly ChosenOrganisation[] = targets.chosen ?? targets.tenantIds.map((tenantId) => ({ tenantId }));
  const organisations: OrganisationPreflight[] = [];
  for (const tenantId of targets.tenantIds) {
    const xero = deps.xeroFor ? deps.xeroFor(tenantId) : deps.xero;
    const tenantName = chosen.find((c) => c.tenantId === tenantId)?.tenantName;
    organisations.push(
      await checkOrganisation({
        xero,
        settings: deps.settings,
        tenantId,
        tenantName,
        orderCurrencies,
        tagProblems: true,
      })
    );
  }
  const routing = validateRoutingTenants(deps.settings.routing, chosen);
  const problems = [...routing.problems, ...organisations.flatMap((o) => o.problems)];
  const several = organisations.length > 1;
  const warnings = [
    ...routing.warnings,
    ...organisations.flatMap((o) => o.warnings.map((w) => (several ? `${o.name ?? o.tenantId}: ${w}` : w))),
  ];
  const failed = organisations.filter((o) => o.error);
  const defaultOrg = organisations.find((o) => o.tenantId === targets.defaultTenantId) ?? organisations[0];
  const error =
    organisations.length === 0
      ? 'no Xero organisation is connected'
      : failed.length === organisations.length
        ? failed.map((o) => (several ? `${o.name ?? o.tenantId}: ${o.error}` : o.error)).join('; ')
        : undefined;
  return {
    checkedAt,
    tenantId: targets.defaultTenantId ?? defaultOrg?.tenantId,
    ...(defaultOrg?.organisation && { organisation: defaultOrg.organisation }),
    ok: problems.length === 0 && failed.length === 0 && organisations.length > 0,
    problems,
    warnings,
    ...(error && { error }),
    organisations,
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

/** The organisations a report checked (an old report: its one tenant). */
function checkedTenants(report: PreflightReport): string[] {
  const ids = report.organisations?.map((o) => o.tenantId) ?? (report.tenantId ? [report.tenantId] : []);
  return ids.map((id) => id.toLowerCase()).sort();
}

/**
 * Run when there is no report, the connection changed (a new consent, another set of organisations), or the last
 * one is old (or failed, for any organisation).
 */
export function preflightDue(
  last: PreflightReport | undefined,
  target: string | PreflightTargets | undefined,
  now: Date
): boolean {
  if (!last) return true;
  if (typeof target === 'string' && last.tenantId !== target) return true;
  if (typeof target === 'object') {
    const wanted = target.tenantIds.map((id) => id.toLowerCase()).sort();
    if (wanted.join(',') !== checkedTenants(last).join(',')) return true;
  }
  const failed = last.error !== undefined || (last.organisations ?? []).some((o) => o.error !== undefined);
  const age = now.getTime() - Date.parse(last.checkedAt);
  return age >= (failed ? PREFLIGHT_RETRY_MS : PREFLIGHT_MAX_AGE_MS);
}

/** The preflight when due; the stored report otherwise. */
export async function preflightIfDue(
  preflight: Preflight,
  reports: CheckpointStore,
  target: string | PreflightTargets | undefined,
  now: Date
): Promise<PreflightReport> {
  const last = await loadPreflightReport(reports);
  if (last && !preflightDue(last, target, now)) return last;
  return preflight(target);
}
