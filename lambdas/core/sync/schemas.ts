import * as z from 'zod';
import { CHANGE_MESSAGES, SYNCED_TABLES, type ChangeEvent } from '../model/change-event';
import type { XeroWrite } from '../model/xero-write';
import { ValidationError } from '../errors';

const changeEventSchema = z.object({
  table: z.enum(SYNCED_TABLES),
  id: z.string().regex(/^[0-9a-f-]{36}$/i),
  message: z.enum(CHANGE_MESSAGES),
  occurredAt: z.string(),
  dedupeId: z.string().min(1),
  correlationId: z.string().optional(),
  operationId: z.string().optional(),
  source: z.enum(['dataverse-webhook', 'retry', 'backfill', 'redrive', 'manual', 'sweep']),
});

const sourceSchema = z.object({
  table: z.enum(SYNCED_TABLES),
  id: z.string(),
  event: z.enum(CHANGE_MESSAGES),
  version: z.string().optional(),
  correlationId: z.string().optional(),
});

const writeSchema = z.object({
  kind: z.enum([
    'upsert-contact',
    'archive-contact',
    'upsert-item',
    'stop-selling-item',
    'upsert-invoice',
    'cancel-invoice',
  ]),
  source: sourceSchema,
  /** The routed Xero organisation (core/routing); absent for the default (only) one. */
  tenantId: z.string().min(1).optional(),
});

/** Parse a queued change; a malformed message is a permanent error (it can never succeed). */
export function parseChangeEvent(body: string): ChangeEvent {
  const parsed = changeEventSchema.safeParse(safeJson(body));
  if (!parsed.success)
    throw new ValidationError(
      'malformed change event',
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    );
  return parsed.data;
}

/** Parse a queued Xero write. The document itself was produced by our own mapper; only the envelope is checked. */
export function parseXeroWrite(body: string): XeroWrite {
  const json = safeJson(body);
  const parsed = writeSchema.safeParse(json);
  if (!parsed.success)
    throw new ValidationError(
      'malformed Xero write',
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    );
  return json as XeroWrite;
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
