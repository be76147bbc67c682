import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/environment';
import { bindQueueSend, bindTable } from './bindings';
import { ConnectorFunction, type ConnectorFunctionDefaults } from './connector-function';
import type { SyncPipeline } from './sync-pipeline';
import type { XeroCredentials } from './xero-credentials';

export interface OperationsFunctionProps {
  readonly functionDefaults: ConnectorFunctionDefaults;
  readonly pipeline: SyncPipeline;
  readonly credentials: XeroCredentials;
}

/** Key prefix of the backfill ledger's items in the sync-state table (see DynamoDbBackfillLedger). */
export const BACKFILL_LEDGER_PREFIX = 'backfill#';

/**
 * The function behind `connector preview --aws` and `connector backfill --aws`, invoked directly by an operator's
 * IAM identity (no API route). It reads Dataverse (settings secret) and the sync state, and may write only the
 * backfill ledger's items of the sync-state table and send to the changes queue: never Xero, never the token.
 */
export class OperationsFunction extends Construct {
  readonly function: ConnectorFunction;

  constructor(scope: Construct, id: string, props: OperationsFunctionProps) {
    super(scope, id);
    const { pipeline } = props;

    this.function = new ConnectorFunction(this, 'Function', {
      defaults: props.functionDefaults,
      contract: 'operations',
      description: 'Operator actions: preview a record mapping, backfill existing records onto the changes queue',
      // The longest a Lambda may run; a backfill stops two minutes early and the CLI invokes again.
      timeout: Duration.minutes(15),
      // One backfill at a time: two would list and queue the same records in parallel.
      reservedConcurrentExecutions: 1,
    });

    props.credentials.bindSettings(this.function, 'dataverseApp');
    bindQueueSend(this.function, ENV.CHANGES_QUEUE_URL, pipeline.changes.queue);
    // Reads: a record's sync state (preview of a deleted product) and the ledger.
    pipeline.table.grant(this.function, 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
    // Writes: only ledger items, whatever the code does (the partition key must start with the ledger prefix).
    bindTable(this.function, ENV.SYNC_STATE_TABLE, pipeline.table, {
      actions: ['dynamodb:BatchWriteItem'],
      keyPrefixes: [BACKFILL_LEDGER_PREFIX],
    });
  }
}
