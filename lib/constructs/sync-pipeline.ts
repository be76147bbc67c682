import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { XERO_BUDGET_KEY_PREFIX } from '../../lambdas/adapters/aws/xero-budget-keys';
import { ENV } from '../../lambdas/contract/environment';
import { bindQueueSend, bindTable } from './bindings';
import { ConnectorFunction, type ConnectorFunctionDefaults } from './connector-function';
import { QueueWithDlq } from './queue-with-dlq';
import type { XeroCredentials } from './xero-credentials';

export interface SyncPipelineProps {
  readonly functionDefaults: ConnectorFunctionDefaults;
  readonly credentials: XeroCredentials;
  /** Keep the sync-state table when the stack is deleted. */
  readonly retainTable: boolean;
  readonly pointInTimeRecovery: boolean;
  /** Reserved concurrency of the post function; Xero allows 5 concurrent calls per tenant. @default 4 */
  readonly postConcurrency?: number;
  /** Poll Xero for changed invoices at this rate (orgs without Xero webhooks); unset = no poll. */
  readonly invoicePollRate?: string;
  /** Catch-up sweep of Dataverse (and the Xero preflight when due) at this rate. @default "5 minutes" */
  readonly sweepRate?: string;
}

const MAP_TIMEOUT = Duration.seconds(60);
// Posting waits out Xero's Retry-After (up to a minute) inside the invocation before giving the batch back.
const POST_TIMEOUT = Duration.seconds(120);

/**
 * The asynchronous heart: changes queue (FIFO, MessageGroupId = `table:id`, so one record's changes never overlap)
 * → map function → Xero-writes queue → post function → Xero, plus the sync-state table (pk `table#id`) that makes
 * writes idempotent. Both consumers report partial batch failures so one bad record never replays its neighbours.
 */
export class SyncPipeline extends Construct {
  readonly changes: QueueWithDlq;
  readonly writes: QueueWithDlq;
  readonly table: Table;
  readonly mapFunction: ConnectorFunction;
  readonly postFunction: ConnectorFunction;
  /** Xero webhook events (invoices, credit notes) waiting to be written back to Dataverse. */
  readonly xeroEvents: QueueWithDlq;
  readonly writebackFunction: ConnectorFunction;
  /** Nightly comparison of synced records with Xero; publishes the ReconciliationDrift metric. */
  readonly reconcileFunction: ConnectorFunction;
  /**
   * Every function that calls the Xero accounting API (the token function talks only to Xero's identity server).
   * A tenant-wide Xero budget binds its state here, e.g. `for (const fn of pipeline.xeroCallers) bindTable(fn,
   * ENV.XERO_BUDGET_TABLE, table, …)`, with the name added to each caller's contract and to xero-deps' XeroEnv.
   */
  readonly xeroCallers: readonly ConnectorFunction[];
  /** Catch-up sweep of Dataverse changes webhooks missed, plus the Xero preflight; SweepMissedChanges metric. */
  readonly sweepFunction: ConnectorFunction;

  constructor(scope: Construct, id: string, props: SyncPipelineProps) {
    super(scope, id);
    const { credentials } = props;
    const postConcurrency = props.postConcurrency ?? 4;

    this.changes = new QueueWithDlq(this, 'Changes', {
      fifo: true,
      visibilityTimeout: Duration.seconds(MAP_TIMEOUT.toSeconds() * 6),
    });
    this.writes = new QueueWithDlq(this, 'XeroWrites', {
      visibilityTimeout: Duration.seconds(POST_TIMEOUT.toSeconds() * 6),
    });
    this.table = new Table(this, 'SyncState', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      // Short-lived entries (webhook de-duplication, leases) carry an epoch-seconds `ttl` and expire by themselves.
      timeToLiveAttribute: 'ttl',
      removalPolicy: props.retainTable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (!props.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: "Point-in-time recovery is switched off by this stage's configuration (disposable development data).",
      });
    }

    this.mapFunction = new ConnectorFunction(this, 'MapFunction', {
      defaults: props.functionDefaults,
      contract: 'mapChanges',
      description: 'Reads changed Dataverse records, maps them and queues Xero writes',
      timeout: MAP_TIMEOUT,
    });
    this.mapFunction.addEventSource(
      new SqsEventSource(this.changes.queue, { batchSize: 10, reportBatchItemFailures: true })
    );
    bindQueueSend(this.mapFunction, ENV.WRITES_QUEUE_URL, this.writes.queue);
    // A contact of an account is re-synced through its account: the map function queues that change itself (and
    // the same URL puts a change back with a new visibility timeout).
    bindQueueSend(this.mapFunction, ENV.CHANGES_QUEUE_URL, this.changes.queue);
    // Permanent failures go straight to the dead letters with their reason instead of burning retries.
    bindQueueSend(this.mapFunction, ENV.CHANGES_DLQ_URL, this.changes.deadLetterQueue);
    bindTable(this.mapFunction, ENV.SYNC_STATE_TABLE, this.table, 'readWrite');
    credentials.bindSettings(this.mapFunction, 'dataverseApp');

    this.postFunction = new ConnectorFunction(this, 'PostFunction', {
      defaults: props.functionDefaults,
      contract: 'postXeroWrites',
      description: 'Posts batched upserts to Xero and records each outcome',
      timeout: POST_TIMEOUT,
      reservedConcurrentExecutions: postConcurrency,
    });
    this.postFunction.addEventSource(
      new SqsEventSource(this.writes.queue, {
        // Xero accepts up to 50 documents per request; gather them for a few seconds.
        batchSize: 50,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // Polling above the reserved concurrency would only produce throttles and needless receives.
        ...(postConcurrency >= 2 ? { maxConcurrency: postConcurrency } : {}),
      })
    );
    // Work paused for a reconnect is re-sent as a fresh copy, so pauses never reach maxReceiveCount (sqs-work-queue).
    bindQueueSend(this.postFunction, ENV.WRITES_QUEUE_URL, this.writes.queue);
    bindQueueSend(this.postFunction, ENV.WRITES_DLQ_URL, this.writes.deadLetterQueue);
    bindTable(this.postFunction, ENV.SYNC_STATE_TABLE, this.table, 'readWrite');
    credentials.bindTokenRole(this.postFunction, 'worker');
    // The integration-log rows are written to Dataverse.
    credentials.bindSettings(this.postFunction, 'dataverseApp');

    this.xeroEvents = new QueueWithDlq(this, 'XeroEvents', {
      visibilityTimeout: Duration.seconds(POST_TIMEOUT.toSeconds() * 6),
    });
    this.writebackFunction = new ConnectorFunction(this, 'WritebackFunction', {
      defaults: props.functionDefaults,
      contract: 'xeroWriteback',
      description: 'Writes Xero invoice status and payments back to the originating sales order',
      timeout: POST_TIMEOUT,
      // Shares Xero's 5-concurrent budget with the post function: one at a time is plenty for status updates.
      reservedConcurrentExecutions: 1,
    });
    this.writebackFunction.addEventSource(
      new SqsEventSource(this.xeroEvents.queue, { batchSize: 10, reportBatchItemFailures: true })
    );
    // Malformed and permanently failing events go to the dead letters with their reason; paused ones are re-sent.
    bindQueueSend(this.writebackFunction, ENV.XERO_EVENTS_QUEUE_URL, this.xeroEvents.queue);
    bindQueueSend(this.writebackFunction, ENV.XERO_EVENTS_DLQ_URL, this.xeroEvents.deadLetterQueue);
    credentials.bindTokenRole(this.writebackFunction, 'worker');
    credentials.bindSettings(this.writebackFunction, 'dataverseApp');
    // The invoice poll keeps its checkpoint in the sync-state table.
    bindTable(this.writebackFunction, ENV.SYNC_STATE_TABLE, this.table, 'readWrite');
    if (props.invoicePollRate) {
      this.schedule(
        'InvoicePoll',
        this.writebackFunction,
        `rate(${props.invoicePollRate})`,
        { action: 'poll-invoices' },
        'Poll Xero for invoices changed since the last poll (write-back without webhooks)'
      );
    }

    this.reconcileFunction = new ConnectorFunction(this, 'ReconcileFunction', {
      defaults: props.functionDefaults,
      contract: 'reconcile',
      description: 'Compares synced records with Xero nightly and reports drift',
      timeout: Duration.minutes(15),
    });
    bindTable(this.reconcileFunction, ENV.SYNC_STATE_TABLE, this.table, 'read');
    credentials.bindTokenRole(this.reconcileFunction, 'worker');
    credentials.bindSettings(this.reconcileFunction, 'dataverseApp');
    this.schedule(
      'Reconcile',
      this.reconcileFunction,
      'cron(30 2 * * ? *)',
      { action: 'reconcile' },
      'Compare synced records with Xero every night (02:30 UTC)'
    );

    this.sweepFunction = new ConnectorFunction(this, 'SweepFunction', {
      defaults: props.functionDefaults,
      contract: 'sweep',
      description: 'Queues Dataverse changes no webhook delivered; checks the mapping against the Xero organisation',
      timeout: Duration.minutes(5),
      // Runs never overlap: a slow run makes the next invocation wait (and retry) rather than sweep twice.
      reservedConcurrentExecutions: 1,
    });
    bindTable(this.sweepFunction, ENV.SYNC_STATE_TABLE, this.table, 'readWrite');
    bindQueueSend(this.sweepFunction, ENV.CHANGES_QUEUE_URL, this.changes.queue);
    credentials.bindTokenRole(this.sweepFunction, 'worker');
    credentials.bindSettings(this.sweepFunction, 'dataverseApp');
    this.schedule(
      'Sweep',
      this.sweepFunction,
      `rate(${props.sweepRate ?? '5 minutes'})`,
      { action: 'sweep' },
      'Catch up on Dataverse changes whose webhook was lost'
    );
    // The preflight in the sweep function reads the Xero organisation too.
    this.xeroCallers = [this.postFunction, this.writebackFunction, this.reconcileFunction, this.sweepFunction];
    // One Xero budget per tenant across every function that calls Xero (lambdas/adapters/aws/dynamodb-xero-budget.ts).
    for (const fn of this.xeroCallers)
      bindTable(fn, ENV.XERO_BUDGET_TABLE, this.table, {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        keyPrefixes: [XERO_BUDGET_KEY_PREFIX],
      });
  }

  /** An EventBridge Scheduler schedule invoking one of the pipeline's functions, with retries and a DLQ. */
  private schedule(
    id: string,
    fn: ConnectorFunction,
    expression: string,
    input: Record<string, string>,
    description: string
  ): void {
    const role = new Role(this, `${id}SchedulerRole`, {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description,
    });
    new Schedule(this, `${id}Schedule`, {
      description,
      schedule: ScheduleExpression.expression(expression),
      target: new LambdaInvoke(fn, {
        role,
        deadLetterQueue: this.xeroEvents.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(15),
        input: ScheduleTargetInput.fromObject(input),
      }),
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'The Scheduler L2 target grants invoke on the function and its versions; the role serves only this schedule.',
    });
  }

  /** Both queue pairs (queue + DLQ), for dashboards, alarms and status reads. */
  get queuePairs(): QueueWithDlq[] {
    return [this.changes, this.writes, this.xeroEvents];
  }
}
