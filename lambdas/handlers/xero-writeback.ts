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
import { resolveWritebackColumns } from '../core/writeback/columns';
import { clock, dynamo, requireEnv, sqs } from './shared/aws-clients';
import { dataverseTokenSource } from './shared/dataverse-deps';
import { xeroAccess, xeroLimiter } from './shared/xero-deps';
import { loggerPort } from './shared/powertools';
import { runInvoicePoll } from '../core/writeback/poll-invoices';
import { DynamoDbCheckpointStore } from '../adapters/aws/dynamodb-checkpoint-store';

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

async function writebackDeps() {
  return {
    xero: new XeroAccountingInvoiceReader({
      access: xeroAccess(),
      limiter: xeroLimiter(),
      apiUrl: process.env.XERO_API_URL,
      logger: loggerPort,
      clock,
    }),
    orders: new DataverseOrderWritebackWriter({
      serverUrl: requireEnv('DATAVERSE_URL'),
      tokenSource: await dataverseTokenSource(),
      logger: loggerPort,
    }),
    columns: resolveWritebackColumns(
      process.env.WRITEBACK_COLUMNS ? JSON.parse(process.env.WRITEBACK_COLUMNS) : undefined
    ),
    logger: loggerPort,
    clock,
  };
}

let apply: Apply | undefined;
export const handler = createHandler(
  async () => {
    apply ??= createApplyXeroInvoiceEvents({ ...(await writebackDeps()), tenantId: process.env.XERO_TENANT_ID });
    return {
      sqs: sqs(),
      queueUrl: requireEnv('XERO_EVENTS_QUEUE_URL'),
      deadLetterQueueUrl: requireEnv('XERO_EVENTS_DLQ_URL'),
      logger: loggerPort,
      apply,
    };
  },
  async () => {
    const deps = {
      ...(await writebackDeps()),
      checkpoints: new DynamoDbCheckpointStore(dynamo(), requireEnv('SYNC_STATE_TABLE')),
    };
    return () => runInvoicePoll(deps);
  }
);
