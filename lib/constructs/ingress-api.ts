import { Aws, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  type IResource,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/environment';
import { OUTCOME_JOURNAL_KEY_PREFIX } from '../../lambdas/adapters/aws/outcome-journal-keys';
import {
  bindDeadLetterRetry,
  bindQueueDepth,
  bindQueueSend,
  bindSecretReadWrite,
  bindTable,
  bindValue,
} from './bindings';
import { ConnectorFunction, type ConnectorFunctionDefaults } from './connector-function';
import { IngressFirewall } from './ingress-firewall';
import type { SyncPipeline } from './sync-pipeline';
import type { IngressProtection } from '../config/types';
import type { XeroCredentials } from './xero-credentials';

/**
 * Access-log line. Deliberately absent: $context.path and any query string or request parameter, because Dataverse
 * sends its webhook key as `?code=` and the OAuth callback carries an authorization `code`.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationStatus: '$context.integration.status',
  errorMessage: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
};

/** The public routes and which function serves each. */
export const INGRESS_ROUTES = [
  { method: 'GET', path: '/oauth/xero/connect', handler: 'oauth' },
  { method: 'GET', path: '/oauth/xero/callback', handler: 'oauth' },
  { method: 'GET', path: '/oauth/xero/choose', handler: 'oauth' },
  // The admin's confirmation that a different organisation replaces the connected one (form POST).
  { method: 'POST', path: '/oauth/xero/choose', handler: 'oauth' },
  { method: 'GET', path: '/health', handler: 'oauth' },
  { method: 'GET', path: '/status', handler: 'oauth' },
  // The status page (browser session from a single-use login link) and its actions.
  { method: 'GET', path: '/', handler: 'oauth' },
  { method: 'GET', path: '/login', handler: 'oauth' },
  { method: 'POST', path: '/admin/login-link', handler: 'oauth' },
  { method: 'POST', path: '/admin/retry', handler: 'oauth' },
  { method: 'POST', path: '/admin/retry-all', handler: 'oauth' },
  { method: 'POST', path: '/webhooks/dataverse', handler: 'dataverseWebhook' },
  { method: 'POST', path: '/webhooks/xero', handler: 'xeroWebhook' },
] as const;
type RouteHandler = (typeof INGRESS_ROUTES)[number]['handler'];

/**
 * Parameters API Gateway must see before a request reaches a function; everything else is checked in code. The
 * Dataverse webhook has none: new registrations send the key in the `x-connector-key` header, old ones as `?code=`,
 * and the web ACL blocks a delivery that carries neither.
 */
const REQUIRED_PARAMETERS: Partial<Record<string, Record<string, boolean>>> = {
  '/webhooks/xero': { 'method.request.header.x-xero-signature': true },
};

export interface IngressApiProps {
  readonly functionDefaults: ConnectorFunctionDefaults;
  readonly credentials: XeroCredentials;
  readonly pipeline: SyncPipeline;
  /** Stage-wide steady-state requests per second. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Per-IP WAF limits and an optional source allow-list (stage config `ingressProtection`). */
  readonly protection?: IngressProtection;
}

/**
 * The REST API in front of the connector: OAuth consent routes, the two webhooks, health and status, each a Lambda
 * proxy integration. Callers are machines (Dataverse, Xero) or the operator with an admin token or signed link, so
 * authentication happens in the functions (webhook key, HMAC signature, bearer token, OAuth state).
 */
export class IngressApi extends Construct {
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;
  readonly dataverseWebhookFunction: ConnectorFunction;
  readonly xeroWebhookFunction: ConnectorFunction;
  readonly oauthFunction: ConnectorFunction;
  readonly firewall: IngressFirewall;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: IngressApiProps) {
    super(scope, id);
    const { functionDefaults, credentials, pipeline } = props;
    const { stage } = functionDefaults;
    this.stageName = stage;

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: functionDefaults.logRetentionDays as RetentionDays,
      removalPolicy: functionDefaults.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `d365-xero-${stage}`,
      description: 'Dynamics 365 → Xero connector: webhooks and Xero consent',
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway needs an account-level role to write any logs; retained because it is shared by the account.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: stage,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        // Errors only and never request/response bodies: webhook bodies carry customer data.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        // Off on purpose: an API Gateway X-Ray segment records the full request URL, and Dataverse registrations
        // made before header authentication carry their key as ?code=. The functions still trace themselves.
        tracingEnabled: false,
      },
    });
    this.firewall = new IngressFirewall(this, 'Firewall', {
      stage,
      stageArn: this.api.deploymentStage.stageArn,
      ...(props.protection ? { protection: props.protection } : {}),
    });

    // The three internet-facing functions each read one secret: their own webhook key, or the admin token.
    this.dataverseWebhookFunction = new ConnectorFunction(this, 'DataverseWebhookFunction', {
      defaults: functionDefaults,
      contract: 'dataverseWebhook',
      description: 'Authenticates Dataverse webhooks and queues the change',
    });
    bindQueueSend(this.dataverseWebhookFunction, ENV.CHANGES_QUEUE_URL, pipeline.changes.queue);
    credentials.bindSettings(this.dataverseWebhookFunction, 'dataverseWebhook');
    // Which changes webhooks delivered, for the catch-up sweep's count: UpdateItem on `seen#…` sighting items only.
    bindTable(this.dataverseWebhookFunction, ENV.SYNC_STATE_TABLE, pipeline.table, {
      actions: ['dynamodb:UpdateItem'],
      keyPrefixes: ['seen#'],
    });

    this.xeroWebhookFunction = new ConnectorFunction(this, 'XeroWebhookFunction', {
      defaults: functionDefaults,
      contract: 'xeroWebhook',
      description: 'Verifies Xero webhook signatures and queues write-back events',
    });
    bindQueueSend(this.xeroWebhookFunction, ENV.XERO_EVENTS_QUEUE_URL, pipeline.xeroEvents.queue);
    credentials.bindSettings(this.xeroWebhookFunction, 'xeroWebhook');

    this.oauthFunction = new ConnectorFunction(this, 'OAuthFunction', {
      defaults: functionDefaults,
      contract: 'oauth',
      description: 'Xero consent (connect, callback, tenant choice), health, status and the status page',
    });
    // The function's own public callback; the API URL is known only at deploy time.
    bindValue(this.oauthFunction, ENV.XERO_REDIRECT_URI, this.callbackUrl);
    credentials.bindSettings(this.oauthFunction, 'admin');
    // No Xero client secret here: the token function exchanges the code and stores the connection.
    credentials.bindTokenRole(this.oauthFunction, 'consent');
    bindSecretReadWrite(this.oauthFunction, ENV.PENDING_CONSENT_SECRET_ARN, credentials.pendingConsentSecret);
    // The status page: each queue's depth, its dead letters listed and retried (a copy sent back to the source
    // queue, by Retry or by SQS's message move task for Retry all).
    for (const [queueEnv, dlqEnv, pair] of [
      [ENV.CHANGES_QUEUE_URL, ENV.CHANGES_DLQ_URL, pipeline.changes],
      [ENV.WRITES_QUEUE_URL, ENV.WRITES_DLQ_URL, pipeline.writes],
      [ENV.XERO_EVENTS_QUEUE_URL, ENV.XERO_EVENTS_DLQ_URL, pipeline.xeroEvents],
    ] as const) {
      bindQueueDepth(this.oauthFunction, queueEnv, pair.queue);
      bindQueueSend(this.oauthFunction, queueEnv, pair.queue);
      bindDeadLetterRetry(this.oauthFunction, dlqEnv, pair.deadLetterQueue);
    }
    // Consent states, links and login links are single use across containers: their nonces are burnt in the
    // sync-state table. Besides that, the status page reads the sweep's and the preflight's latest reports
    // (checkpoint items) and the outcome journal (journal# items), nothing else.
    bindTable(this.oauthFunction, ENV.SYNC_STATE_TABLE, pipeline.table, {
      actions: ['dynamodb:PutItem'],
      keyPrefixes: ['nonce#'],
    });
    bindTable(this.oauthFunction, ENV.SYNC_STATE_TABLE, pipeline.table, {
      actions: ['dynamodb:GetItem'],
      keyPrefixes: ['checkpoint#'],
    });
    bindTable(this.oauthFunction, ENV.SYNC_STATE_TABLE, pipeline.table, {
      actions: ['dynamodb:BatchGetItem'],
      keyPrefixes: [OUTCOME_JOURNAL_KEY_PREFIX],
    });

    const handlers: Record<RouteHandler, IFunction> = {
      oauth: this.oauthFunction,
      dataverseWebhook: this.dataverseWebhookFunction,
      xeroWebhook: this.xeroWebhookFunction,
    };
    const integrations = new Map<IFunction, LambdaIntegration>();
    // Body validation has no models to apply (bodies are verified in code) but cdk-nag expects both switched on.
    const validator = this.api.addRequestValidator('RequiredParameters', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    for (const route of INGRESS_ROUTES) {
      const fn = handlers[route.handler];
      const integration = integrations.get(fn) ?? new LambdaIntegration(fn, { allowTestInvoke: false });
      integrations.set(fn, integration);
      const requestParameters = REQUIRED_PARAMETERS[route.path];
      this.resourceFor(route.path).addMethod(route.method, integration, {
        ...(requestParameters ? { requestParameters, requestValidator: validator } : {}),
      });
    }

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Callers are Dataverse (webhook key), Xero (HMAC signature) and the operator (admin bearer or signed link); ' +
          'none can present IAM or Cognito credentials, so each function authenticates its route.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'No end users: machine-to-machine webhooks and a single operator, authenticated in the functions.',
      }
    );
    // The account-level API Gateway logging role can only use this AWS managed policy.
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'API Gateway account logging role; AWS documents this managed policy as the way to grant it.',
    });
  }

  /**
   * Public URL of a route, e.g. urlFor('/oauth/xero/callback'). Built from the API id and the literal stage name,
   * not the Stage resource, so functions behind the API can carry their own URL without a dependency cycle.
   */
  urlFor(path: string): string {
    return `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.stageName}${path}`;
  }

  get callbackUrl(): string {
    return this.urlFor('/oauth/xero/callback');
  }

  private resourceFor(path: string): IResource {
    return path
      .split('/')
      .filter(Boolean)
      .reduce<IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), this.api.root);
  }
}
