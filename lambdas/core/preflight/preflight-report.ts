/** The preflight's result, kept for the status page, `connector status` and the AWS /status answer. */
import type { CheckpointStore } from '../writeback/ports';
import type { XeroOrganisationProfile } from './ports';

/** A mapping setting the connected organisation cannot honour: named, with what it may be set to instead. */
export interface PreflightProblem {
  /** The mapping setting, e.g. `salesAccountCode`. */
  readonly setting: string;
  readonly value: string;
  readonly message: string;
  /** What the setting may be set to in this organisation (code and name). */
  readonly validChoices: readonly string[];
  /** The organisation whose check found it (several organisations); absent for settings of the whole connector. */
  readonly tenantId?: string;
  readonly organisationName?: string;
}

/** One chosen organisation's part of the report: each is checked with its own Xero access, one failing alone. */
export interface OrganisationPreflight {
  readonly tenantId: string;
  /** The organisation's name: Xero's once read, else the name the connection knows. */
  readonly name?: string;
  readonly organisation?: XeroOrganisationProfile;
  readonly ok: boolean;
  readonly problems: readonly PreflightProblem[];
  readonly warnings: readonly string[];
  /** Why this organisation could not be checked; the others' results stand. */
  readonly error?: string;
}

export interface PreflightReport {
  readonly checkedAt: string;
  /** The Xero connection checked (tenant id); a different one makes the report stale. */
  readonly tenantId?: string;
  readonly organisation?: XeroOrganisationProfile;
  /** True when every setting checked out (warnings aside). */
  readonly ok: boolean;
  readonly problems: readonly PreflightProblem[];
  readonly warnings: readonly string[];
  /** Why the check could not run (not connected, Xero unavailable); `ok` is false then. */
  readonly error?: string;
  /**
   * Every usable chosen organisation, the default first (absent in reports stored before several organisations:
   * those read as their one organisation). The top-level `problems` then hold every organisation's problems, each
   * naming its organisation, plus the connector-wide ones (routing naming an organisation that is not chosen).
   */
  readonly organisations?: readonly OrganisationPreflight[];
}

export const PREFLIGHT_REPORT = 'xero-preflight:last-run';

export async function loadPreflightReport(store: CheckpointStore): Promise<PreflightReport | undefined> {
  const raw = await store.load(PREFLIGHT_REPORT);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PreflightReport;
  } catch {
    return undefined;
  }
}

export async function savePreflightReport(store: CheckpointStore, report: PreflightReport): Promise<void> {
  await store.save(PREFLIGHT_REPORT, JSON.stringify(report));
}

export interface PreflightStatus {
  readonly checkedAt: string;
  readonly ok: boolean;
  readonly organisation?: {
    readonly name: string;
    readonly baseCurrency: string;
    readonly timezone?: string;
    readonly shortCode?: string;
  };
  readonly problems: readonly {
    readonly setting: string;
    readonly value: string;
    readonly problem: string;
    readonly validChoices: string;
    /** The organisation's name (or tenant id) when the problem is one organisation's. */
    readonly organisation?: string;
  }[];
  readonly warnings: readonly string[];
  readonly error?: string;
  /** One line per checked organisation, when the report has them (several organisations). */
  readonly organisations?: readonly {
    readonly tenantId: string;
    readonly name: string;
    readonly ok: boolean;
    readonly baseCurrency?: string;
    readonly problems: number;
    readonly warnings: readonly string[];
    readonly error?: string;
  }[];
}

/** The preflight result for /status (local and AWS): each problem names the setting and the valid choices. */
export function preflightStatusOf(report: PreflightReport | undefined): PreflightStatus | undefined {
  if (!report) return undefined;
  const org = report.organisation;
  return {
    checkedAt: report.checkedAt,
    ok: report.ok,
    ...(org && {
      organisation: {
        name: org.name,
        baseCurrency: org.baseCurrency,
        timezone: org.timezone,
        shortCode: org.shortCode,
      },
    }),
    problems: report.problems.map((p) => ({
      setting: p.setting,
      value: p.value,
      problem: p.message,
      validChoices: p.validChoices.join(', ') || '(none in this organisation)',
      ...((p.organisationName ?? p.tenantId) && { organisation: p.organisationName ?? p.tenantId }),
    })),
    warnings: report.warnings,
    ...(report.error && { error: report.error }),
    ...(report.organisations && { organisations: report.organisations.map(organisationStatusOf) }),
  };
}

function organisationStatusOf(o: OrganisationPreflight): NonNullable<PreflightStatus['organisations']>[number] {
  return {
    tenantId: o.tenantId,
    name: o.organisation?.name ?? o.name ?? o.tenantId,
    ok: o.ok,
    ...(o.organisation && { baseCurrency: o.organisation.baseCurrency }),
    problems: o.problems.length,
    warnings: o.warnings,
    ...(o.error && { error: o.error }),
  };
}
