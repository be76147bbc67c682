import { describeError } from '../errors';
import type { Logger, OutcomeSink, SyncOutcome } from '../ports';

/** Hands each outcome to every sink (local log, metrics, the Dataverse integration log); one failing never stops the others. */
export function fanOutOutcomes(sinks: readonly OutcomeSink[], logger: Logger): OutcomeSink {
  return {
    async record(outcome: SyncOutcome) {
      await Promise.all(
        sinks.map((sink) =>
          sink
            .record(outcome)
            .catch((error) =>
              logger.warn('outcome sink failed', { table: outcome.table, id: outcome.id, error: describeError(error) })
            )
        )
      );
    },
  };
}
