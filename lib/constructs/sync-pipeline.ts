import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
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
      entry: 'lambdas/handlers/map-changes.ts',
      description: 'Reads changed Dataverse records, maps them and queues Xero writes',
      timeout: MAP_TIMEOUT,
      environment: {
        CHANGES_QUEUE_URL: this.changes.queue.queueUrl,
        CHANGES_DLQ_URL: this.changes.deadLetterQueue.queueUrl,
        WRITES_QUEUE_URL: this.writes.queue.queueUrl,
        SYNC_STATE_TABLE: this.table.tableName,
      },
    });
    this.mapFunction.addEventSource(
      new SqsEventSource(this.changes.queue, { batchSize: 10, reportBatchItemFailures: true })
    );
    this.writes.queue.grantSendMessages(this.mapFunction);
    // A contact of an account is re-synced through its account: the map function queues that change itself.
    this.changes.queue.grantSendMessages(this.mapFunction);
    // Permanent failures go straight to the dead letters with their reason instead of burning retries.
    this.changes.deadLetterQueue.grantSendMessages(this.mapFunction);
    this.table.grantReadWriteData(this.mapFunction);
    credentials.grantReadSettings(this.mapFunction);

    this.postFunction = new ConnectorFunction(this, 'PostFunction', {
      defaults: props.functionDefaults,
      entry: 'lambdas/handlers/post-xero-writes.ts',
      description: 'Posts batched upserts to Xero and records each outcome',
      timeout: POST_TIMEOUT,
      reservedConcurrentExecutions: postConcurrency,
      environment: {
        WRITES_QUEUE_URL: this.writes.queue.queueUrl,
        WRITES_DLQ_URL: this.writes.deadLetterQueue.queueUrl,
        SYNC_STATE_TABLE: this.table.tableName,
        XERO_TOKEN_SECRET_ARN: credentials.tokenSecret.secretArn,
        TOKEN_FUNCTION_NAME: credentials.tokenFunction.functionName,
      },
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
    this.table.grantReadWriteData(this.postFunction);
    this.writes.deadLetterQueue.grantSendMessages(this.postFunction);
    credentials.grantTokenUse(this.postFunction);
    credentials.grantReadSettings(this.postFunction);

    this.xeroEvents = new QueueWithDlq(this, 'XeroEvents', {
      visibilityTimeout: Duration.seconds(POST_TIMEOUT.toSeconds() * 6),
    });
    this.writebackFunction = new ConnectorFunction(this, 'WritebackFunction', {
      defaults: props.functionDefaults,
      entry: 'lambdas/handlers/xero-writeback.ts',
      description: 'Writes Xero invoice status and payments back to the originating sales order',
      timeout: POST_TIMEOUT,
      // Shares Xero's 5-concurrent budget with the post function: one at a time is plenty for status updates.
      reservedConcurrentExecutions: 1,
      environment: { TOKEN_FUNCTION_NAME: credentials.tokenFunction.functionName },
    });
    this.writebackFunction.addEventSource(
      new SqsEventSource(this.xeroEvents.queue, { batchSize: 10, reportBatchItemFailures: true })
    );
    credentials.grantTokenUse(this.writebackFunction);
    credentials.grantReadSettings(this.writebackFunction);
    // The invoice poll keeps its checkpoint in the sync-state table.
    this.writebackFunction.addEnvironment('SYNC_STATE_TABLE', this.table.tableName);
    this.table.grantReadWriteData(this.writebackFunction);
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
      entry: 'lambdas/handlers/reconcile.ts',
      description: 'Compares synced records with Xero nightly and reports drift',
      timeout: Duration.minutes(15),
      environment: {
        SYNC_STATE_TABLE: this.table.tableName,
        TOKEN_FUNCTION_NAME: credentials.tokenFunction.functionName,
      },
    });
    this.table.grantReadData(this.reconcileFunction);
    credentials.grantTokenUse(this.reconcileFunction);
    credentials.grantReadSettings(this.reconcileFunction);
    this.schedule(
      'Reconcile',
      this.reconcileFunction,
      'cron(30 2 * * ? *)',
      { action: 'reconcile' },
      'Compare synced records with Xero every night (02:30 UTC)'
    );

    this.sweepFunction = new ConnectorFunction(this, 'SweepFunction', {
      defaults: props.functionDefaults,
      entry: 'lambdas/handlers/sweep.ts',
      description: 'Queues Dataverse changes no webhook delivered; checks the mapping against the Xero organisation',
      timeout: Duration.minutes(5),
      // Runs never overlap: a slow run makes the next invocation wait (and retry) rather than sweep twice.
      reservedConcurrentExecutions: 1,
      environment: {
        SYNC_STATE_TABLE: this.table.tableName,
        CHANGES_QUEUE_URL: this.changes.queue.queueUrl,
        TOKEN_FUNCTION_NAME: credentials.tokenFunction.functionName,
      },
    });
    this.table.grantReadWriteData(this.sweepFunction);
    this.changes.queue.grantSendMessages(this.sweepFunction);
    credentials.grantTokenUse(this.sweepFunction);
    credentials.grantReadSettings(this.sweepFunction);
    this.schedule(
      'Sweep',
      this.sweepFunction,
      `rate(${props.sweepRate ?? '5 minutes'})`,
      { action: 'sweep' },
      'Catch up on Dataverse changes whose webhook was lost'
    );
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

  /** Read-only view for the status route: queue depths and sync counts. */
  grantStatusRead(grantee: IGrantable): void {
    for (const pair of this.queuePairs) {
      pair.queue.grant(grantee, 'sqs:GetQueueAttributes');
      pair.deadLetterQueue.grant(grantee, 'sqs:GetQueueAttributes');
    }
    this.table.grantReadData(grantee);
  }
}
