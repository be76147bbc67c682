/**
 * What the operator's status page, `GET /status` and `connector status` show, on both runtimes. The local runtime
 * builds it from SQLite, the AWS stack from DynamoDB, SQS and the token function; one renderer draws it and one
 * formatter prints it, so the two runtimes cannot drift. Times are ISO 8601 instants (UTC): the page shows them
 * relative and in the viewer's zone, `--json` keeps them exact.
 */
import type { PreflightStatus } from '../preflight/preflight-report';
import type { SweepStatus } from '../sweep/sweep-report';
import type { SyncedTable } from '../model/change-event';

export type StatusRuntime = 'sandbox' | 'local' | 'aws';

/** A Dataverse record as a person recognises it: its name, with links to open it in Dynamics and in Xero. */
export interface StatusRecord {
  readonly table: SyncedTable;
  readonly id: string;
  /** Account/contact full name, product name, order number; absent when never read. */
  readonly name?: string;
  /** Opens the record in Dynamics 365 (main.aspx?pagetype=entityrecord&etn=…&id=…), when the org URL is known. */
  readonly dynamicsUrl?: string;
  /** Opens the document in Xero (deep link through the organisation's ShortCode), once it exists there. */
  readonly xeroUrl?: string;
}

export interface StatusOutcome extends StatusRecord {
  readonly at: string;
  readonly status: 'synced' | 'failed' | 'skipped';
  readonly message: string;
  readonly xeroId?: string;
}

export type StatusQueueName = 'changes' | 'writes' | 'xero-events';

/** A message in a dead-letter queue, identified so that Retry can bring back exactly that one. */
export interface StatusDeadLetter {
  readonly queue: StatusQueueName;
  /** Opaque to the page: what POST /admin/retry sends back to name this dead letter. */
  readonly retryKey: string;
  readonly record?: StatusRecord;
  readonly reason?: string;
  /** When it was dead-lettered, when known. */
  readonly at?: string;
}

/** Outcomes in one clock hour (`hourStart` is the hour's first instant, UTC). */
export interface StatusHour {
  readonly hourStart: string;
  readonly synced: number;
  readonly failed: number;
}

export interface StatusConnection {
  readonly state: 'not_connected' | 'connected' | 'reconnect_required';
  readonly tenantName?: string;
  readonly tenantId?: string;
  /** Why reconnecting is needed and what to do. */
  readonly reason?: string;
  readonly refreshedAt?: string;
  /** The refresh token's issue time; it dies 60 days after that unless used (the schedule keeps rotating it). */
  readonly refreshTokenIssuedAt?: string;
  /** refreshTokenIssuedAt + 60 days: shown to people as a date. */
  readonly refreshTokenExpiresAt?: string;
  /** XERO_TENANT_ID (stage `xeroTenantId`) is set: a consent can only ever connect that organisation. */
  readonly tenantPinned?: boolean;
  /** Every Xero organisation the connector may use (several when records are routed), each with its own state. */
  readonly organisations?: readonly StatusOrganisation[];
}

export interface StatusOrganisation {
  readonly tenantId: string;
  readonly tenantName?: string;
  /** `reconnect_required` pauses only this organisation's work. */
  readonly state: 'connected' | 'reconnect_required';
  readonly reason?: string;
  /** Opens the organisation in Xero. */
  readonly xeroUrl?: string;
}

export interface StatusSnapshot {
  readonly runtime: StatusRuntime;
  /** When the snapshot was taken (the page's "updated" time and the reference for relative times). */
  readonly generatedAt: string;
  readonly connection: StatusConnection;
  /** Waiting (ready + in flight + delayed) and dead-lettered messages per queue. */
  readonly queues: Readonly<Partial<Record<StatusQueueName, { readonly depth: number; readonly dead: number }>>>;
  readonly counts: { readonly synced: number; readonly failed: number; readonly skipped: number };
  /** The last 24 clock hours, oldest first, hours without outcomes included as zeros. */
  readonly hourly: readonly StatusHour[];
  /** Newest first. */
  readonly recent: readonly StatusOutcome[];
  /** Permanent failures (no retry pending), newest first. */
  readonly failures: readonly StatusOutcome[];
  readonly deadLetters: readonly StatusDeadLetter[];
  /** Where the page's Connect/Reconnect button starts a consent for the signed-in operator. */
  readonly connectPath: string;
  readonly sweep?: SweepStatus;
  readonly preflight?: PreflightStatus;
  /** Sentences an operator must read first (e.g. no tenant pinned). */
  readonly warnings: readonly string[];
}

/** Xero refresh tokens expire 60 days after issue when unused (research/xero.md, "Refresh token lifetime"). */
export const REFRESH_TOKEN_LIFETIME_DAYS = 60;
