import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/environment';
import { SETTINGS_SECRETS, type SettingsSecretId } from '../../lambdas/contract/secrets';
import { resolveWritebackColumns } from '../../lambdas/core/writeback/columns';
import type { EnvironmentConfig } from '../config/types';
import { bindValue } from '../constructs/bindings';
import type { ConnectorFunctionDefaults } from '../constructs/connector-function';
import { IngressApi } from '../constructs/ingress-api';
import { Monitoring } from '../constructs/monitoring';
import { OperationsFunction } from '../constructs/operations-function';
import { SyncPipeline } from '../constructs/sync-pipeline';
import { XeroCredentials } from '../constructs/xero-credentials';

import { STACK_OUTPUT, secretNameOutput } from '../../lambdas/contract/stack-outputs';
export interface ConnectorStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * One stage of the connector. Wiring only: each construct owns its resources, secure defaults and grants. A single
 * stack (rather than stateful/stateless) avoids cross-stack exports that would pin the queues and secrets; the
 * stateful resources are protected by RETAIN in stages that set `retainData`.
 */
export class ConnectorStack extends Stack {
  readonly credentials: XeroCredentials;
  readonly pipeline: SyncPipeline;
  readonly ingress: IngressApi;
  readonly monitoring: Monitoring;
  readonly operations: OperationsFunction;

  constructor(scope: Construct, id: string, props: ConnectorStackProps) {
    super(scope, id, props);
    const { config } = props;

    const key = new Key(this, 'DataKey', {
      description: `D365 → Xero connector secrets and alarm topic (${config.stage})`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Stage values; each function receives only those its contract declares (lambdas/contract/environment.ts).
    const functionDefaults: ConnectorFunctionDefaults = {
      stage: config.stage,
      logRetentionDays: config.logRetentionDays,
      retainLogs: config.retainData,
      environment: {
        [ENV.DATAVERSE_URL]: config.dataverseUrl,
        [ENV.XERO_API_URL]: config.xero.apiUrl,
        [ENV.XERO_IDENTITY_URL]: config.xero.identityUrl,
        [ENV.XERO_LOGIN_URL]: config.xero.loginUrl,
        [ENV.MAPPING_SETTINGS]: JSON.stringify(config.mapping),
        [ENV.WRITEBACK_COLUMNS]: JSON.stringify(resolveWritebackColumns(config.writebackColumns)),
        [ENV.XERO_DAY_BUDGET]: String(config.xeroDayBudget),
        ...(config.xeroTenantId ? { [ENV.XERO_TENANT_ID]: config.xeroTenantId } : {}),
        ...(config.dataverseOrganization ? { [ENV.DATAVERSE_ORGANIZATION]: config.dataverseOrganization } : {}),
        ...(config.dataverseConnectorUserId
          ? { [ENV.DATAVERSE_CONNECTOR_USER_ID]: config.dataverseConnectorUserId }
          : {}),
      },
    };

    this.credentials = new XeroCredentials(this, 'XeroCredentials', {
      functionDefaults,
      key,
      retainSecrets: config.retainData,
      refreshRate: config.schedules.tokenRefreshRate,
    });
    this.pipeline = new SyncPipeline(this, 'SyncPipeline', {
      functionDefaults,
      credentials: this.credentials,
      retainTable: config.retainData,
      pointInTimeRecovery: config.pointInTimeRecovery,
      postConcurrency: config.postConcurrency,
      invoicePollRate: config.schedules.invoicePollRate,
      sweepRate: config.schedules.dataverseSweepRate,
    });
    this.operations = new OperationsFunction(this, 'Operations', {
      functionDefaults,
      pipeline: this.pipeline,
      credentials: this.credentials,
    });
    this.ingress = new IngressApi(this, 'Ingress', {
      functionDefaults,
      credentials: this.credentials,
      pipeline: this.pipeline,
      rateLimit: config.apiThrottle.rateLimit,
      burstLimit: config.apiThrottle.burstLimit,
      ...(config.ingressProtection ? { protection: config.ingressProtection } : {}),
    });
    // The token function exchanges the consent code, which requires the same redirect URI as the authorize request,
    // and names the absolute connect URL when it asks an operator to reconnect.
    bindValue(this.credentials.tokenFunction, ENV.XERO_REDIRECT_URI, this.ingress.callbackUrl);
    bindValue(this.credentials.tokenFunction, ENV.CONNECT_URL, this.ingress.urlFor('/oauth/xero/connect'));

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      key,
      alarmEmails: config.alarmEmails,
      thresholds: config.alarmThresholds,
      api: this.ingress.api,
      firewall: this.ingress.firewall,
      functions: {
        DataverseWebhook: this.ingress.dataverseWebhookFunction,
        XeroWebhook: this.ingress.xeroWebhookFunction,
        OAuth: this.ingress.oauthFunction,
        MapChanges: this.pipeline.mapFunction,
        PostXeroWrites: this.pipeline.postFunction,
        TokenService: this.credentials.tokenFunction,
        XeroWriteback: this.pipeline.writebackFunction,
        Reconcile: this.pipeline.reconcileFunction,
        Sweep: this.pipeline.sweepFunction,
      },
      queues: {
        ChangesQueue: this.pipeline.changes.queue,
        XeroWritesQueue: this.pipeline.writes.queue,
        XeroEventsQueue: this.pipeline.xeroEvents.queue,
      },
      deadLetterQueues: {
        ChangesDlq: this.pipeline.changes.deadLetterQueue,
        XeroWritesDlq: this.pipeline.writes.deadLetterQueue,
        XeroEventsDlq: this.pipeline.xeroEvents.deadLetterQueue,
      },
      scheduleDeadLetterQueues: { TokenScheduleDlq: this.credentials.scheduleDeadLetterQueue },
    });

    // Operators attach this to their own role to inspect and redrive parked messages (the DLQs are not public).
    const dlqs = [
      this.pipeline.changes.deadLetterQueue,
      this.pipeline.writes.deadLetterQueue,
      this.pipeline.xeroEvents.deadLetterQueue,
      this.credentials.scheduleDeadLetterQueue,
    ];
    const operatorPolicy = new ManagedPolicy(this, 'DlqOperatorPolicy', {
      description: `Read and redrive the connector's dead-letter queues (${config.stage})`,
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [
            'sqs:ReceiveMessage',
            'sqs:GetQueueAttributes',
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:StartMessageMoveTask',
            'sqs:ListMessageMoveTasks',
          ],
          resources: dlqs.map((q) => q.queueArn),
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          // Redrive moves messages back to the source queues.
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [
            this.pipeline.changes.queue.queueArn,
            this.pipeline.writes.queue.queueArn,
            this.pipeline.xeroEvents.queue.queueArn,
          ],
        }),
      ],
    });

    const url = (path: string): string => this.ingress.urlFor(path);
    new CfnOutput(this, STACK_OUTPUT.CallbackUrl, {
      value: this.ingress.callbackUrl,
      description: 'Register as the redirect URI of the Xero app',
    });
    new CfnOutput(this, STACK_OUTPUT.ConnectUrl, {
      value: url('/oauth/xero/connect'),
      description: 'Open with the admin token (or a signed link from the CLI) to connect Xero',
    });
    new CfnOutput(this, STACK_OUTPUT.DataverseWebhookUrl, {
      value: url('/webhooks/dataverse'),
      description: 'Register in Dataverse as a WebhookKey service endpoint (key: the dataverse-webhook-key secret)',
    });
    new CfnOutput(this, STACK_OUTPUT.XeroWebhookUrl, {
      value: url('/webhooks/xero'),
      description: 'Register in the Xero app',
    });
    new CfnOutput(this, STACK_OUTPUT.StatusUrl, {
      value: url('/status'),
      description: 'Connection and queue status (admin)',
    });
    new CfnOutput(this, STACK_OUTPUT.DashboardUrl, { value: this.monitoring.dashboardUrl });
    for (const [secretId, secret] of Object.entries(this.credentials.settingsSecrets)) {
      const { description } = SETTINGS_SECRETS[secretId as SettingsSecretId];
      new CfnOutput(this, secretNameOutput(secretId as SettingsSecretId), {
        value: secret.secretName,
        description,
      });
    }
    new CfnOutput(this, STACK_OUTPUT.AlarmTopicArn, { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, STACK_OUTPUT.DlqOperatorPolicyArn, { value: operatorPolicy.managedPolicyArn });
    new CfnOutput(this, STACK_OUTPUT.OperationsFunctionName, {
      value: this.operations.function.functionName,
      description: 'Pass to `connector preview --aws` and `connector backfill --aws`',
    });
  }
}
