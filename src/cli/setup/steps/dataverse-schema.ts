/**
 * Step 6: what `connector setup-dataverse` creates — the integration-log table and the optional Xero columns on the
 * synced tables — with its defaults (publisher prefix, all four tables); only what is missing is created.
 */
import type { DataverseAdminClient } from '../../../../lambdas/adapters/dataverse/dataverse-admin-client';
import { countByOp, planIntegrationSchema } from '../../../../lambdas/core/dataverse-admin';
import type { StepReport } from '../setup-target';
import { countsLine } from './plan-counts';

export type SchemaAdmin = Pick<DataverseAdminClient, 'readSchemaState' | 'applySchemaPlan'>;

export async function dataverseSchemaStep(admin: SchemaAdmin, dryRun: boolean): Promise<StepReport> {
  const settings = {};
  const plan = planIntegrationSchema(settings, await admin.readSchemaState(settings));
  if (plan.problems.length > 0) {
    return { state: 'skipped', lines: [...plan.problems, 'nothing was created: fix the above and run setup again'] };
  }
  const counts = countByOp(plan);
  const where = `integration log ${plan.names.entitySet} and Xero columns`;
  if (counts.create + counts.update + counts.delete === 0) {
    return { state: 'already done', lines: [`${where}: ${counts.unchanged} unchanged`] };
  }
  if (dryRun) return { state: 'would do', lines: [`${where}: ${countsLine(counts, true)}`] };
  const result = await admin.applySchemaPlan(plan);
  return {
    state: 'done',
    lines: [
      `${where}: ${countsLine(result.counts, false)}`,
      'add the new columns to forms in the maker portal when you like',
    ],
  };
}
