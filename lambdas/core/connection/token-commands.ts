/**
 * The token service's command set: what the scheduler, the workers and the consent routes may ask of the one
 * writer of the Xero connection. On AWS these travel as the token Lambda's invoke payload.
 */
import * as z from 'zod';
import { ValidationError, type ErrorDisposition } from '../errors';
import type { TokenService } from './token-service';
import type { StoredConnection } from './types';

/** The `source` of the refresh schedule's payload: its failures must reach the schedule's retries and DLQ. */
export const SCHEDULED_REFRESH_SOURCE = 'schedule';

export type TokenCommand =
  | { readonly action: 'refresh'; readonly source?: string }
  | { readonly action: 'get-access'; readonly tenantId?: string }
  | { readonly action: 'report-rejected'; readonly reason: string; readonly tenantId?: string }
  | {
      readonly action: 'exchange-code';
      readonly code: string;
      readonly redirectUri: string;
      readonly codeVerifier?: string;
    }
  | { readonly action: 'adopt'; readonly record: StoredConnection }
  | { readonly action: 'status' }
  | { readonly action: 'organisations' }
  | { readonly action: 'consent-config' }
  | { readonly action: 'disconnect' };

/** Xero tenant ids are GUIDs; the sandbox uses short names. Nothing else belongs in a log line. */
const tenantIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/);

const commandSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('refresh'), source: z.string().optional() }),
  z.object({ action: z.literal('get-access'), tenantId: tenantIdSchema.optional() }),
  z.object({
    action: z.literal('report-rejected'),
    reason: z.string().min(1).max(200),
    tenantId: tenantIdSchema.optional(),
  }),
  z.object({
    action: z.literal('exchange-code'),
    code: z.string().min(1).max(2000),
    redirectUri: z.url(),
    // PKCE verifier (RFC 7636 §4.1: 43–128 characters of the unreserved set).
    codeVerifier: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{43,128}$/)
      .optional(),
  }),
  z.object({
    action: z.literal('adopt'),
    record: z.object({ connection: z.object({}).passthrough(), tokens: z.object({}).passthrough() }).passthrough(),
  }),
  z.object({ action: z.literal('status') }),
  z.object({ action: z.literal('organisations') }),
  z.object({ action: z.literal('consent-config') }),
  z.object({ action: z.literal('disconnect') }),
]);

export function parseTokenCommand(input: unknown): TokenCommand {
  const parsed = commandSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(
      'unknown token-service command',
      parsed.error.issues.map((i) => i.message)
    );
  return parsed.data as TokenCommand;
}

/**
 * Typed errors cross the invoke boundary as data, so the caller can rebuild them. The caller decides by `code` and
 * `disposition`, which are stable strings; `name` is for people only (bundles are minified, class names are not).
 */
export type TokenCommandResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly error: {
        readonly name: string;
        readonly code: string;
        readonly disposition: ErrorDisposition;
        readonly message: string;
        readonly reason?: string;
        /** Set when only this organisation needs a new consent. */
        readonly tenantId?: string;
      };
    };

/** The service's own clock decides what is due: one clock per composition root, never the caller's wall clock. */
export async function runTokenCommand(service: TokenService, command: TokenCommand): Promise<unknown> {
  switch (command.action) {
    case 'refresh':
      return { result: await service.refreshIfDue(), status: await service.status() };
    case 'get-access':
      return service.getAccess(command.tenantId);
    case 'report-rejected':
      await service.reportRejected(command.reason, command.tenantId);
      return { reported: true };
    case 'exchange-code':
      return service.exchangeCode(command.code, command.redirectUri, command.codeVerifier);
    case 'adopt':
      await service.adopt(command.record);
      return { adopted: true };
    case 'status':
      return service.status();
    case 'organisations':
      return service.organisations();
    case 'consent-config':
      return service.consentConfig();
    case 'disconnect':
      return service.disconnect();
  }
}
