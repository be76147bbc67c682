/**
 * Links from a status row into the two systems: the Dataverse record in Dynamics 365 and the document it became
 * in Xero. Both runtimes build their snapshot rows through `statusRecordOf`, so the page links alike everywhere.
 */
import type { SyncedTable } from '../model/change-event';
import { xeroDeepLink } from '../dataverse-admin/integration-log-row';
import type { StatusRecord } from './status-snapshot';

/**
 * Opens a record in the Dynamics 365 web client: `main.aspx?pagetype=entityrecord&etn=<table>&id=<id>` on the
 * organisation URL (learn.microsoft.com/power-apps/developer/model-driven-apps/open-forms-views-dialogs-reports-url).
 */
export function dynamicsRecordUrl(orgUrl: string, table: SyncedTable, id: string): string {
  const base = orgUrl.replace(/\/+$/, '');
  return `${base}/main.aspx?pagetype=entityrecord&etn=${encodeURIComponent(table)}&id=${encodeURIComponent(id)}`;
}

export interface RecordFacts {
  readonly table: SyncedTable;
  readonly id: string;
  readonly name?: string;
  readonly xeroId?: string;
  readonly xeroShortCode?: string;
}

export interface RecordLinkOptions {
  /** The Dataverse organisation URL (https://org.crm.dynamics.com); without it there is no Dynamics link. */
  readonly dataverseUrl?: string;
  /** Used when the row itself carries no ShortCode (e.g. the preflight's organisation). */
  readonly xeroShortCode?: string;
}

export function statusRecordOf(facts: RecordFacts, options: RecordLinkOptions = {}): StatusRecord {
  const shortCode = facts.xeroShortCode ?? options.xeroShortCode;
  return {
    table: facts.table,
    id: facts.id,
    ...(facts.name ? { name: facts.name } : {}),
    ...(options.dataverseUrl ? { dynamicsUrl: dynamicsRecordUrl(options.dataverseUrl, facts.table, facts.id) } : {}),
    ...(facts.xeroId ? { xeroUrl: xeroDeepLink(facts.table, facts.xeroId, shortCode) } : {}),
  };
}
