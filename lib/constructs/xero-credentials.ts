import { Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Grant, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RateExpression } from '../config/types';
import { ConnectorFunction, type ConnectorFunctionDefaults } from './connector-function';

/**
 * JSON keys of the "connector-settings" secret: the same names as the local runtime's environment variables, so one
 * loader serves both. CONNECTOR_ADMIN_TOKEN is generated at deploy time; the operator fills in the rest.
 */
export const CONNECTOR_SETTINGS_KEYS = [
  'XERO_CLIENT_ID',
  'XERO_CLIENT_SECRET',
  'XERO_WEBHOOK_KEY',
  'DATAVERSE_TENANT_ID',
  'DATAVERSE_CLIENT_ID',
  'DATAVERSE_CLIENT_SECRET',
  'DATAVERSE_WEBHOOK_KEY',
  'CONNECTOR_ADMIN_TOKEN',
] as const;

/** Payload the refresh schedule sends to the token function. */
export const SCHEDULED_REFRESH_INPUT = { action: 'refresh', source: 'schedule' } as const;

export interface XeroCredentialsProps {
  readonly functionDefaults: ConnectorFunctionDefaults;
  /** Customer managed key for both secrets. */
  readonly key: IKey;
  /** Keep both secrets when the stack is deleted (prod). */
  readonly retainSecrets: boolean;
  /** How often the token function refreshes the access token, e.g. "20 minutes". */
  readonly refreshRate: RateExpression;
  /** Scheduler retries before the event goes to the schedule DLQ. @default 3 */
  readonly retryAttempts?: number;
}

/**
 * The Xero connection: the operator-supplied settings secret, the token-set secret, the token function that is its
 * only writer (reserved concurrency 1, so two refreshes can never race and burn a rotating refresh token), and the
 * schedule that refreshes it before the 30-minute access token expires.
 */
export class XeroCredentials extends Construct {
  /** JSON secret with CONNECTOR_SETTINGS_KEYS: app credentials, admin token, webhook keys. */
  readonly settingsSecret: Secret;
  /** The Xero token set (access + refresh token, tenant). Written only by tokenFunction. */
  readonly tokenSecret: Secret;
  /** A consent waiting for the operator to choose among several Xero organisations (short-lived). */
  readonly pendingConsentSecret: Secret;
  readonly tokenFunction: ConnectorFunction;
  readonly refreshSchedule: Schedule;
  readonly scheduleDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: XeroCredentialsProps) {
    super(scope, id);
    const { stage } = props.functionDefaults;
    const removalPolicy = props.retainSecrets ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const template = Object.fromEntries(
      CONNECTOR_SETTINGS_KEYS.filter((key) => key !== 'CONNECTOR_ADMIN_TOKEN').map((key) => [key, ''])
    );

    this.settingsSecret = new Secret(this, 'SettingsSecret', {
      secretName: `d365-xero/${stage}/connector-settings`,
      description: 'Xero app credentials, Dataverse app registration, webhook keys and the admin token',
      encryptionKey: props.key,
      removalPolicy,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(template),
        generateStringKey: 'CONNECTOR_ADMIN_TOKEN',
        passwordLength: 48,
        excludePunctuation: true,
      },
    });
    this.tokenSecret = new Secret(this, 'TokenSecret', {
      secretName: `d365-xero/${stage}/xero-token-set`,
      description: 'Xero OAuth token set; written only by the token function',
      encryptionKey: props.key,
      removalPolicy,
      // Not a secret: the marker the token function replaces at first consent. CloudFormation never rewrites it.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ status: 'not-connected' })),
    });

    this.pendingConsentSecret = new Secret(this, 'PendingConsentSecret', {
      secretName: `d365-xero/${stage}/pending-consent`,
      description: 'A Xero consent waiting for the operator to choose the organisation; cleared once chosen',
      encryptionKey: props.key,
      removalPolicy,
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ version: 1, record: null })),
    });

    this.tokenFunction = new ConnectorFunction(this, 'TokenFunction', {
      defaults: props.functionDefaults,
      entry: 'lambdas/handlers/token-service.ts',
      description: 'Refreshes and stores the Xero token set; hands fresh access tokens to workers',
      reservedConcurrentExecutions: 1,
      environment: {
        XERO_TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        CONNECTOR_SETTINGS_SECRET_ARN: this.settingsSecret.secretArn,
      },
    });
    this.tokenSecret.grantRead(this.tokenFunction);
    this.tokenSecret.grantWrite(this.tokenFunction);
    this.settingsSecret.grantRead(this.tokenFunction);

    this.scheduleDeadLetterQueue = new Queue(this, 'ScheduleDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: `Lets EventBridge Scheduler invoke the Xero token function (${stage})`,
    });
    this.refreshSchedule = new Schedule(this, 'RefreshSchedule', {
      description: `Refresh the Xero access token (${stage})`,
      schedule: ScheduleExpression.expression(`rate(${props.refreshRate})`),
      target: new LambdaInvoke(this.tokenFunction, {
        role: schedulerRole,
        deadLetterQueue: this.scheduleDeadLetterQueue,
        retryAttempts: props.retryAttempts ?? 3,
        // A refresh older than this is pointless: the next one is already due.
        maxEventAge: Duration.minutes(15),
        input: ScheduleTargetInput.fromObject(SCHEDULED_REFRESH_INPUT),
      }),
    });

    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.tokenFunction.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'The Scheduler L2 target grants invoke on the function and its versions; the role serves only this schedule.',
    });
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the refresh schedule target; a DLQ needs no DLQ of its own.',
    });
    Validations.of(this.settingsSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds credentials issued by Xero and Microsoft Entra; they are rotated in those portals, then stored here.',
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The token function rotates this secret itself on every refresh (scheduled), using Xero rotating tokens.',
    });
    Validations.of(this.pendingConsentSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds a consent for minutes, until the operator picks the organisation; it is then cleared, not rotated.',
    });
  }

  /** Read the settings secret (every function needs app credentials or webhook keys). */
  grantReadSettings(grantee: IGrantable): void {
    this.settingsSecret.grantRead(grantee);
  }

  /** A worker may read the token set and ask the token function for a fresh token, never write the secret. */
  grantTokenUse(grantee: IGrantable): void {
    this.tokenSecret.grantRead(grantee);
    this.grantInvokeTokenFunction(grantee);
  }

  /** Invoke the token function only (the OAuth routes hand it the consent result and ask it for status). */
  grantInvokeTokenFunction(grantee: IGrantable): void {
    // The unqualified ARN only: Function.grantInvoke would add `:*` (every version and alias), which we never call.
    Grant.addToPrincipal({
      grantee,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [this.tokenFunction.functionArn],
    });
  }
}
