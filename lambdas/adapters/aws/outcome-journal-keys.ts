/**
 * The outcome journal's keys in the sync-state table, kept free of SDK imports so the CDK app can scope grants to
 * them: one item per clock hour (UTC), `journal#2026-12-08T03`, holding that hour's counts and its outcomes.
 */
/** Partition-key prefix of journal items. */
export const OUTCOME_JOURNAL_KEY_PREFIX = 'journal#';
/** How long an hour's item stays (the table's TTL removes it afterwards): the page shows the last 24 hours. */
export const OUTCOME_JOURNAL_TTL_HOURS = 48;
/** The hours the status page reads, the current one included. */
export const OUTCOME_JOURNAL_WINDOW_HOURS = 24;

/** The first instant of `at`'s clock hour (UTC). */
export function hourStartOf(at: Date): Date {
  const start = new Date(at.getTime());
  start.setUTCMinutes(0, 0, 0);
  return start;
}

/** `journal#YYYY-MM-DDTHH` for the clock hour holding `at`. */
export function journalKeyOf(at: Date): string {
  return `${OUTCOME_JOURNAL_KEY_PREFIX}${hourStartOf(at).toISOString().slice(0, 13)}`;
}
