import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger, OutcomeSink, SyncOutcome } from '../../core/ports';

/**
 * Outcomes as a log line (ids and message, never the payload) and metrics: SyncSucceeded, SyncSkipped and
 * SyncFailed (the alarm on failed syncs watches the last, counting only failures that will not be retried).
 */
export class MetricsOutcomeSink implements OutcomeSink {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger
  ) {}

  async record(outcome: SyncOutcome): Promise<void> {
    try {
      const fields = {
        table: outcome.table,
        id: outcome.id,
        status: outcome.status,
        correlationId: outcome.correlationId,
        errorCode: outcome.errorCode,
        xeroId: outcome.xeroId,
        // The Xero organisation, when routing chose one (CloudWatch Logs Insights can filter by it).
        ...(outcome.tenantId !== undefined && { tenantId: outcome.tenantId }),
      };
      if (outcome.status === 'failed') {
        this.logger.warn(`sync failed: ${outcome.message}`, { ...fields, willRetry: outcome.willRetry });
        this.metrics.addMetric(outcome.willRetry ? 'SyncRetried' : 'SyncFailed', MetricUnit.Count, 1);
      } else {
        this.logger.info(`sync ${outcome.status}: ${outcome.message}`, fields);
        this.metrics.addMetric(outcome.status === 'synced' ? 'SyncSucceeded' : 'SyncSkipped', MetricUnit.Count, 1);
      }
    } catch {
      // Never let logging fail a sync.
    }
  }
}
