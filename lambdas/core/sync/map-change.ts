import { ConnectorError, describeError, dispositionOf } from '../errors';
import type { ChangeEvent } from '../model/change-event';
import type { WorkResult } from '../model/xero-write';
import type { ChangeQueue, Logger, OutcomeSink, WriteQueue } from '../ports';
import { createPlanChange, type PlanDeps } from './plan-change';
import { workResultOf } from '../work/work-result';

export interface MapChangeDeps extends PlanDeps {
  readonly writes: WriteQueue;
  readonly changes: ChangeQueue;
  readonly outcomes: OutcomeSink;
  readonly logger: Logger;
}

/**
 * Map stage: plan one change, hand its writes to the post stage and its forwarded changes back to the changes queue.
 * Failures to read or map are classified: transient → retry, permanent → dead letter with an outcome.
 */
export function createMapChange(deps: MapChangeDeps) {
  const planChange = createPlanChange(deps);
  return async function mapChange(event: ChangeEvent): Promise<WorkResult> {
    try {
      const plan = await planChange(event);
      if (plan.writes.length > 0) await deps.writes.enqueue(plan.writes);
      if (plan.forward.length > 0) await deps.changes.enqueue(plan.forward);
      if (plan.parentAccountId) await rememberParent(event, plan.parentAccountId);
      if (plan.skipped) await record(event, 'skipped', plan.skipped);
      return { status: 'done' };
    } catch (error) {
      const disposition = dispositionOf(error);
      const message = describeError(error);
      await record(
        event,
        'failed',
        message,
        error instanceof ConnectorError ? error.code : 'UNEXPECTED',
        disposition !== 'permanent'
      );
      deps.logger.warn('change not mapped', { table: event.table, id: event.id, disposition, error: message });
      return workResultOf(error);
    }
  };

  /** The contact lives on its account's Xero contact: its Xero key is the account's ContactNumber. */
  async function rememberParent(event: ChangeEvent, accountId: string) {
    const previous = await deps.state.get(event.table, event.id);
    if (previous?.xeroKey === accountId) return;
    await deps.state.put({
      table: event.table,
      id: event.id,
      xeroKey: accountId,
      status: 'skipped',
      message: `contact person of account ${accountId}`,
      updatedAt: event.occurredAt,
    });
  }

  async function record(
    event: ChangeEvent,
    status: 'skipped' | 'failed',
    message: string,
    errorCode?: string,
    willRetry?: boolean
  ) {
    try {
      await deps.outcomes.record({
        table: event.table,
        id: event.id,
        event: event.message,
        correlationId: event.correlationId,
        status,
        message,
        errorCode,
        willRetry,
      });
    } catch (error) {
      deps.logger.warn('outcome not recorded', { table: event.table, id: event.id, error: describeError(error) });
    }
  }
}
