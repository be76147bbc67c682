import type { MappingSettings } from '../../lambdas/core/settings';
import type { WritebackColumns } from '../../lambdas/core/writeback/columns';

/** The deployable stages. Adding one means adding its entry to `environments` in environments.ts. */
export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** A rate for EventBridge Scheduler, e.g. "20 minutes", "1 hour". */
export type RateExpression = `${number} ${'minute' | 'minutes' | 'hour' | 'hours' | 'day' | 'days'}`;

/** Where the connector talks to Xero; overridable so a stage can point at a sandbox. */
export interface XeroEndpoints {
  /** @default https://api.xero.com */
  readonly apiUrl: string;
  /** @default https://identity.xero.com */
  readonly identityUrl: string;
  /** @default https://login.xero.com */
  readonly loginUrl: string;
}

/** Thresholds for alarms that are business judgements rather than infrastructure facts. */
export interface AlarmThresholds {
  /** Alarm when the stored refresh token has not been rotated for this long (Xero kills it at 60 days unused). */
  readonly refreshTokenAgeHours: number;
  /** Alarm when fewer than this many Xero API calls remain in the tenant's day budget (5,000/day). */
  readonly xeroDayLimitRemaining: number;
}

/** AWS WAF on the API stage (lib/constructs/ingress-firewall.ts); limits are requests per IP per 5 minutes. */
export interface IngressProtection {
  /** Consent, status and health routes. @default 300 */
  readonly perIpLimit?: number;
  /** The Dataverse and Xero webhook routes (few senders, bursty). @default 6000 */
  readonly webhookPerIpLimit?: number;
  /** When set, every other source is blocked: include Dataverse's and Xero's egress ranges and the operators'. */
  readonly allowedSourceCidrs?: readonly string[];
}

/** Everything that differs between stages. Secrets are never here: only where they live (Secrets Manager). */
export interface EnvironmentConfig {
  readonly stage: Stage;
  /** Dataverse environment, e.g. https://contoso.crm.dynamics.com */
  readonly dataverseUrl: string;
  /** Refuse Dataverse webhooks from any other organisation (its id, unique name or host). Unset = no check. */
  readonly dataverseOrganization?: string;
  /** The connector's application user (systemuserid GUID): its own writes never trigger a sync. */
  readonly dataverseConnectorUserId?: string;
  /** Write-back column names on salesorder, when not the defaults `connector setup-dataverse` creates. */
  readonly writebackColumns?: Partial<WritebackColumns>;
  /**
   * Pin the Xero organisation (tenant id GUID), or several separated by commas (the first is the default); when
   * absent the operator chooses at consent time.
   */
  readonly xeroTenantId?: string;
  readonly xero: XeroEndpoints;
  /** Who receives alarm e-mails (each must confirm the SNS subscription). */
  readonly alarmEmails: readonly string[];
  /** How Dataverse records become Xero documents; spread over DEFAULT_MAPPING_SETTINGS. */
  readonly mapping: MappingSettings;
  readonly schedules: {
    /** How often the token function refreshes the Xero access token (tokens live 30 minutes). */
    readonly tokenRefreshRate: RateExpression;
    /** For Xero orgs without webhooks: how often to poll invoices changed since the last poll. Unset = no poll. */
    readonly invoicePollRate?: RateExpression;
    /** How often the Dataverse catch-up sweep runs (and checks whether the Xero preflight is due). @default 5 minutes */
    readonly dataverseSweepRate?: RateExpression;
  };
  /** CloudWatch log retention for every function and the API access log, in days (a RetentionDays value). */
  readonly logRetentionDays: number;
  /** Keep secrets, the sync-state table and the KMS key when the stack is deleted. */
  readonly retainData: boolean;
  /** DynamoDB point-in-time recovery for the sync-state table. */
  readonly pointInTimeRecovery: boolean;
  /** Cap on concurrent Xero writers; Xero allows 5 concurrent calls per tenant and the token fn needs headroom. */
  readonly postConcurrency: number;
  /** Stage-wide API Gateway throttling. */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Per-IP WAF limits and an optional source allow-list; defaults apply when absent. */
  readonly ingressProtection?: IngressProtection;
  readonly alarmThresholds: AlarmThresholds;
  /** Xero calls a day the tenant allows (5,000; 1,000 on the Starter plan): what backfill estimates plan against. */
  readonly xeroDayBudget: number;
}
