/**
 * The sweep's rule for one found change. Nothing is to be done when the connector has seen the record at that
 * modifiedon or later: it synced that version (sync state `version`), accepted a webhook for it (or queued it in an
 * earlier sweep), or wrote to the record itself afterwards (`own`: the sync status and Xero columns it writes back
 * bump modifiedon without firing the Update step, whose filter lists only mapped columns; treating them as unseen
 * would re-sync every record after every sync, forever). Otherwise the change is queued and counted as missed.
 *
 * The price of `own`: a user's edit made between the connector's read of a record and its write-back, whose own
 * webhook was also lost, is hidden until the record changes again. Both have to happen within seconds.
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
  if (covers(syncedVersion) || covers(seen.delivered) || covers(seen.own)) return { queue: false, missed: false };
  return { queue: true, missed: true };
}
