/**
 * The catch-up sweep's and the Xero preflight's latest reports, as the local runtime reads them for /status. The
 * status page draws them with lambdas/core/status/status-checks-html.ts on both runtimes.
 */
import type { PreflightReport } from '../../lambdas/core/preflight/preflight-report';
import type { SweepReport } from '../../lambdas/core/sweep/sweep-report';

export { preflightStatusOf, type PreflightStatus } from '../../lambdas/core/preflight/preflight-report';
export { sweepStatusOf, type SweepStatus } from '../../lambdas/core/sweep/sweep-report';

export interface StatusChecks {
  readonly sweepIntervalSeconds?: number;
  readonly sweep?: SweepReport;
  readonly preflight?: PreflightReport;
}
