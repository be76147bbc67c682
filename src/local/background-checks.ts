/**
 * The local runtime's timers for the catch-up sweep (every DATAVERSE_SWEEP_INTERVAL_SECONDS) and the Xero
 * preflight (checked every 10 seconds, a local read: it runs after a new consent and then daily, see core/preflight). A run never
 * overlaps the previous one of its kind; failures are logged, never thrown.
 */
import { describeError } from '../../lambdas/core/errors';
import type { Clock, Logger } from '../../lambdas/core/ports';
import { usableTenantIds } from '../../lambdas/core/connection/organisations';
import type { ConnectionStatus } from '../../lambdas/core/connection/types';
import { preflightIfDue, type Preflight } from '../../lambdas/core/preflight/run-preflight';
import type { SweepReport } from '../../lambdas/core/sweep/sweep-report';
import type { CheckpointStore } from '../../lambdas/core/writeback/ports';

export interface BackgroundCheckOptions {
  readonly sweep: () => Promise<SweepReport>;
  /** 0 = no sweep. */
  readonly sweepEveryMs: number;
  readonly preflight: Preflight;
  readonly reports: CheckpointStore;
  /** The Xero connection now: preflight only runs while one is connected, for each usable chosen organisation. */
  readonly connection: () => Promise<Pick<ConnectionStatus, 'state' | 'tenantId' | 'organisations'>>;
  readonly preflightCheckEveryMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface BackgroundChecks {
  stop(): void;
}

export function startBackgroundChecks(options: BackgroundCheckOptions): BackgroundChecks {
  const { logger } = options;
  const sweepTimer =
    options.sweepEveryMs > 0
      ? every(
          options.sweepEveryMs,
          async () => {
            const report = await options.sweep();
            if (report.missed > 0) logger.warn('sweep queued changes no webhook delivered', { missed: report.missed });
          },
          (error) => logger.warn('sweep failed', { error: describeError(error) })
        )
      : undefined;
  const preflightTimer = every(
    options.preflightCheckEveryMs ?? 10_000,
    async () => {
      const connection = await options.connection();
      if (connection.state !== 'connected') return;
      const targets = {
        ...(connection.tenantId ? { defaultTenantId: connection.tenantId } : {}),
        tenantIds: usableTenantIds(connection),
        ...(connection.organisations ? { chosen: connection.organisations } : {}),
      };
      await preflightIfDue(options.preflight, options.reports, targets, options.clock.now());
    },
    (error) => logger.warn('preflight check failed', { error: describeError(error) })
  );
  return {
    stop() {
      if (sweepTimer) clearInterval(sweepTimer);
      clearInterval(preflightTimer);
    },
  };
}

/** An unref'd interval whose runs never overlap. */
function every(ms: number, run: () => Promise<void>, onError: (error: unknown) => void): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    run()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return timer;
}
