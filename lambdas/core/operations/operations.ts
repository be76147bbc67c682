/**
 * Operator actions that run inside the deployment (on AWS: the operations Lambda, invoked by `connector preview
 * --aws` and `connector backfill --aws`). The request travels as the invoke payload; every answer, including a
 * refusal, comes back as data so the CLI can print it instead of a stack trace.
 */
import * as z from 'zod';
import { describeError } from '../errors';
import { SYNCED_TABLES, type ChangeEvent, type SyncedTable } from '../model/change-event';
import type { Clock } from '../ports';
import type { ChangePlan } from '../sync/plan-change';
import {
  backfillRunId,
  estimateBackfill,
  type BackfillEstimate,
  type BackfillRequest,
  type createBackfill,
} from '../backfill/backfill';

export type OperationRequest =
  | { readonly action: 'preview'; readonly table: SyncedTable; readonly id: string }
  | {
      readonly action: 'backfill';
      readonly tables: readonly SyncedTable[];
      readonly since?: string;
      readonly dryRun?: boolean;
    };

export interface TableProgress {
  readonly listed: number;
  readonly queued: number;
}

export type OperationAnswer =
  | { readonly writes: ChangePlan['writes']; readonly forward: ChangePlan['forward']; readonly skipped?: string }
  | { readonly dryRun: true; readonly runId: string; readonly estimate: BackfillEstimate }
  | {
      readonly state: 'partial' | 'done';
      readonly runId: string;
      readonly progress: Readonly<Partial<Record<SyncedTable, TableProgress>>>;
    }
  | { readonly error: 'bad_request' | 'cannot_map' | 'not_found' | 'backfill_failed'; readonly message: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const requestSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('preview'),
    table: z.enum(SYNCED_TABLES),
    id: z.string().regex(GUID, 'id must be a Dataverse record GUID'),
  }),
  z.object({
    action: z.literal('backfill'),
    tables: z.array(z.enum(SYNCED_TABLES)).min(1),
    since: z
      .string()
      .refine((value) => !Number.isNaN(Date.parse(value)), 'since must be an ISO 8601 date')
      .optional(),
    dryRun: z.boolean().optional(),
  }),
]);

/** The request, or the reason it is refused (short, safe to print: it never echoes the payload). */
export function parseOperationRequest(input: unknown): OperationRequest | { error: 'bad_request'; message: string } {
  const parsed = requestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`);
    return { error: 'bad_request', message: issues.join('; ').slice(0, 500) };
  }
  return parsed.data;
}

export interface OperationDeps {
  readonly planChange: (event: ChangeEvent) => Promise<ChangePlan>;
  readonly backfill: ReturnType<typeof createBackfill>;
  /** Xero calls per day the estimate plans against. */
  readonly dayBudget: number;
  readonly clock: Clock;
}

export function createOperations(deps: OperationDeps) {
  /** What Xero would receive for one record; reads Dataverse and sync state, writes nothing. */
  async function preview(table: SyncedTable, id: string): Promise<OperationAnswer> {
    const now = deps.clock.now().toISOString();
    const event: ChangeEvent = {
      table,
      id: id.toLowerCase(),
      message: 'Update',
      occurredAt: now,
      dedupeId: `preview:${table}:${id.toLowerCase()}:${now}`,
      source: 'manual',
    };
    try {
      const plan = await deps.planChange(event);
      if (plan.missing) return { error: 'not_found', message: plan.missing };
      return { writes: plan.writes, forward: plan.forward, ...(plan.skipped ? { skipped: plan.skipped } : {}) };
    } catch (error) {
      return { error: 'cannot_map', message: describeError(error) };
    }
  }

  /**
   * Estimate, or queue as much as fits before `shouldStop` says time is short. Calling again with the same request
   * resumes: the ledger skips what an earlier call queued, so the caller loops until `done`.
   */
  async function backfill(
    request: Extract<OperationRequest, { action: 'backfill' }>,
    shouldStop: () => boolean
  ): Promise<OperationAnswer> {
    const window: BackfillRequest = {
      tables: request.tables,
      ...(request.since ? { since: new Date(request.since).toISOString() } : {}),
    };
    const runId = backfillRunId(window);
    try {
      if (request.dryRun) {
        return { dryRun: true, runId, estimate: estimateBackfill(await deps.backfill.count(window), deps.dayBudget) };
      }
      const result = await deps.backfill.run(window, undefined, { shouldStop });
      const progress: Partial<Record<SyncedTable, TableProgress>> = {};
      for (const t of result.tables) progress[t.table] = { listed: t.listed, queued: t.queued };
      return { state: result.complete ? 'done' : 'partial', runId, progress };
    } catch (error) {
      return { error: 'backfill_failed', message: describeError(error) };
    }
  }

  return {
    run(request: OperationRequest, shouldStop: () => boolean): Promise<OperationAnswer> {
      return request.action === 'preview' ? preview(request.table, request.id) : backfill(request, shouldStop);
    },
  };
}
