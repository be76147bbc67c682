/**
 * Turns the body Dataverse POSTs to a webhook (a JSON-serialised RemoteExecutionContext) into the few facts the
 * connector keeps: which record changed, how, when, and who caused it. The record itself is re-read later, so
 * nothing else from the payload (changed columns, images, formatted values) is trusted or kept.
 *
 * Pure: no I/O. Every malformed input ends as a ValidationError with a short, payload-free reason.
 */
import * as z from 'zod';
import { ValidationError } from '../errors';

/** The line table whose changes are reported as a change of their parent order. */
export const ORDER_LINE_TABLE = 'salesorderdetail';

export interface ParsedDataverseChange {
  /** Logical name of the record the connector should re-read (a line's change becomes its order's change). */
  readonly table: string;
  /** Lower-case GUID of that record; undefined only when a line's order cannot be known (see `unresolved`). */
  readonly id: string | undefined;
  /** The message for `table`: a line Create/Update/Delete is an Update of its order. */
  readonly message: string;
  /** What Dataverse reported: PrimaryEntityName, PrimaryEntityId and MessageName as sent. */
  readonly source: { readonly table: string; readonly id: string; readonly message: string };
  /** OperationCreatedOn as ISO 8601 UTC. */
  readonly occurredAt: string;
  readonly correlationId?: string;
  /** The async operation id; absent (or the empty GUID, dropped here) for synchronous steps. */
  readonly operationId?: string;
  readonly requestId?: string;
  readonly organizationId?: string;
  /** Body OrganizationName (unique name) or, failing that, the x-ms-dynamics-organization header. */
  readonly organizationName?: string;
  /** The x-ms-dynamics-organization header (environment domain), when sent. */
  readonly organizationHost?: string;
  readonly depth?: number;
  /** The user whose action caused the change: compared with the connector's own application user. */
  readonly initiatingUserId?: string;
  /** The user the step ran as (differs from the initiating user under impersonation). */
  readonly userId?: string;
  /** True when Dataverse stripped InputParameters/images because the context exceeded 256 KB. */
  readonly sizeExceeded: boolean;
  /** Why `id` is undefined: set only for an order line whose order id the payload does not carry. */
  readonly unresolved?: string;
}

export type WebhookHeaders = Readonly<Record<string, string | undefined>>;

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const WCF_DATE = /^\/Date\((-?\d{1,16})([+-]\d{4})?\)\/$/;
const MAX_NESTING_PARSES = 2;
const CHECKED_MESSAGES: ReadonlySet<string> = new Set(['Create', 'Update', 'Delete']);

const guid = z.guid();
const keyValue = z.object({ key: z.string(), value: z.unknown() });
const keyValueList = z.array(keyValue);

const entityReference = z.object({ Id: guid, LogicalName: z.string().min(1) });
const entity = z.object({
  Id: z.string().nullish(),
  LogicalName: z.string().min(1),
  Attributes: keyValueList,
});

const executionContext = z.object({
  MessageName: z.string().min(1).max(200),
  PrimaryEntityName: z.string().min(1).max(200),
  PrimaryEntityId: guid,
  OperationCreatedOn: z.string(),
  CorrelationId: guid.nullish(),
  OperationId: guid.nullish(),
  RequestId: guid.nullish(),
  OrganizationId: guid.nullish(),
  OrganizationName: z.string().max(500).nullish(),
  Depth: z.number().int().nonnegative().nullish(),
  InitiatingUserId: guid.nullish(),
  UserId: guid.nullish(),
  InputParameters: keyValueList.nullish(),
  OutputParameters: keyValueList.nullish(),
  PreEntityImages: keyValueList.nullish(),
  PostEntityImages: keyValueList.nullish(),
});
type ExecutionContext = z.infer<typeof executionContext>;

/** Parses a webhook body. Throws ValidationError (never anything else) when it is not a usable context. */
export function parseRemoteExecutionContext(rawBody: string | Buffer, headers: WebhookHeaders): ParsedDataverseChange {
  try {
    return parseOrThrow(rawBody, lowerCaseKeys(headers));
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // Defensive: a bug here must still look like bad input to the caller, not crash the handler.
    throw new ValidationError('webhook body could not be read', [error instanceof Error ? error.name : 'unknown']);
  }
}

function parseOrThrow(rawBody: string | Buffer, headers: WebhookHeaders): ParsedDataverseChange {
  const context = validateContext(decodeJson(rawBody));
  const sizeExceeded = headers['x-ms-dynamics-msg-size-exceeded'] !== undefined;
  const sourceTable = context.PrimaryEntityName.toLowerCase();
  const sourceId = primaryId(context);
  const message = context.MessageName;
  checkTarget(context, sourceTable, sourceId);

  const organizationHost = nonEmpty(headers['x-ms-dynamics-organization']);
  const base = {
    source: { table: sourceTable, id: sourceId, message },
    occurredAt: wcfDateToIso(context.OperationCreatedOn),
    correlationId: realGuid(context.CorrelationId ?? headers['x-ms-correlation-request-id']),
    operationId: realGuid(context.OperationId),
    requestId: realGuid(context.RequestId ?? headers['x-request-id']),
    organizationId: realGuid(context.OrganizationId),
    organizationName: nonEmpty(context.OrganizationName ?? undefined) ?? organizationHost,
    organizationHost,
    depth: context.Depth ?? undefined,
    initiatingUserId: realGuid(context.InitiatingUserId),
    userId: realGuid(context.UserId),
    sizeExceeded,
  };
  if (sourceTable !== ORDER_LINE_TABLE) {
    return withoutUndefined({ ...base, table: sourceTable, id: sourceId, message });
  }
  // A line change is an order change: the order is re-read with all its lines.
  const orderId = findOrderId(context);
  if (orderId) return withoutUndefined({ ...base, table: 'salesorder', id: orderId, message: 'Update' });
  return withoutUndefined({
    ...base,
    table: 'salesorder',
    id: undefined,
    message: 'Update',
    unresolved: sizeExceeded
      ? 'order line payload exceeded 256 KB and lost its order reference'
      : 'order line change carries no salesorderid: register an entity image with salesorderid on the ' +
        'salesorderdetail steps (post-image for Create/Update, pre-image for Delete)',
  });
}

/**
 * Bytes are decoded as UTF-8 (the webhook's messagecharset). A body that was double-encoded upstream (UTF-8 read as
 * Windows-1252, seen in the wild) still decodes, just with mojibake in names; that is harmless here because only
 * ids, message names and dates are kept and the record is re-read through the Web API.
 */
function decodeJson(rawBody: string | Buffer): unknown {
  let text = typeof rawBody === 'string' ? rawBody : new TextDecoder('utf-8', { fatal: false }).decode(rawBody);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new ValidationError('webhook body is empty');
  let value: unknown = text;
  // Some deliveries arrive as a JSON string whose content is the JSON context: parse at most twice.
  for (let parses = 0; typeof value === 'string' && parses < MAX_NESTING_PARSES; parses += 1) {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ValidationError('webhook body is not JSON');
    }
  }
  return value;
}

function validateContext(value: unknown): ExecutionContext {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('webhook body is not a RemoteExecutionContext object');
  }
  const result = executionContext.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ValidationError('webhook body is not a valid RemoteExecutionContext', issues);
  }
  return result.data;
}

function primaryId(context: ExecutionContext): string {
  const id = context.PrimaryEntityId.toLowerCase();
  if (id !== EMPTY_GUID) return id;
  // Some Create contexts leave PrimaryEntityId empty; the new id is then in OutputParameters.id.
  const created = guid.safeParse(lookup(context.OutputParameters, 'id'));
  if (created.success && created.data !== EMPTY_GUID) return created.data.toLowerCase();
  throw new ValidationError('webhook body has no record id', ['PrimaryEntityId: empty GUID']);
}

/** Target is an Entity on Create/Update and an EntityReference on Delete; when present it must be the same record. */
function checkTarget(context: ExecutionContext, table: string, id: string): void {
  const target = lookup(context.InputParameters, 'Target');
  // Other messages (Assign, SetState…) carry other Target shapes; the caller ignores them anyway.
  if (target === undefined || target === null || !CHECKED_MESSAGES.has(context.MessageName)) return;
  const isDelete = context.MessageName === 'Delete';
  const shape = isDelete ? entityReference.safeParse(target) : entity.safeParse(target);
  if (!shape.success) {
    throw new ValidationError(`InputParameters.Target is not an ${isDelete ? 'EntityReference' : 'Entity'}`);
  }
  if (shape.data.LogicalName.toLowerCase() !== table) {
    throw new ValidationError('InputParameters.Target names a different table than PrimaryEntityName');
  }
  const targetId = shape.data.Id?.toLowerCase();
  if (targetId && targetId !== EMPTY_GUID && targetId !== id) {
    throw new ValidationError('InputParameters.Target names a different record than PrimaryEntityId');
  }
}

/** A line's order id: the Target's salesorderid lookup, else any post- or pre-image that carries it. */
function findOrderId(context: ExecutionContext): string | undefined {
  const target = lookup(context.InputParameters, 'Target');
  const candidates = [target, ...imageValues(context.PostEntityImages), ...imageValues(context.PreEntityImages)];
  for (const candidate of candidates) {
    const parsed = entity.safeParse(candidate);
    if (!parsed.success) continue;
    const reference = entityReference.safeParse(lookup(parsed.data.Attributes, 'salesorderid'));
    if (reference.success && reference.data.LogicalName === 'salesorder') return reference.data.Id.toLowerCase();
  }
  return undefined;
}

function imageValues(images: readonly { key: string; value: unknown }[] | null | undefined): unknown[] {
  return (images ?? []).map((image) => image.value);
}

/** DataContract dictionaries are `{key,value}` arrays: look up by key, never by position. */
function lookup(list: readonly { key: string; value: unknown }[] | null | undefined, key: string): unknown {
  return list?.find((entry) => entry.key === key)?.value;
}

/** `/Date(ms)/` or `/Date(ms±hhmm)/`: ms is UTC epoch milliseconds, the offset is informational only. */
export function wcfDateToIso(value: string): string {
  const match = WCF_DATE.exec(value);
  const date = match ? new Date(Number(match[1])) : isoDate(value);
  if (!date || Number.isNaN(date.getTime())) {
    throw new ValidationError('OperationCreatedOn is not a /Date(ms)/ value');
  }
  return date.toISOString();
}

/** Lenient fallback for a context re-serialised with ISO dates; only full timestamps with a zone are accepted. */
function isoDate(value: string): Date | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? new Date(value)
    : undefined;
}

function realGuid(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = guid.safeParse(value);
  if (!parsed.success) return undefined;
  const lower = parsed.data.toLowerCase();
  return lower === EMPTY_GUID ? undefined : lower;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function lowerCaseKeys(headers: WebhookHeaders): WebhookHeaders {
  const lowered: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  return lowered;
}

/** Keeps optional fields absent rather than present-and-undefined (tidier logs and equality checks). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
