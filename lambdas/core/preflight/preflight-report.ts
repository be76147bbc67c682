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
  }[];
  readonly warnings: readonly string[];
  readonly error?: string;
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
    })),
    warnings: report.warnings,
    ...(report.error && { error: report.error }),
  };
}
