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
import { runInvoicePoll } from '../core/writeback/poll-invoices';
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
  return {
    xero: new XeroAccountingInvoiceReader({
      access: xeroAccess(env),
      limiter: xeroLimiter(env),
      apiUrl: env.require('XERO_API_URL'),
      logger: loggerPort,
      clock,
    }),
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
    apply ??= createApplyXeroInvoiceEvents({ ...(await writebackDeps()), tenantId: env.optional('XERO_TENANT_ID') });
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
    return () => runInvoicePoll(deps);
  }
);

// Waits for the tenant's Xero budget end in time to give the work back (shared/xero-deps.ts).
export const handler = withXeroDeadline(flushingOwnWriteNotes(writebackHandler));
