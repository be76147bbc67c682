/**
 * Reads the outcome journal (dynamodb-outcome-journal.ts) back for the status page: the last 24 clock hours in one
 * BatchGetItem, summed into counts, one bar per hour, the newest outcomes and the final failures, each with the
 * record's name and links into Dynamics and Xero.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { xeroDeepLink } from '../../core/dataverse-admin/integration-log-row';
import type { StatusHour, StatusOutcome, StatusSnapshot } from '../../core/status/status-snapshot';
import { batchGetAll } from './dynamodb-batch';
import type { JournalEntry } from './dynamodb-outcome-journal';
import { hourStartOf, journalKeyOf, OUTCOME_JOURNAL_WINDOW_HOURS } from './outcome-journal-keys';

const LISTED = 25;

export interface JournalView extends Pick<StatusSnapshot, 'counts' | 'hourly' | 'recent' | 'failures'> {
  /** Outcomes of the window that were counted but not kept (an hour past its list limit). */
  readonly unlisted: number;
}

interface HourItem {
  readonly pk: string;
  readonly synced?: number;
  readonly failed?: number;
  readonly skipped?: number;
  readonly unlisted?: number;
  readonly entries?: readonly JournalEntry[];
}

/** `dynamicsUrl` for a record: the org's main.aspx record form (absent when the org URL is unknown). */
export type DynamicsLink = (table: string, id: string) => string | undefined;

export async function readOutcomeJournal(
  client: DynamoDBClient,
  tableName: string,
  now: Date,
  dynamicsLink: DynamicsLink = () => undefined
): Promise<JournalView> {
  const current = hourStartOf(now).getTime();
  const hours = Array.from(
    { length: OUTCOME_JOURNAL_WINDOW_HOURS },
    (_, i) => new Date(current - (OUTCOME_JOURNAL_WINDOW_HOURS - 1 - i) * 3_600_000)
  );
  const items = (await batchGetAll(
    DynamoDBDocumentClient.from(client),
    tableName,
    hours.map((h) => ({ pk: journalKeyOf(h) }))
  )) as unknown as HourItem[];
  const byKey = new Map(items.map((item) => [item.pk, item]));
  const hourly: StatusHour[] = hours.map((h) => {
    const item = byKey.get(journalKeyOf(h));
    return { hourStart: h.toISOString(), synced: item?.synced ?? 0, failed: item?.failed ?? 0 };
  });
  const entries = items.flatMap((item) => item.entries ?? []).sort((a, b) => b.at.localeCompare(a.at));
  const outcome = (e: JournalEntry): StatusOutcome => {
    const dynamicsUrl = dynamicsLink(e.t, e.i);
    return {
      table: e.t,
      id: e.i,
      ...(e.n ? { name: e.n } : {}),
      ...(dynamicsUrl ? { dynamicsUrl } : {}),
      ...(e.x ? { xeroId: e.x, xeroUrl: xeroDeepLink(e.t, e.x, e.c) } : {}),
      at: e.at,
      status: e.s,
      message: e.m,
    };
  };
  return {
    counts: {
      synced: sum(items, 'synced'),
      failed: sum(items, 'failed'),
      skipped: sum(items, 'skipped'),
    },
    hourly,
    recent: entries.slice(0, LISTED).map(outcome),
    failures: latestPerRecord(entries)
      .filter((e) => e.s === 'failed' && e.r !== true)
      .slice(0, LISTED)
      .map(outcome),
    unlisted: sum(items, 'unlisted'),
  };
}

/** Each record once, by its newest entry (entries come newest first): a failure later synced is no failure. */
function latestPerRecord(entries: readonly JournalEntry[]): JournalEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.t}:${e.i}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sum(items: readonly HourItem[], field: 'synced' | 'failed' | 'skipped' | 'unlisted'): number {
  return items.reduce((total, item) => total + Number(item[field] ?? 0), 0);
}

/** Dynamics 365's record form for a row: `<org>/main.aspx?pagetype=entityrecord&etn=<table>&id=<id>`. */
export function dynamicsRecordLink(orgUrl: string | undefined): DynamicsLink {
  if (!orgUrl) return () => undefined;
  const base = orgUrl.replace(/\/+$/, '');
  return (table, id) =>
    `${base}/main.aspx?pagetype=entityrecord&etn=${encodeURIComponent(table)}&id=${encodeURIComponent(id)}`;
}
