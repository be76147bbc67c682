/**
 * Xero webhooks: every POST is signed with base64(HMAC-SHA256(raw body, webhook key)) in `x-xero-signature`.
 * Xero wants 200 with an EMPTY body within 5 s, and 401 for a bad signature — including during "intent to receive",
 * when it sends `{"events":[]…}` bodies, some deliberately mis-signed, and disables the webhook on a wrong answer.
 * Events carry ids only; the write-back worker fetches the resources.
 */
import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { Logger } from '../ports';
import { headerValue, hmacSha256Base64 } from './webhook-key';

export const XERO_SIGNATURE_HEADER = 'x-xero-signature';

// Ids are checked loosely on purpose: one odd event must not fail the whole delivery, because Xero retries a
// failing webhook for 24 h and then disables it. Consumers validate the ids they act on.
export const xeroWebhookEventSchema = z.object({
  resourceUrl: z.string().max(2000),
  resourceId: z.string().min(1).max(100),
  eventDateUtc: z.string().max(100),
  eventType: z.string().min(1).max(100),
  eventCategory: z.string().min(1).max(100),
  tenantId: z.string().min(1).max(100),
  tenantType: z.string().min(1).max(100),
  /** CREDITNOTE events carry `{Type, Status}` here. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type XeroWebhookEvent = z.infer<typeof xeroWebhookEventSchema>;

const xeroWebhookPayload = z.object({
  events: z.array(xeroWebhookEventSchema),
  firstEventSequence: z.number().int().optional(),
  lastEventSequence: z.number().int().optional(),
  entropy: z.string().optional(),
});

/** True only when the header is exactly the expected signature; constant time over equal-length digests. */
export function verifyXeroSignature(rawBody: Buffer, signatureHeader: string | undefined, key: string): boolean {
  if (!key || !signatureHeader) return false;
  const expected = Buffer.from(hmacSha256Base64(rawBody, key), 'utf8');
  const presented = Buffer.from(signatureHeader.trim(), 'utf8');
  // A base64 SHA-256 digest always has the same length, so a length mismatch reveals nothing secret.
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

export interface XeroWebhookSink {
  enqueue(events: XeroWebhookEvent[]): Promise<void>;
}

export interface AcceptXeroWebhookDeps {
  readonly key: string;
  readonly sink: XeroWebhookSink;
  readonly logger: Logger;
}

export interface XeroWebhookRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer;
}

export interface XeroWebhookResponse {
  readonly status: number;
  /** Always empty: Xero requires an empty body. */
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function createAcceptXeroWebhook(
  deps: AcceptXeroWebhookDeps
): (request: XeroWebhookRequest) => Promise<XeroWebhookResponse> {
  const { key, sink, logger } = deps;
  return async (request) => {
    const signature = headerValue(request.headers, XERO_SIGNATURE_HEADER);
    if (!verifyXeroSignature(request.rawBody, signature, key)) {
      logger.warn('xero webhook rejected: bad or missing signature', { signaturePresent: signature !== undefined });
      return empty(401);
    }
    const payload = parsePayload(request.rawBody);
    if (!payload) {
      logger.warn('xero webhook rejected: signed body is not a webhook payload', { bytes: request.rawBody.length });
      return empty(400);
    }
    if (payload.events.length === 0) {
      logger.info('xero webhook: intent-to-receive or empty delivery acknowledged');
      return empty(200);
    }
    try {
      await sink.enqueue(payload.events);
    } catch (error) {
      logger.error('xero webhook: enqueue failed', {
        events: payload.events.length,
        error: error instanceof Error ? error.name : 'unknown',
      });
      // Xero re-delivers failed notifications for up to 24 h.
      return empty(503);
    }
    logger.info('xero webhook accepted', {
      events: payload.events.length,
      categories: [...new Set(payload.events.map((event) => event.eventCategory))],
    });
    return empty(200);
  };
}

function parsePayload(rawBody: Buffer): z.infer<typeof xeroWebhookPayload> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
  const result = xeroWebhookPayload.safeParse(value);
  return result.success ? result.data : undefined;
}

function empty(status: number): XeroWebhookResponse {
  return { status, body: '' };
}
