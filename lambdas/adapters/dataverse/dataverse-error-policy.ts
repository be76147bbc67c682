/**
 * How a failed Dataverse Web API call is treated. dynamics-web-api rejects with a plain Error carrying `status`
 * and `headers` for HTTP errors, and with the raw Node error (ECONNRESET, ECONNREFUSED…) for transport failures —
 * including its own per-request timeout, which destroys the socket ("socket hang up").
 */
import { ConnectorError, PermanentError, RateLimitedError, TransientError, ValidationError } from '../../core/errors';
import type { Logger } from '../../core/ports';
import { systemNow } from '../system-clock';

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

export function classifyDataverseFailure(error: unknown, what: string, now: Date = systemNow()): CallOutcome {
  // Typed errors come from our own token source: keep their verdict.
  if (error instanceof ConnectorError) {
    return error.retryable ? { kind: 'retry', error } : { kind: 'fail', error };
  }
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    code?: unknown;
    headers?: unknown;
    name?: unknown;
    message?: unknown;
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
  const dataverseCode = typeof fields.code === 'string' && fields.code ? fields.code : undefined;
  return {
    kind: 'fail',
    error: new DataverseRejectedError(
      `Dataverse ${what}: request rejected (${status}${dataverseCode ? ` ${dataverseCode}` : ''})`,
      dataverseCode,
      typeof fields.message === 'string' && MISSING_PROPERTY.test(fields.message)
    ),
  };
}

/**
 * How the Web API names a column the table does not have: "Invalid property 'x' was found in entity …" for a body,
 * "Could not find a property named 'x' …" for a query. Only the fact is kept, never the message (it can quote data).
 */
const MISSING_PROPERTY = /invalid property '[^']*' was found|could not find a property named/i;

/** Dataverse refused a request (4xx other than auth and throttling); `dataverseCode` is its error code, if any. */
export class DataverseRejectedError extends PermanentError {
  constructor(
    message: string,
    readonly dataverseCode?: string,
    /** The request named a column the table does not have. */
    readonly missingColumn = false
  ) {
    super(message, 'DATAVERSE_REJECTED');
  }
}

export function isMissingColumnError(error: unknown): boolean {
  return error instanceof DataverseRejectedError && error.missingColumn;
}

/** Retry-After is seconds for Dataverse; an HTTP date is accepted too. */
export function parseRetryAfter(value: string | undefined, now: Date = systemNow()): number | undefined {
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

/** What a Web API call resolves to when the record is not there (HTTP 404). */
export const DATAVERSE_NOT_FOUND = Symbol('dataverse-not-found');

export interface DataverseRetrySettings {
  readonly maxAttempts: number;
  /** The longest Retry-After waited in-process; a longer one becomes a RateLimitedError for the queue to honour. */
  readonly maxRetryDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger?: Logger;
  /** Whether this failure may be repeated (a create that may have happened must not be). Default: always. */
  readonly safeToRepeat?: (error: unknown, outcome: { readonly error: ConnectorError }) => boolean;
}

const BACKOFF_BASE_MS = 250;

/**
 * One Web API call with bounded retries, shared by every Dataverse adapter: 429 and 5xx honour Retry-After,
 * transport failures back off exponentially, 404 resolves to DATAVERSE_NOT_FOUND, everything else is thrown typed.
 */
export async function retryDataverseCall<T>(
  what: string,
  run: () => Promise<T>,
  settings: DataverseRetrySettings
): Promise<T | typeof DATAVERSE_NOT_FOUND> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const outcome = classifyDataverseFailure(error, what);
      if (outcome.kind === 'not-found') return DATAVERSE_NOT_FOUND;
      if (outcome.kind === 'fail') throw outcome.error;
      const delayMs = outcome.retryAfterMs ?? BACKOFF_BASE_MS * 2 ** (attempt - 1);
      const repeatable = settings.safeToRepeat?.(error, outcome) ?? true;
      if (!repeatable || attempt >= settings.maxAttempts || delayMs > settings.maxRetryDelayMs) {
        if (outcome.error instanceof RateLimitedError) {
          throw new RateLimitedError(outcome.error.message, outcome.retryAfterMs ?? delayMs, 'dataverse');
        }
        throw outcome.error;
      }
      settings.logger?.warn('dataverse call failed, retrying', { what, attempt, delayMs, code: outcome.error.code });
      await settings.sleep(delayMs);
    }
  }
}

/** DATAVERSE_URL → its origin; https only, except a loopback address (the sandbox and tests). */
export function normaliseDataverseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ValidationError('DATAVERSE_URL is not a URL', ['DATAVERSE_URL']);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ValidationError('DATAVERSE_URL must use https', ['DATAVERSE_URL']);
  }
  return url.origin;
}
