/**
 * Xero-events queue → invoice status and payments written back to the originating sales order in Dataverse. Thin:
 * the Xero-events runner (core/work) applies one event at a time; SqsWorkQueue settles (a transient failure comes
 * back, a permanent one or a malformed event goes to the dead-letter queue with its reason, a paused connection
 * keeps the event queued). The invoice-poll schedule invokes the same function with a PollCommand.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DataverseOrderWritebackWriter } from '../adapters/dataverse/order-writeback-writer';
import { runSqsWork, type SqsWorkDeps } from '../adapters/aws/sqs-work-queue';
import { XeroAccountingInvoiceReader } from '../adapters/xero/xero-invoice-reader';
import { xeroEventsRunner } from '../core/work/work-runners';
import { createApplyXeroInvoiceEvents } from '../core/writeback/apply-xero-invoice-events';
import { writebackColumnsFromJson } from '../core/writeback/columns';
import { clock, dynamo, sqs } from './shared/aws-clients';
import { envFor } from './shared/env';
import { dataverseTokenSource } from './shared/dataverse-deps';
import { withXeroDeadline, xeroAccess, xeroLimiter } from './shared/xero-deps';
import { loggerPort } from './shared/powertools';
import { syncState } from './shared/sync-deps';
import { runInvoicePollPerOrganisation } from '../core/writeback/poll-invoices';
import { pinnedTenants } from '../core/connection/config';
import { accessForTenant, perTenant } from '../core/routing/tenant-access';
import { tokenServiceClient } from './shared/token-deps';
import { DynamoDbCheckpointStore } from '../adapters/aws/dynamodb-checkpoint-store';
import { flushingOwnWriteNotes, ownWriteNotes } from './shared/own-write-notes';
import { noteOwnOrderWrites } from '../core/sweep/own-writes';
import { DataverseSweepFinder } from '../adapters/dataverse/dataverse-sweep-finder';

type Apply = ReturnType<typeof createApplyXeroInvoiceEvents>;

/** The schedule's payload for orgs without Xero webhooks: poll invoices changed since the checkpoint. */
export interface PollCommand {
  readonly action: 'poll-invoices';
}

export interface WritebackHandlerDeps extends SqsWorkDeps {
  readonly apply: Apply;
}

export function createHandler(
  getDeps: () => Promise<WritebackHandlerDeps>,
  getPoll: () => Promise<() => Promise<string>> = async () => async () => ''
) {
  return async (event: SQSEvent | PollCommand): Promise<SQSBatchResponse | { checkpoint: string }> => {
    if ('action' in event && event.action === 'poll-invoices') return { checkpoint: await (await getPoll())() };
    const deps = await getDeps();
    return runSqsWork(event as SQSEvent, xeroEventsRunner(deps.apply, deps.logger), deps);
  };
}

const env = envFor('xeroWriteback');
async function writebackDeps() {
  const dataverse = {
    serverUrl: env.require('DATAVERSE_URL'),
    tokenSource: dataverseTokenSource(env),
    logger: loggerPort,
  };
  const readerFor = (tenantId?: string) =>
    new XeroAccountingInvoiceReader({
      access: tenantId === undefined ? xeroAccess(env) : accessForTenant(xeroAccess(env), tenantId),
      limiter: xeroLimiter(env),
      apiUrl: env.require('XERO_API_URL'),
      logger: loggerPort,
      clock,
    });
  return {
    xero: readerFor(),
    // Several organisations: each one's invoices are read with its own access (and its own budget).
    xeroFor: perTenant(readerFor),
    // Its writes bump the order's modifiedon: noted, so the catch-up sweep does not re-sync the order for them.
    orders: noteOwnOrderWrites(new DataverseOrderWritebackWriter(dataverse), {
      sightings: ownWriteNotes(env),
      versions: new DataverseSweepFinder(dataverse),
      logger: loggerPort,
    }),
    columns: writebackColumnsFromJson(env.require('WRITEBACK_COLUMNS')),
    logger: loggerPort,
    clock,
    syncState: syncState(env),
  };
}

let apply: Apply | undefined;
const writebackHandler = createHandler(
  async () => {
    // XERO_TENANT_ID may pin several organisations (comma-separated): events of any other one are ignored.
    const pins = pinnedTenants(env.optional('XERO_TENANT_ID'));
    apply ??= createApplyXeroInvoiceEvents({
      ...(await writebackDeps()),
      ...(pins.length > 0 ? { tenantId: pins[0], tenantIds: pins } : {}),
    });
    return {
      sqs: sqs(),
      queueUrl: env.require('XERO_EVENTS_QUEUE_URL'),
      deadLetterQueueUrl: env.require('XERO_EVENTS_DLQ_URL'),
      logger: loggerPort,
      apply,
    };
  },
  async () => {
    const deps = {
      ...(await writebackDeps()),
      checkpoints: new DynamoDbCheckpointStore(dynamo(), env.require('SYNC_STATE_TABLE')),
    };
    // One poll per connected organisation, each from its own checkpoint (the default keeps the old name).
    return async () => {
      const { defaultTenantId, tenantIds } = await tokenServiceClient(env).organisations();
      const checkpoints = await runInvoicePollPerOrganisation({
        ...deps,
        organisations: tenantIds,
        ...(defaultTenantId ? { defaultTenantId } : {}),
      });
      return (defaultTenantId && checkpoints[defaultTenantId]) ?? Object.values(checkpoints)[0] ?? '';
    };
  }
);

// Waits for the tenant's Xero budget end in time to give the work back (shared/xero-deps.ts).
export const handler = withXeroDeadline(flushingOwnWriteNotes(writebackHandler));
