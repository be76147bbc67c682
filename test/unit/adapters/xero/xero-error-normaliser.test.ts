import {
  normaliseXeroFailure,
  parseXeroRejection,
  retryAfterMs,
  scrub,
} from '../../../../lambdas/adapters/xero/xero-error-normaliser';
import { PermanentError, RateLimitedError, TransientError } from '../../../../lambdas/core/errors';

const context = {
  operation: 'GET /Items',
  nowMs: Date.parse('2026-11-26T00:00:00Z'),
  secrets: [],
  defaultRetryAfterMs: 1_000,
};

describe('xero error normaliser', () => {
  it('should read the JSON-string rejections xero-node produces', () => {
    const rejection = JSON.stringify({
      response: { statusCode: 429, body: '', headers: { 'Retry-After': '3', 'X-Rate-Limit-Problem': 'minute' } },
      body: '',
    });
    const failure = parseXeroRejection(rejection);
    expect(failure).toMatchObject({ status: 429, headers: { 'retry-after': '3', 'x-rate-limit-problem': 'minute' } });
    expect(normaliseXeroFailure(failure, context)).toMatchObject({ retryAfterMs: 3_000, problem: 'minute' });
  });

  it('should treat a thrown Error or an unparseable string as a failure without a response', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(parseXeroRejection(reset)).toMatchObject({ status: 0, detail: 'ECONNRESET socket hang up' });
    expect(parseXeroRejection('not json')).toMatchObject({ status: 0, detail: 'not json' });
    expect(normaliseXeroFailure(parseXeroRejection(reset), context)).toBeInstanceOf(TransientError);
  });

  it('should read Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': '2' }, context.nowMs)).toBe(2_000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 26 Nov 2026 00:00:30 GMT' }, context.nowMs)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'later' }, context.nowMs)).toBeUndefined();
    expect(retryAfterMs({}, context.nowMs)).toBeUndefined();
  });

  it('should read a capitalised X-Rate-Limit-Problem value in lower case', () => {
    const error = normaliseXeroFailure(
      { status: 429, headers: { 'x-rate-limit-problem': 'Day', 'retry-after': '60' }, body: '', detail: '' },
      context
    );
    expect(error).toMatchObject({ problem: 'day' });
  });

  it('should default a 429 without headers to a minute problem with the default wait', () => {
    const error = normaliseXeroFailure({ status: 429, headers: {}, body: '', detail: '' }, context);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ problem: 'minute', retryAfterMs: 1_000 });
  });

  it('should make other 4xx permanent with a status-specific code', () => {
    const error = normaliseXeroFailure(
      { status: 404, headers: {}, body: { Message: 'Not found' }, detail: '' },
      context
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'XERO_HTTP_404' });
  });

  it('should scrub bearer tokens, JWTs and known secrets and cap the length', () => {
    const jwt = 'eyJhbGciOi.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(scrub(`Authorization: Bearer abc.def-ghi and ${jwt}`)).toBe(
      'Authorization: Bearer [redacted] and [redacted-jwt]'
    );
    expect(scrub('token=opaque-secret-123', ['opaque-secret-123'])).toBe('token=[redacted]');
    expect(scrub('x'.repeat(2_000)).length).toBeLessThanOrEqual(501);
  });
});
