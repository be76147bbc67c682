/**
 * Xero-events queue → invoice status and payments written back to the originating sales order in Dataverse.
 * Transient failures go back to the queue; permanent ones were logged by the use case and are dropped.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DataverseOrderWritebackWriter } from '../adapters/dataverse/order-writeback-writer';
import { XeroAccountingInvoiceReader } from '../adapters/xero/xero-invoice-reader';
import { xeroWebhookEventSchema } from '../core/ingress/xero-webhook';
import { createApplyXeroInvoiceEvents } from '../core/writeback/apply-xero-invoice-events';
import { resolveWritebackColumns } from '../core/writeback/columns';
import { clock, dynamo, requireEnv } from './shared/aws-clients';
import { dataverseTokenSource } from './shared/dataverse-deps';
import { xeroAccess, xeroLimiter } from './shared/xero-deps';
import { loggerPort } from './shared/powertools';
import { runInvoicePoll } from '../core/writeback/poll-invoices';
import { DynamoDbCheckpointStore } from '../adapters/aws/dynamodb-checkpoint-store';
import { DynamoDbChangeSightings } from '../adapters/aws/dynamodb-change-sightings';
import { noteOwnOrderWrites } from '../core/sweep/own-writes';
import { DataverseSweepFinder } from '../adapters/dataverse/dataverse-sweep-finder';

type Apply = ReturnType<typeof createApplyXeroInvoiceEvents>;

/** The schedule's payload for orgs without Xero webhooks: poll invoices changed since the checkpoint. */
export interface PollCommand {
  readonly action: 'poll-invoices';
}

export function createHandler(
  getApply: () => Promise<Apply>,
  getPoll: () => Promise<() => Promise<string>> = async () => async () => ''
) {
  return async (event: SQSEvent | PollCommand): Promise<SQSBatchResponse | { checkpoint: string }> => {
    if ('action' in event && event.action === 'poll-invoices') return { checkpoint: await (await getPoll())() };
    const apply = await getApply();
    event = event as SQSEvent;
    const recordHandler = async (record: SQSRecord) => {
      const parsed = xeroWebhookEventSchema.safeParse(JSON.parse(record.body));
      if (!parsed.success) {
        loggerPort.warn('malformed Xero event dropped', { messageId: record.messageId });
        return;
      }
      const result = await apply([parsed.data]);
      const retryable = result.failed.find((failure) => failure.error.retryable);
      if (retryable) throw retryable.error;
    };
    return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
  };
}

async function writebackDeps() {
  const dataverse = {
    serverUrl: requireEnv('DATAVERSE_URL'),
    tokenSource: await dataverseTokenSource(),
    logger: loggerPort,
  };
  return {
    xero: new XeroAccountingInvoiceReader({
      access: xeroAccess(),
      limiter: xeroLimiter(),
      apiUrl: process.env.XERO_API_URL,
      logger: loggerPort,
      clock,
    }),
    // Its writes bump the order's modifiedon: noted, so the catch-up sweep does not re-sync the order for them.
    orders: noteOwnOrderWrites(new DataverseOrderWritebackWriter(dataverse), {
      sightings: new DynamoDbChangeSightings(dynamo(), requireEnv('SYNC_STATE_TABLE')),
      versions: new DataverseSweepFinder(dataverse),
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
    return apply;
  },
  async () => {
    const deps = {
      ...(await writebackDeps()),
      checkpoints: new DynamoDbCheckpointStore(dynamo(), requireEnv('SYNC_STATE_TABLE')),
    };
    return () => runInvoicePoll(deps);
  }
);
