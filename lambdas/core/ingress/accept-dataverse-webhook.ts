/**
 * The Dataverse webhook use case: authenticate, bound, parse, filter, enqueue exactly one ChangeEvent, answer.
 *
 * Status codes are chosen for how Dataverse reacts to them: only 502/503/504 get one more attempt, every other
 * non-2xx fails the async job for good. So:
 *   401 wrong/missing key (nothing parsed)   413 body over the limit   415 not application/json
 *   400 not a usable context, or a table this connector does not sync (a mis-registered step then shows as failed
 *       in Dataverse's System Jobs instead of being silently swallowed)
 *   403 another organisation                 503 the queue failed (Dataverse retries once; nothing was written)
 *   202 accepted, or ignored on purpose (a message or user we do not sync, a line whose order is unknown).
 *
 * Authentication: Dataverse "WebhookKey" auth (serviceendpoint authtype 4) appends `?code=<key>`; "HttpHeader" auth
 * (authtype 5) can send the key in the `x-connector-key` header instead. Either is accepted; the header wins.
 */
import { ValidationError } from '../errors';
import type { ChangeEvent, SyncedTable } from '../model/change-event';
import { CHANGE_MESSAGES, isSyncedTable } from '../model/change-event';
import type { ChangeQueue, Clock, Logger } from '../ports';
import type { ParsedDataverseChange } from './dataverse-webhook-parser';
import { parseRemoteExecutionContext } from './dataverse-webhook-parser';
import { headerValue, secretsEqual, sha256Hex } from './webhook-key';

/** The header an HttpHeader-authenticated webhook registration sends the key in. */
export const CONNECTOR_KEY_HEADER = 'x-connector-key';
/** Dataverse strips contexts over 256 KB itself, so anything far beyond that is not Dataverse. */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024;

export interface AcceptDataverseWebhookSettings {
  readonly webhookKey: string;
  /** Expected organisation: its OrganizationId, unique name or environment host (x-ms-dynamics-organization). */
  readonly organization?: string;
  readonly syncedTables: readonly SyncedTable[];
  /** The connector's own application user (systemuserid): its changes are ignored to prevent sync loops. */
  readonly ignoreUserId?: string;
  readonly maxBodyBytes?: number;
}

export interface AcceptDataverseWebhookDeps {
  readonly queue: ChangeQueue;
  readonly settings: AcceptDataverseWebhookSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told of a synced record's change the connector made itself (ignored), for the sweep (core/sweep). */
  readonly onOwnChange?: (table: SyncedTable, id: string, occurredAt: string) => Promise<void>;
}

export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type AcceptDataverseWebhook = (request: WebhookRequest) => Promise<WebhookResponse>;

export function createAcceptDataverseWebhook(deps: AcceptDataverseWebhookDeps): AcceptDataverseWebhook {
  const { queue, settings, clock, logger } = deps;
  // Refuse to run without a key rather than accept unauthenticated traffic.
  if (!settings.webhookKey)
    throw new ValidationError('Dataverse webhook key is not configured (DATAVERSE_WEBHOOK_KEY)');
  const maxBodyBytes = settings.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const ignoreUserId = settings.ignoreUserId?.toLowerCase();

  return async (request) => {
    const presented = headerValue(request.headers, CONNECTOR_KEY_HEADER) ?? request.query['code'];
    if (presented === undefined || !secretsEqual(presented, settings.webhookKey)) {
      logger.warn('dataverse webhook rejected: missing or wrong key', { keyPresent: presented !== undefined });
      return json(401, { accepted: false, reason: 'unauthorized' });
    }
    if (request.rawBody.length > maxBodyBytes) {
      logger.warn('dataverse webhook rejected: body too large', { bytes: request.rawBody.length, maxBodyBytes });
      return json(413, { accepted: false, reason: `body larger than ${maxBodyBytes} bytes` });
    }

    // Dataverse posts the RemoteExecutionContext as application/json
    // (https://learn.microsoft.com/power-apps/developer/data-platform/use-webhooks#request-headers).
    const contentType = headerValue(request.headers, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType.trim())) {
      logger.warn('dataverse webhook rejected: not JSON', { contentType: contentType.slice(0, 60) });
      return json(415, { accepted: false, reason: 'content-type must be application/json' });
    }

    let change: ParsedDataverseChange;
    try {
      change = parseRemoteExecutionContext(request.rawBody, request.headers);
    } catch (error) {
      const reason = error instanceof ValidationError ? error.message : 'unreadable body';
      const issues = error instanceof ValidationError ? error.issues : [];
      logger.warn('dataverse webhook rejected: invalid body', { reason, issues });
      return json(400, { accepted: false, reason, issues });
    }
    const fields = logFields(change);

    if (settings.organization && !isExpectedOrganization(change, settings.organization)) {
      logger.warn('dataverse webhook rejected: other organisation', {
        ...fields,
        organizationId: change.organizationId,
      });
      return json(403, { accepted: false, reason: 'organization not served by this connector' });
    }

    if (!isSyncedTable(change.table) || !settings.syncedTables.includes(change.table)) {
      logger.warn('dataverse webhook rejected: table not synced', fields);
      return json(400, {
        accepted: false,
        reason: `table ${change.source.table} is not synced by this connector; remove its webhook step`,
      });
    }
    const ignoredBecause = ignoreReason(change, ignoreUserId);
    if (ignoredBecause) {
      const log = change.unresolved ? logger.warn : logger.info;
      log.call(logger, 'dataverse webhook ignored', { ...fields, reason: ignoredBecause });
      if (deps.onOwnChange && ignoredBecause === OWN_CHANGE && change.id && isSyncedTable(change.table))
        await deps.onOwnChange(change.table, change.id, change.occurredAt);
      return json(202, { accepted: false, ignored: true, reason: ignoredBecause });
    }

    const event = toChangeEvent(change);
    try {
      await queue.enqueue([event]);
    } catch (error) {
      logger.error('dataverse webhook: enqueue failed', {
        ...fields,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return json(503, { accepted: false, reason: 'queue unavailable, retry later' });
    }
    logger.info('dataverse change accepted', {
      ...fields,
      dedupeId: event.dedupeId,
      receivedAt: clock.now().toISOString(),
    });
    return json(202, {
      accepted: true,
      table: event.table,
      id: event.id,
      message: event.message,
      dedupeId: event.dedupeId,
    });
  };
}

const OWN_CHANGE = 'change made by the connector itself';

function ignoreReason(change: ParsedDataverseChange, ignoreUserId: string | undefined): string | undefined {
  if (ignoreUserId && (change.initiatingUserId === ignoreUserId || change.userId === ignoreUserId)) {
    return OWN_CHANGE;
  }
  if (!(CHANGE_MESSAGES as readonly string[]).includes(change.source.message)) {
    return `message ${change.source.message} is not synced`;
  }
  if (change.id === undefined) return change.unresolved ?? 'record id unknown';
  return undefined;
}

function toChangeEvent(change: ParsedDataverseChange): ChangeEvent {
  // Callers reach here only after ignoreReason() confirmed the table, message and id.
  const table = change.table as SyncedTable;
  const message = change.message as ChangeEvent['message'];
  const id = change.id as string;
  // Redelivery of the same operation (Dataverse's one retry, an API Gateway timeout) must collapse to one event.
  const dedupeId = change.operationId
    ? `${change.operationId}:${change.source.message}`
    : `h:${sha256Hex([change.source.table, change.source.id, change.source.message, change.occurredAt, change.correlationId ?? '', change.requestId ?? ''])}`;
  return {
    table,
    id,
    message,
    occurredAt: change.occurredAt,
    dedupeId,
    ...(change.correlationId ? { correlationId: change.correlationId } : {}),
    ...(change.operationId ? { operationId: change.operationId } : {}),
    source: 'dataverse-webhook',
  };
}

function isExpectedOrganization(change: ParsedDataverseChange, expected: string): boolean {
  const wanted = normaliseOrganization(expected);
  return [change.organizationId, change.organizationName, change.organizationHost].some(
    (candidate) => candidate !== undefined && normaliseOrganization(candidate) === wanted
  );
}

/** Accepts "contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com/" or an id/unique name alike. */
function normaliseOrganization(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
}

function logFields(change: ParsedDataverseChange): Record<string, unknown> {
  return {
    table: change.table,
    id: change.id,
    // Not `message`: structured loggers (Powertools) reserve that key for the log line itself and drop the field.
    dataverseMessage: change.message,
    sourceTable: change.source.table,
    sourceId: change.source.id,
    correlationId: change.correlationId,
    operationId: change.operationId,
  };
}

function json(status: number, body: Record<string, unknown>): WebhookResponse {
  return {
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  };
}
