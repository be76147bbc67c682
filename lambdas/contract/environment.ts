/**
 * The deployment contract between the CDK app (lib/) and the Lambda handlers: every environment variable a
 * function may receive is named here once, and each function declares which names it requires and which it may
 * read. The constructs set variables only through this contract (lib/constructs/bindings.ts), the handlers read
 * them only through a reader typed by it (lambdas/handlers/shared/env.ts), and test/infra/deployment-contract.test.ts
 * checks the synthesized template against it. Plain constants only: it is bundled into every function and
 * imported by the CDK app, so it must import nothing.
 */

/** Every environment variable a connector function can receive, by name. */
export const ENV = {
  // Stage values (lib/config).
  DATAVERSE_URL: 'DATAVERSE_URL',
  DATAVERSE_ORGANIZATION: 'DATAVERSE_ORGANIZATION',
  DATAVERSE_CONNECTOR_USER_ID: 'DATAVERSE_CONNECTOR_USER_ID',
  XERO_API_URL: 'XERO_API_URL',
  XERO_IDENTITY_URL: 'XERO_IDENTITY_URL',
  XERO_LOGIN_URL: 'XERO_LOGIN_URL',
  XERO_TENANT_ID: 'XERO_TENANT_ID',
  XERO_AUTH_MODE: 'XERO_AUTH_MODE',
  XERO_SCOPES: 'XERO_SCOPES',
  MAPPING_SETTINGS: 'MAPPING_SETTINGS',
  WRITEBACK_COLUMNS: 'WRITEBACK_COLUMNS',
  XERO_DAY_BUDGET: 'XERO_DAY_BUDGET',
  // Integration-log options (docs/dataverse-setup.md); defaults apply when unset.
  DATAVERSE_LOG_MODE: 'DATAVERSE_LOG_MODE',
  DATAVERSE_WRITE_BACK: 'DATAVERSE_WRITE_BACK',
  DATAVERSE_PUBLISHER_PREFIX: 'DATAVERSE_PUBLISHER_PREFIX',
  DATAVERSE_LOG_ENTITY_SET: 'DATAVERSE_LOG_ENTITY_SET',
  DATAVERSE_LOG_REGARDING_NAVIGATION: 'DATAVERSE_LOG_REGARDING_NAVIGATION',
  // Public URLs of the API (known at deploy time only).
  XERO_REDIRECT_URI: 'XERO_REDIRECT_URI',
  CONNECT_URL: 'CONNECT_URL',
  // Resources; each is set together with the grant it implies (lib/constructs/bindings.ts).
  CHANGES_QUEUE_URL: 'CHANGES_QUEUE_URL',
  CHANGES_DLQ_URL: 'CHANGES_DLQ_URL',
  WRITES_QUEUE_URL: 'WRITES_QUEUE_URL',
  WRITES_DLQ_URL: 'WRITES_DLQ_URL',
  XERO_EVENTS_QUEUE_URL: 'XERO_EVENTS_QUEUE_URL',
  XERO_EVENTS_DLQ_URL: 'XERO_EVENTS_DLQ_URL',
  SYNC_STATE_TABLE: 'SYNC_STATE_TABLE',
  /** The table holding each tenant's shared Xero budget (the sync-state table, `xero-budget#` keys only). */
  XERO_BUDGET_TABLE: 'XERO_BUDGET_TABLE',
  TOKEN_FUNCTION_NAME: 'TOKEN_FUNCTION_NAME',
  XERO_TOKEN_SECRET_ARN: 'XERO_TOKEN_SECRET_ARN',
  PENDING_CONSENT_SECRET_ARN: 'PENDING_CONSENT_SECRET_ARN',
  XERO_APP_SECRET_ARN: 'XERO_APP_SECRET_ARN',
  DATAVERSE_APP_SECRET_ARN: 'DATAVERSE_APP_SECRET_ARN',
  DATAVERSE_WEBHOOK_SECRET_ARN: 'DATAVERSE_WEBHOOK_SECRET_ARN',
  XERO_WEBHOOK_SECRET_ARN: 'XERO_WEBHOOK_SECRET_ARN',
  ADMIN_SECRET_ARN: 'ADMIN_SECRET_ARN',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** What a function needs from its environment: `required` must be set by its construct; `optional` may be. */
export interface FunctionEnvContract {
  /** Handler file relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly required: readonly EnvName[];
  readonly optional: readonly EnvName[];
}

const XERO_CONNECTION = [ENV.XERO_LOGIN_URL, ENV.XERO_IDENTITY_URL, ENV.XERO_API_URL, ENV.XERO_REDIRECT_URI] as const;
const XERO_CONNECTION_OPTIONS = [ENV.XERO_TENANT_ID, ENV.XERO_AUTH_MODE, ENV.XERO_SCOPES] as const;
const DATAVERSE_APP = [ENV.DATAVERSE_URL, ENV.DATAVERSE_APP_SECRET_ARN] as const;
const INTEGRATION_LOG_OPTIONS = [
  ENV.DATAVERSE_LOG_MODE,
  ENV.DATAVERSE_WRITE_BACK,
  ENV.DATAVERSE_PUBLISHER_PREFIX,
  ENV.DATAVERSE_LOG_ENTITY_SET,
  ENV.DATAVERSE_LOG_REGARDING_NAVIGATION,
] as const;

/** Per function: the names its handler (with the shared deps it composes) reads. */
export const FUNCTION_CONTRACTS = {
  dataverseWebhook: {
    entry: 'lambdas/handlers/dataverse-webhook.ts',
    required: [ENV.CHANGES_QUEUE_URL, ENV.DATAVERSE_WEBHOOK_SECRET_ARN, ENV.MAPPING_SETTINGS, ENV.SYNC_STATE_TABLE],
    optional: [ENV.DATAVERSE_ORGANIZATION, ENV.DATAVERSE_CONNECTOR_USER_ID],
  },
  xeroWebhook: {
    entry: 'lambdas/handlers/xero-webhook.ts',
    required: [ENV.XERO_EVENTS_QUEUE_URL, ENV.XERO_WEBHOOK_SECRET_ARN],
    optional: [],
  },
  oauth: {
    entry: 'lambdas/handlers/oauth.ts',
    required: [
      ...XERO_CONNECTION,
      ENV.TOKEN_FUNCTION_NAME,
      ENV.ADMIN_SECRET_ARN,
      ENV.PENDING_CONSENT_SECRET_ARN,
      ENV.SYNC_STATE_TABLE,
      ENV.CHANGES_QUEUE_URL,
      ENV.CHANGES_DLQ_URL,
      ENV.WRITES_QUEUE_URL,
      ENV.WRITES_DLQ_URL,
      ENV.XERO_EVENTS_QUEUE_URL,
      ENV.XERO_EVENTS_DLQ_URL,
    ],
    // DATAVERSE_URL: the status page links each record into Dynamics 365.
    optional: [...XERO_CONNECTION_OPTIONS, ENV.DATAVERSE_URL],
  },
  tokenService: {
    entry: 'lambdas/handlers/token-service.ts',
    required: [...XERO_CONNECTION, ENV.XERO_TOKEN_SECRET_ARN, ENV.XERO_APP_SECRET_ARN, ENV.CONNECT_URL],
    optional: [...XERO_CONNECTION_OPTIONS],
  },
  mapChanges: {
    entry: 'lambdas/handlers/map-changes.ts',
    required: [
      ...DATAVERSE_APP,
      ENV.MAPPING_SETTINGS,
      ENV.SYNC_STATE_TABLE,
      ENV.CHANGES_QUEUE_URL,
      ENV.CHANGES_DLQ_URL,
      ENV.WRITES_QUEUE_URL,
    ],
    optional: [...INTEGRATION_LOG_OPTIONS],
  },
  postXeroWrites: {
    entry: 'lambdas/handlers/post-xero-writes.ts',
    required: [
      ENV.XERO_BUDGET_TABLE,
      ...DATAVERSE_APP,
      ENV.MAPPING_SETTINGS,
      ENV.SYNC_STATE_TABLE,
      ENV.WRITES_QUEUE_URL,
      ENV.WRITES_DLQ_URL,
      ENV.TOKEN_FUNCTION_NAME,
      ENV.XERO_API_URL,
    ],
    optional: [...INTEGRATION_LOG_OPTIONS],
  },
  xeroWriteback: {
    entry: 'lambdas/handlers/xero-writeback.ts',
    required: [
      ENV.XERO_BUDGET_TABLE,
      ...DATAVERSE_APP,
      ENV.SYNC_STATE_TABLE,
      ENV.TOKEN_FUNCTION_NAME,
      ENV.XERO_API_URL,
      ENV.WRITEBACK_COLUMNS,
      ENV.XERO_EVENTS_QUEUE_URL,
      ENV.XERO_EVENTS_DLQ_URL,
    ],
    optional: [ENV.XERO_TENANT_ID],
  },
  sweep: {
    entry: 'lambdas/handlers/sweep.ts',
    required: [
      ENV.XERO_BUDGET_TABLE,
      ...DATAVERSE_APP,
      ENV.MAPPING_SETTINGS,
      ENV.SYNC_STATE_TABLE,
      ENV.CHANGES_QUEUE_URL,
      ENV.TOKEN_FUNCTION_NAME,
      ENV.XERO_API_URL,
    ],
    optional: [],
  },
  reconcile: {
    entry: 'lambdas/handlers/reconcile.ts',
    required: [
      ENV.XERO_BUDGET_TABLE,
      ...DATAVERSE_APP,
      ENV.MAPPING_SETTINGS,
      ENV.SYNC_STATE_TABLE,
      ENV.TOKEN_FUNCTION_NAME,
      ENV.XERO_API_URL,
    ],
    optional: [],
  },
  operations: {
    entry: 'lambdas/handlers/operations.ts',
    required: [
      ...DATAVERSE_APP,
      ENV.MAPPING_SETTINGS,
      ENV.SYNC_STATE_TABLE,
      ENV.CHANGES_QUEUE_URL,
      ENV.XERO_DAY_BUDGET,
    ],
    optional: [],
  },
} as const satisfies Record<string, FunctionEnvContract>;

export type FunctionId = keyof typeof FUNCTION_CONTRACTS;
export type RequiredEnv<F extends FunctionId> = (typeof FUNCTION_CONTRACTS)[F]['required'][number];
export type OptionalEnv<F extends FunctionId> = (typeof FUNCTION_CONTRACTS)[F]['optional'][number];

/** Names every function may receive because the construct sets them itself (runtime, Powertools). */
export const RUNTIME_ENV_NAMES = [
  'STAGE',
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
] as const;

/** Every name a function may be given: required, optional, or set by the runtime defaults. */
export function declaredEnv(fn: FunctionId): ReadonlySet<string> {
  const contract: FunctionEnvContract = FUNCTION_CONTRACTS[fn];
  return new Set<string>([...contract.required, ...contract.optional, ...RUNTIME_ENV_NAMES]);
}
