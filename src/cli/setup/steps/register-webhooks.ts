/**
 * Step 5: the Dataverse service endpoint (HttpHeader authentication, `x-connector-key`) and its steps, pointed at
 * the connector's public URL — the same plan `connector register-webhooks` computes and applies
 * (lambdas/core/dataverse-admin), so only differences are written and a second run changes nothing.
 */
import type { DataverseAdminClient } from '../../../../lambdas/adapters/dataverse/dataverse-admin-client';
import {
  countByOp,
  DEFAULT_ENDPOINT_NAME,
  planWebhookRegistration,
  REDACTED_KEY,
} from '../../../../lambdas/core/dataverse-admin';
import type { MappingSettings } from '../../../../lambdas/core/settings';
import { syncConditionColumns } from '../../../../lambdas/core/sync/sync-condition';
import type { StepReport } from '../setup-target';
import { countsLine } from './plan-counts';

export type WebhookAdmin = Pick<DataverseAdminClient, 'readWebhookState' | 'applyWebhookPlan'>;

export async function registerWebhooksStep(options: {
  readonly admin: WebhookAdmin;
  /** The connector's public https base; Dataverse calls `<base>/webhooks/dataverse`. */
  readonly baseUrl: string;
  /** The stored Dataverse webhook key; absent only in a dry run before the first write. */
  readonly webhookKey: string | undefined;
  readonly mapping: MappingSettings;
  readonly dryRun: boolean;
}): Promise<StepReport> {
  const state = await options.admin.readWebhookState(DEFAULT_ENDPOINT_NAME);
  const plan = planWebhookRegistration(
    {
      baseUrl: options.baseUrl,
      webhookKey: options.webhookKey || REDACTED_KEY,
      endpointName: DEFAULT_ENDPOINT_NAME,
      rewriteKey: false,
      conditionColumns: syncConditionColumns(options.mapping.syncConditions),
    },
    state
  );
  if (plan.problems.length > 0) {
    return { state: 'skipped', lines: [...plan.problems, 'nothing was registered: fix the above and run setup again'] };
  }
  const counts = countByOp(plan);
  const target = `endpoint "${DEFAULT_ENDPOINT_NAME}" → ${options.baseUrl}/webhooks/dataverse`;
  if (counts.create + counts.update + counts.delete === 0) {
    return { state: 'already done', lines: [`${target}: ${counts.unchanged} registrations unchanged`] };
  }
  if (options.dryRun) return { state: 'would do', lines: [`${target}: ${countsLine(counts, true)}`] };
  const result = await options.admin.applyWebhookPlan(plan);
  return { state: 'done', lines: [`${target}: ${countsLine(result.counts, false)}`] };
}
