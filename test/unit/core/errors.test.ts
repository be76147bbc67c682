import {
  DuplicateContactNameError,
  RateLimitedError,
  ReconnectRequiredError,
  TransientError,
  ValidationError,
  describeError,
  dispositionOf,
} from '../../../lambdas/core/errors';

describe('errors', () => {
  it.each([
    [new TransientError('timeout'), 'retry', true],
    [new RateLimitedError('slow down', 60_000, 'minute'), 'retry', true],
    [new ValidationError('bad body', ['x']), 'permanent', false],
    [new DuplicateContactNameError('Contoso', 'abc', 'id-1'), 'permanent', false],
    [new ReconnectRequiredError('consent needed'), 'reconnect', false],
  ])('should classify %p', (error, disposition, retryable) => {
    expect(dispositionOf(error)).toBe(disposition);
    expect(error.retryable).toBe(retryable);
    expect(error.name).toBe(error.constructor.name);
  });

  it('should treat unknown throwables as transient', () => {
    expect(dispositionOf(new Error('boom'))).toBe('retry');
    expect(dispositionOf('string')).toBe('retry');
  });

  it('should name both records in a duplicate-name error', () => {
    const error = new DuplicateContactNameError('Contoso Ltd', 'c0ffee', 'xero-42');
    expect(error.message).toContain('Contoso Ltd');
    expect(error.message).toContain('c0ffee');
    expect(error.message).toContain('xero-42');
    expect(describeError(error)).toMatch(/^DuplicateContactNameError: /);
  });
});
