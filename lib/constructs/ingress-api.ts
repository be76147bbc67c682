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
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConnectorFunction, type ConnectorFunctionDefaults } from './connector-function';
import type { SyncPipeline } from './sync-pipeline';
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
  { method: 'GET', path: '/health', handler: 'oauth' },
  { method: 'GET', path: '/status', handler: 'oauth' },
  { method: 'POST', path: '/webhooks/dataverse', handler: 'dataverseWebhook' },
  { method: 'POST', path: '/webhooks/xero', handler: 'xeroWebhook' },
] as const;
type RouteHandler = (typeof INGRESS_ROUTES)[number]['handler'];

/** Parameters API Gateway must see before a request reaches a function; everything else is checked in code. */
const REQUIRED_PARAMETERS: Partial<Record<string, Record<string, boolean>>> = {
  // Dataverse WebhookKey authentication sends the key as ?code=.
  '/webhooks/dataverse': { 'method.request.querystring.code': true },
  '/webhooks/xero': { 'method.request.header.x-xero-signature': true },
};

export interface IngressApiProps {
  readonly functionDefaults: ConnectorFunctionDefaults;
  readonly credentials: XeroCredentials;
  readonly pipeline: SyncPipeline;
  /** Stage-wide steady-state requests per second. */
  readonly rateLimit: number;
  readonly burstLimit: number;
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
        tracingEnabled: true,
      },
    });

    this.dataverseWebhookFunction = new ConnectorFunction(this, 'DataverseWebhookFunction', {
      defaults: functionDefaults,
      entry: 'lambdas/handlers/dataverse-webhook.ts',
      description: 'Authenticates Dataverse webhooks and queues the change',
      // The sync-state table remembers which changes webhooks delivered, for the catch-up sweep's count.
      environment: { CHANGES_QUEUE_URL: pipeline.changes.queue.queueUrl, SYNC_STATE_TABLE: pipeline.table.tableName },
    });
    pipeline.changes.queue.grantSendMessages(this.dataverseWebhookFunction);
    // Only the `seen#…` sighting items, and only UpdateItem: the webhook never reads or writes sync state itself.
    this.dataverseWebhookFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [pipeline.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['seen#*'] } },
      })
    );
    credentials.grantReadSettings(this.dataverseWebhookFunction);

    this.xeroWebhookFunction = new ConnectorFunction(this, 'XeroWebhookFunction', {
      defaults: functionDefaults,
      entry: 'lambdas/handlers/xero-webhook.ts',
      description: 'Verifies Xero webhook signatures and queues write-back events',
      environment: { XERO_EVENTS_QUEUE_URL: pipeline.xeroEvents.queue.queueUrl },
    });
    pipeline.xeroEvents.queue.grantSendMessages(this.xeroWebhookFunction);
    credentials.grantReadSettings(this.xeroWebhookFunction);

    this.oauthFunction = new ConnectorFunction(this, 'OAuthFunction', {
      defaults: functionDefaults,
      entry: 'lambdas/handlers/oauth.ts',
      description: 'Xero consent (connect, callback, tenant choice), health and status',
      environment: {
        TOKEN_FUNCTION_NAME: credentials.tokenFunction.functionName,
        // The function's own public callback; the API URL is known only at deploy time.
        XERO_REDIRECT_URI: this.callbackUrl,
        CHANGES_QUEUE_URL: pipeline.changes.queue.queueUrl,
        CHANGES_DLQ_URL: pipeline.changes.deadLetterQueue.queueUrl,
        WRITES_QUEUE_URL: pipeline.writes.queue.queueUrl,
        WRITES_DLQ_URL: pipeline.writes.deadLetterQueue.queueUrl,
        SYNC_STATE_TABLE: pipeline.table.tableName,
        PENDING_CONSENT_SECRET_ARN: credentials.pendingConsentSecret.secretArn,
      },
    });
    credentials.grantReadSettings(this.oauthFunction);
    // Only the token function writes the token secret: the callback hands it the new connection to store.
    credentials.grantInvokeTokenFunction(this.oauthFunction);
    credentials.pendingConsentSecret.grantRead(this.oauthFunction);
    credentials.pendingConsentSecret.grantWrite(this.oauthFunction);
    pipeline.grantStatusRead(this.oauthFunction);
    // Consent states and links are single use across containers: their nonces are burnt in the sync-state table.
    pipeline.table.grantWriteData(this.oauthFunction);

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
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'Low-volume webhook endpoint protected by stage throttling and per-request authentication; attach a WAF ' +
          'web ACL where the organisation mandates one (not included to keep the base cost near zero).',
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
