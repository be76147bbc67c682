/**
 * The sweep's rule for one found change. A change is "handled" when the connector already synced that record at
 * that modifiedon or later (sync state `version`) or accepted a webhook (or queued it in an earlier sweep) at that
 * instant or later: then there is nothing to queue. Otherwise it is queued. It counts as *missed* (no webhook ever
 * delivered it) unless the only later sighting is the connector's own change: that webhook is ignored on purpose, so
 * the record is queued again to be safe (a user's change hidden behind it must not be lost) but is no alarm.
 */
import type { RecordSightings } from './ports';

export interface Judgement {
  readonly queue: boolean;
  readonly missed: boolean;
}

export function judgeFoundChange(
  modifiedon: string,
  syncedVersion: string | undefined,
  seen: RecordSightings
): Judgement {
  const changedAt = Date.parse(modifiedon);
  const covers = (instant: string | undefined) => instant !== undefined && Date.parse(instant) >= changedAt;
  if (covers(syncedVersion) || covers(seen.delivered)) return { queue: false, missed: false };
  return { queue: true, missed: !covers(seen.own) };
}
