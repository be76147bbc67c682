import { RateLimitedError, describeError, dispositionOf } from '../errors';
import type { WorkResult } from '../model/xero-write';

/**
 * The one translation of a failure into a work result, for every stage: permanent → dead letter; reconnect →
 * paused; anything else → retry, carrying the server's Retry-After when it was a rate limit (429).
 */
export function workResultOf(error: unknown): Exclude<WorkResult, { status: 'done' }> {
  const message = describeError(error);
  switch (dispositionOf(error)) {
    case 'permanent':
      return { status: 'dead', error: message };
    case 'reconnect':
      return { status: 'paused', error: message };
    case 'retry':
      return error instanceof RateLimitedError
        ? { status: 'retry', error: message, retryAfterMs: error.retryAfterMs }
        : { status: 'retry', error: message };
  }
}
