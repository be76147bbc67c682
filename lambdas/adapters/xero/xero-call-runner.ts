/**
 * Runs one Xero API call for a tenant: rate limiter around every attempt, headers observed on success and
 * failure, rejections normalised to typed errors, and bounded retries:
 *  - 429 minute/concurrent limits whose Retry-After is within `maxRateLimitWaitMs`: wait (through the limiter, so
 *    every caller for the tenant waits too) and try again, at most `maxRateLimitRetries` times;
 *  - 429 day limit: the tenant is parked and the error raised at once (never sleep hours inside a Lambda);
 *  - 5xx: at most `maxServerRetries` retries with exponential backoff. Timeouts and resets are NOT retried here:
 *    for a write the outcome is uncertain, and the caller looks the record up by key before trying again;
 *  - 401: ask the access provider once more (the token may have rotated mid-flight) and retry once; a second 401
 *    surfaces as a TransientError (the token service owns refresh and raises ReconnectRequired on invalid_grant).
 */
import { ConnectorError, RateLimitedError, ReconnectRequiredError, TransientError } from '../../core/errors';
import type { Logger, XeroAccessProvider } from '../../core/ports';
import type { Sleep, TenantCallBudget } from '../../core/rate-limit/tenant-call-budget';
import { normaliseXeroFailure, parseXeroRejection } from './xero-error-normaliser';

export interface RetryPolicy {
  readonly maxRateLimitRetries: number;
  readonly maxRateLimitWaitMs: number;
  readonly maxServerRetries: number;
  readonly backoffBaseMs: number;
  /** Assumed when a 429 has no Retry-After. */
  readonly defaultRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRateLimitRetries: 2,
  maxRateLimitWaitMs: 10_000,
  maxServerRetries: 2,
  backoffBaseMs: 500,
  defaultRetryAfterMs: 1_000,
};

export interface Access {
  readonly accessToken: string;
  readonly tenantId: string;
}

/** What an SDK call resolves with; only the raw response is used. */
export interface SdkResult {
  readonly response: { readonly status?: number; readonly headers?: unknown; readonly data?: unknown };
}

export interface CallRunnerDeps {
  readonly access: XeroAccessProvider;
  /** The tenant's Xero budget: in-process locally, shared by every Lambda on AWS. */
  readonly limiter: TenantCallBudget;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly logger?: Logger;
  readonly policy: RetryPolicy;
}

function headersOf(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value === 'object' && value !== null) {
    for (const [key, header] of Object.entries(value as Record<string, unknown>)) out[key.toLowerCase()] = header;
  }
  return out;
}

export class XeroCallRunner {
  constructor(private readonly deps: CallRunnerDeps) {}

  /** Runs `call` with a current access token; returns the raw response body (Xero's PascalCase JSON). */
  async run(operation: string, call: (access: Access) => Promise<SdkResult>): Promise<unknown> {
    const { limiter, policy, logger } = this.deps;
    let access = await this.deps.access.getAccess();
    let rateLimitRetries = 0;
    let serverRetries = 0;
    let reauthorised = false;
    for (let attempt = 1; ; attempt++) {
      const release = await limiter.acquire(access.tenantId);
      let error: ConnectorError;
      try {
        const result = await call(access);
        limiter.observe(access.tenantId, headersOf(result.response.headers));
        return result.response.data;
      } catch (rejection) {
        const failure = parseXeroRejection(rejection);
        // A 429's remaining-calls headers read 0 by definition; its Retry-After (penalise below) says how long to wait.
        if (failure.status !== 429) limiter.observe(access.tenantId, failure.headers);
        error = normaliseXeroFailure(failure, {
          operation,
          nowMs: this.deps.now(),
          secrets: [access.accessToken],
          defaultRetryAfterMs: policy.defaultRetryAfterMs,
        });
      } finally {
        await release();
      }
      const fields = { operation, attempt, code: error.code };
      if (error instanceof RateLimitedError) {
        await limiter.penalise(access.tenantId, error.retryAfterMs, error.problem);
        const shortWait = error.problem !== 'day' && error.retryAfterMs <= policy.maxRateLimitWaitMs;
        if (shortWait && rateLimitRetries < policy.maxRateLimitRetries) {
          rateLimitRetries++;
          logger?.warn('Xero rate limited; waiting before retry', {
            ...fields,
            problem: error.problem,
            retryAfterMs: error.retryAfterMs,
          });
          continue; // the limiter holds the next acquire until the penalty has passed
        }
        throw error;
      }
      if (error instanceof TransientError && error.code === 'XERO_UNAUTHORIZED') {
        if (!reauthorised) {
          reauthorised = true;
          logger?.warn('Xero refused the access token; asking for a fresh one', fields);
          this.deps.access.forget?.();
          access = await this.deps.access.getAccess();
          continue;
        }
        // Refused twice, the second time a token just handed out: the consent was revoked or the org disconnected.
        await this.deps.access.reportRejected?.(
          'Xero refused the access token (401): the app was disconnected or consent revoked'
        );
        throw new ReconnectRequiredError('Xero refused the access token twice; reconnect Xero', 'unauthorized');
      }
      if (error instanceof TransientError && error.code === 'XERO_SERVER' && serverRetries < policy.maxServerRetries) {
        const backoff = policy.backoffBaseMs * 2 ** serverRetries;
        serverRetries++;
        logger?.warn('Xero server error; retrying after backoff', { ...fields, backoffMs: backoff });
        await this.deps.sleep(backoff);
        continue;
      }
      throw error;
    }
  }
}
