/**
 * Turns whatever xero-node rejects with into our typed errors. xero-node 20 rejects API calls with a JSON *string*
 * ({response:{statusCode, body, headers}}), sometimes with a plain object or an Error (research §5). Messages are
 * built only from the status, Xero's own validation texts and the error text, then scrubbed of anything that looks
 * like a bearer token, so neither the Authorization header nor a token can reach an error message or a log.
 */
import {
  ConnectorError,
  PermanentError,
  RateLimitedError,
  ReconnectRequiredError,
  TransientError,
  XeroValidationError,
} from '../../core/errors';

export interface XeroFailure {
  /** HTTP status; 0 when no response arrived (timeout, reset, refused). */
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  /** Transport error text when there was no response. */
  readonly detail: string;
}

type Loose = Record<string, unknown>;

function asObject(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null ? (value as Loose) : undefined;
}

function lowerCaseKeys(headers: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(asObject(headers) ?? {})) out[key.toLowerCase()] = value;
  return out;
}

/** Reads the status, headers and body out of an xero-node rejection, whatever its shape. */
export function parseXeroRejection(rejection: unknown): XeroFailure {
  let value: unknown = rejection;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { status: 0, headers: {}, body: undefined, detail: value as string };
    }
  }
  const object = asObject(value);
  const response = asObject(object?.response);
  if (response) {
    const status = Number(response.statusCode ?? response.status ?? 0) || 0;
    const body = response.body ?? response.data ?? object?.body;
    return {
      status,
      headers: lowerCaseKeys(response.headers),
      body,
      detail: status === 0 && typeof body === 'string' ? body : '',
    };
  }
  if (value instanceof Error) {
    const code = (value as Error & { code?: unknown }).code;
    return {
      status: 0,
      headers: {},
      body: undefined,
      detail: `${typeof code === 'string' ? `${code} ` : ''}${value.message}`,
    };
  }
  return { status: 0, headers: {}, body: undefined, detail: 'unrecognised failure from xero-node' };
}

/** Removes bearer tokens, JWT-looking strings and any known secret values; caps the length. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  out = out
    .replace(/bearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]')
    .replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Readonly<Record<string, unknown>>, nowMs: number): number | undefined {
  const raw = headers['retry-after'];
  const text = Array.isArray(raw) ? String(raw[0]) : raw === undefined ? '' : String(raw);
  if (text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Xero's validation texts from a ValidationException body (top-level Elements or a single Message). */
export function validationMessages(body: unknown): string[] {
  const object = asObject(body);
  if (!object) return [];
  const messages: string[] = [];
  for (const element of Array.isArray(object.Elements) ? object.Elements : []) {
    const errors = asObject(element)?.ValidationErrors;
    for (const error of Array.isArray(errors) ? errors : []) {
      const message = asObject(error)?.Message;
      if (typeof message === 'string') messages.push(message);
    }
  }
  if (messages.length === 0 && typeof object.Message === 'string') messages.push(object.Message);
  return messages;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  const object = asObject(body);
  if (!object) return '';
  for (const key of ['Message', 'Detail', 'Title', 'message']) if (typeof object[key] === 'string') return object[key];
  return '';
}

export interface NormaliseContext {
  readonly operation: string;
  readonly nowMs: number;
  /** Values that must never appear in a message (the access token). */
  readonly secrets: readonly string[];
  /** Retry-After assumed when a 429 carries none. */
  readonly defaultRetryAfterMs: number;
}

/** Maps a failure to the typed error the rest of the connector understands. */
export function normaliseXeroFailure(failure: XeroFailure, context: NormaliseContext): ConnectorError {
  const { status } = failure;
  const where = `Xero ${context.operation}`;
  const clean = (text: string) => scrub(text, context.secrets);
  if (status === 0) {
    return new TransientError(
      clean(`${where} failed without a response: ${failure.detail || 'no detail'}`),
      'XERO_NETWORK'
    );
  }
  if (status === 429) {
    const rawProblem = failure.headers['x-rate-limit-problem'];
    const problem = typeof rawProblem === 'string' && rawProblem !== '' ? rawProblem.toLowerCase() : 'minute';
    const wait = retryAfterMs(failure.headers, context.nowMs) ?? context.defaultRetryAfterMs;
    return new RateLimitedError(
      `${where} rate limited (${problem}); retry after ${Math.ceil(wait / 1000)} s`,
      wait,
      problem
    );
  }
  if (status === 400) {
    const messages = validationMessages(failure.body).map(clean);
    const summary = messages.length > 0 ? messages.join('; ') : clean(bodyText(failure.body)) || 'bad request';
    return new XeroValidationError(clean(`${where} rejected the request: ${summary}`), messages);
  }
  if (status === 401) {
    return new TransientError(`${where} was refused: access token not accepted (401)`, 'XERO_UNAUTHORIZED');
  }
  if (status === 403) {
    return new ReconnectRequiredError(
      `${where} was forbidden (403): the Xero organisation may be disconnected or the app lacks a scope`,
      'forbidden'
    );
  }
  if (status >= 500 || status === 408) {
    return new TransientError(
      clean(`${where} failed with HTTP ${status}: ${bodyText(failure.body)}`.trim()),
      'XERO_SERVER'
    );
  }
  return new PermanentError(
    clean(`${where} failed with HTTP ${status}: ${bodyText(failure.body)}`.trim()),
    `XERO_HTTP_${status}`
  );
}
