/**
 * How a failed Dataverse Web API call is treated. dynamics-web-api rejects with a plain Error carrying `status`
 * and `headers` for HTTP errors, and with the raw Node error (ECONNRESET, ECONNREFUSED…) for transport failures —
 * including its own per-request timeout, which destroys the socket ("socket hang up").
 */
import { ConnectorError, PermanentError, RateLimitedError, TransientError } from '../../core/errors';

export type CallOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'retry'; readonly error: ConnectorError; readonly retryAfterMs?: number }
  | { readonly kind: 'fail'; readonly error: ConnectorError };

const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

export function classifyDataverseFailure(error: unknown, what: string, now: Date = new Date()): CallOutcome {
  // Typed errors come from our own token source: keep their verdict.
  if (error instanceof ConnectorError) {
    return error.retryable ? { kind: 'retry', error } : { kind: 'fail', error };
  }
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    headers?: unknown;
    name?: unknown;
  };
  const status = typeof fields.status === 'number' ? fields.status : undefined;
  if (status === undefined) {
    const code = typeof fields.code === 'string' ? fields.code : undefined;
    if ((code && TRANSPORT_CODES.has(code)) || fields.name === 'AbortError') {
      return {
        kind: 'retry',
        error: new TransientError(
          `Dataverse ${what}: request timed out or connection failed (${code ?? 'aborted'})`,
          'TIMEOUT'
        ),
      };
    }
    return {
      kind: 'fail',
      error: new PermanentError(`Dataverse ${what}: request could not be made`, 'DATAVERSE_CLIENT'),
    };
  }
  if (status === 404) return { kind: 'not-found' };
  const retryAfterMs = parseRetryAfter(headerOf(fields.headers, 'retry-after'), now);
  if (status === 429) {
    return {
      kind: 'retry',
      error: new RateLimitedError(
        `Dataverse ${what}: service protection limit (429)`,
        retryAfterMs ?? 5_000,
        'dataverse'
      ),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status >= 500 || status === 408) {
    return {
      kind: 'retry',
      error: new TransientError(`Dataverse ${what}: server error ${status}`, 'DATAVERSE_SERVER'),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'fail',
      error: new PermanentError(
        `Dataverse ${what}: access denied (${status}). Check the app registration credentials and that it exists as ` +
          'an application user in this environment with a security role that can read accounts, contacts, ' +
          'products and sales orders.',
        'DATAVERSE_AUTH'
      ),
    };
  }
  const dataverseCode = typeof fields.code === 'string' && fields.code ? ` ${fields.code}` : '';
  return {
    kind: 'fail',
    error: new PermanentError(`Dataverse ${what}: request rejected (${status}${dataverseCode})`, 'DATAVERSE_REJECTED'),
  };
}

/** Retry-After is seconds for Dataverse; an HTTP date is accepted too. */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}
