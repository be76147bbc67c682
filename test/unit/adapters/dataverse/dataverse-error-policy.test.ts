import { PermanentError, RateLimitedError, TransientError } from '../../../../lambdas/core/errors';
import {
  classifyDataverseFailure,
  parseRetryAfter,
} from '../../../../lambdas/adapters/dataverse/dataverse-error-policy';
import { createStaticTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';

const now = new Date('2025-11-26T10:00:00Z');

function httpError(status: number, headers: Record<string, string> = {}, code?: string) {
  return Object.assign(new Error('Dataverse said no'), { status, headers, ...(code ? { code } : {}) });
}

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7_000],
    [' 0 ', 0],
    ['1.5', 1_500],
    ['Wed, 26 Nov 2025 10:00:30 GMT', 30_000],
    ['Wed, 26 Nov 2025 09:59:00 GMT', 0],
  ])('should read %p as %p ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, '', 'soon'])('should give undefined for %p', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('classifyDataverseFailure', () => {
  it('should mark 404 as not found', () => {
    expect(classifyDataverseFailure(httpError(404), 'retrieve', now)).toEqual({ kind: 'not-found' });
  });

  it('should retry 429 with the Retry-After delay as a RateLimitedError', () => {
    const outcome = classifyDataverseFailure(httpError(429, { 'retry-after': '3' }), 'retrieve', now);
    expect(outcome).toMatchObject({ kind: 'retry', retryAfterMs: 3_000 });
    expect(outcome.kind === 'retry' && outcome.error).toBeInstanceOf(RateLimitedError);
  });

  it.each([500, 502, 503, 504])('should retry %i as transient', (status) => {
    const outcome = classifyDataverseFailure(httpError(status), 'retrieve', now);
    expect(outcome.kind).toBe('retry');
    expect(outcome.kind === 'retry' && outcome.error).toBeInstanceOf(TransientError);
  });

  it('should fail a 400 permanently with the Dataverse error code but not its message', () => {
    const outcome = classifyDataverseFailure(httpError(400, {}, '0x80060888'), 'retrieve account', now);
    expect(outcome.kind).toBe('fail');
    const error = outcome.kind === 'fail' ? outcome.error : undefined;
    expect(error).toBeInstanceOf(PermanentError);
    expect(error?.message).toContain('0x80060888');
    expect(error?.message).not.toContain('said no');
  });

  it('should retry transport failures and fail programming errors', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyDataverseFailure(reset, 'retrieve', now).kind).toBe('retry');
    expect(classifyDataverseFailure(new TypeError('bad request object'), 'retrieve', now).kind).toBe('fail');
  });
});

describe('createStaticTokenSource', () => {
  it('should hand out the trimmed token and refuse an empty one', async () => {
    await expect(createStaticTokenSource(' abc \n')()).resolves.toBe('abc');
    expect(() => createStaticTokenSource('  ')).toThrow(PermanentError);
  });
});
