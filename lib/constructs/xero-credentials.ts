import { Duration, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { Alias } from 'aws-cdk-lib/aws-lambda';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/environment';
import { SETTINGS_SECRETS, type SettingsSecretContract, type SettingsSecretId } from '../../lambdas/contract/secrets';
import { TOKEN_ROLES, type TokenRole } from '../../lambdas/contract/token-roles';
import type { RateExpression } from '../config/types';
import { bindSecretRead, bindSecretReadWrite, bindValue } from './bindings';
import { ConnectorFunction, type ConnectorFunctionDefaults } from './connector-function';

/** Payload the refresh schedule sends to the token function. */
export const SCHEDULED_REFRESH_INPUT = { action: 'refresh', source: 'schedule' } as const;

export interface XeroCredentialsProps {
  readonly functionDefaults: ConnectorFunctionDefaults;
  /** Customer managed key for every secret. */
  readonly key: IKey;
  /** Keep the secrets when the stack is deleted (prod). */
  readonly retainSecrets: boolean;
  /** How often the token function refreshes the access token, e.g. "20 minutes". */
  readonly refreshRate: RateExpression;
  /** Scheduler retries before the event goes to the schedule DLQ. @default 3 */
  readonly retryAttempts?: number;
}

/**
 * The connector's credentials and the Xero connection: the settings secrets split by purpose (each read only by
 * the functions that need it), the token-set secret, the token function that is its only writer and the only
 * reader of the Xero app credentials (reserved concurrency 1, so two refreshes can never race and burn a rotating
 * refresh token), one alias of it per caller role, and the schedule that refreshes the token before the 30-minute
 * access token expires.
 */
export class XeroCredentials extends Construct {
  /** The settings secrets by purpose (lambdas/contract/secrets.ts). */
  readonly settingsSecrets: Readonly<Record<SettingsSecretId, Secret>>;
  /** The Xero token set (access + refresh token, tenant). Written only by tokenFunction. */
  readonly tokenSecret: Secret;
  /** A consent waiting for the operator to choose among several Xero organisations (short-lived). */
  readonly pendingConsentSecret: Secret;
  readonly tokenFunction: ConnectorFunction;
  /** One alias per caller role; a caller may invoke only its own (lambdas/contract/token-roles.ts). */
  readonly tokenAliases: Readonly<Record<TokenRole, Alias>>;
  readonly refreshSchedule: Schedule;
  readonly scheduleDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: XeroCredentialsProps) {
    super(scope, id);
    const { stage } = props.functionDefaults;
    const removalPolicy = props.retainSecrets ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.settingsSecrets = Object.fromEntries(
      (Object.keys(SETTINGS_SECRETS) as SettingsSecretId[]).map((secretId) => [
        secretId,
        this.settingsSecret(secretId, stage, props.key, removalPolicy),
      ])
    ) as Record<SettingsSecretId, Secret>;

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
      contract: 'tokenService',
      description: 'Refreshes and stores the Xero token set; hands fresh access tokens to workers',
      reservedConcurrentExecutions: 1,
    });
    bindSecretReadWrite(this.tokenFunction, ENV.XERO_TOKEN_SECRET_ARN, this.tokenSecret);
    this.bindSettings(this.tokenFunction, 'xeroApp');

    // Aliases share the function's reserved concurrency of 1: still one writer of the token set.
    const version = this.tokenFunction.currentVersion;
    const aliases = {} as Record<TokenRole, Alias>;
    for (const role of Object.keys(TOKEN_ROLES) as TokenRole[]) {
      aliases[role] = new Alias(this, `Token${role[0]!.toUpperCase()}${role.slice(1)}Alias`, {
        aliasName: role,
        version,
        description: `Token function for the ${role} role: ${TOKEN_ROLES[role].join(', ')}`,
      });
    }
    this.tokenAliases = aliases;

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
      target: new LambdaInvoke(this.tokenAliases.schedule, {
        role: schedulerRole,
        deadLetterQueue: this.scheduleDeadLetterQueue,
        retryAttempts: props.retryAttempts ?? 3,
        // A refresh older than this is pointless: the next one is already due.
        maxEventAge: Duration.minutes(15),
        input: ScheduleTargetInput.fromObject(SCHEDULED_REFRESH_INPUT),
      }),
    });

    // Unlike a function target, an alias target is granted by its exact ARN only: no IAM5 finding to acknowledge.
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the refresh schedule target; a DLQ needs no DLQ of its own.',
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

  /** One settings secret from its contract: placeholders for the operator, or a value generated at deploy. */
  private settingsSecret(secretId: SettingsSecretId, stage: string, key: IKey, removalPolicy: RemovalPolicy): Secret {
    const contract: SettingsSecretContract = SETTINGS_SECRETS[secretId];
    const template = JSON.stringify(Object.fromEntries(contract.keys.map((key) => [key, ''])));
    const generatedKey = contract.generatedKey;
    const secret = new Secret(this, `${secretId[0]!.toUpperCase()}${secretId.slice(1)}Secret`, {
      secretName: `d365-xero/${stage}/${contract.name}`,
      description: contract.description,
      encryptionKey: key,
      removalPolicy,
      ...(generatedKey
        ? {
            generateSecretString: {
              secretStringTemplate: template,
              generateStringKey: generatedKey,
              passwordLength: 48,
              excludePunctuation: true,
            },
          }
        : // Placeholders, not secrets: the operator replaces them (docs/deploy.md).
          { secretStringValue: SecretValue.unsafePlainText(template) }),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: generatedKey
        ? 'Generated at deploy; rotate by putting a new value (warm functions pick it up within five minutes).'
        : 'Holds credentials issued by Xero or Microsoft Entra; they are rotated in those portals, then stored here.',
    });
    return secret;
  }

  /** Give a function one settings secret: its ARN variable and read access, nothing more. */
  bindSettings(fn: ConnectorFunction, secretId: SettingsSecretId): void {
    bindSecretRead(fn, SETTINGS_SECRETS[secretId].arnEnv, this.settingsSecrets[secretId]);
  }

  /**
   * Let a function call the token function in one role: TOKEN_FUNCTION_NAME is that role's alias ARN and the grant
   * is lambda:InvokeFunction on exactly that alias (not the function, not its other aliases, never the token
   * secret). The token function refuses commands outside the role.
   */
  bindTokenRole(fn: ConnectorFunction, role: Exclude<TokenRole, 'schedule'>): void {
    const alias = this.tokenAliases[role];
    bindValue(fn, ENV.TOKEN_FUNCTION_NAME, alias.functionArn);
    Grant.addToPrincipal({ grantee: fn, actions: ['lambda:InvokeFunction'], resourceArns: [alias.functionArn] });
  }
}
