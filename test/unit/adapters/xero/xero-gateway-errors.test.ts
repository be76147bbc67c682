import {
  RateLimitedError,
  ReconnectRequiredError,
  TransientError,
  XeroValidationError,
} from '../../../../lambdas/core/errors';
import { TenantRateLimiter } from '../../../../lambdas/core/rate-limit/tenant-rate-limiter';
import { useFakeHttpServer, type FakeReply } from '../../../helpers/fake-http-server';
import { ACCESS_TOKEN, contact, fakeAccess, fakeTime, gatewayFor, item, uuid } from './xero-gateway-fixtures';

const server = useFakeHttpServer();

const itemsOk: FakeReply = {
  headers: { 'x-minlimit-remaining': '50', 'x-daylimit-remaining': '900' },
  body: { Items: [{ ItemID: uuid(1), Code: 'A', StatusAttributeString: 'OK' }] },
};

/** Replies in order, then repeats the last one. */
function sequence(...replies: (FakeReply | 'hang')[]) {
  let n = 0;
  server.setRoute(() => replies[Math.min(n++, replies.length - 1)]!);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('XeroAccountingGateway failures', () => {
  it('should wait out a short minute-limit 429 (Retry-After) and then succeed', async () => {
    sequence({ status: 429, headers: { 'retry-after': '1', 'x-rate-limit-problem': 'minute' } }, itemsOk);
    const { gateway, time } = gatewayFor(server.url);
    const results = await gateway.saveItems([item('A')], 'k-1');
    expect(results).toEqual([{ ok: true, value: { ItemID: uuid(1), Code: 'A' } }]);
    expect(server.requests).toHaveLength(2);
    expect(time.sleeps).toEqual([1_000]);
    // The replay carries the same Idempotency-Key so Xero can recognise it.
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['k-1', 'k-1']);
  });

  it('should raise a minute 429 whose Retry-After is longer than the cap instead of sleeping', async () => {
    sequence({ status: 429, headers: { 'retry-after': '45', 'x-rate-limit-problem': 'minute' } });
    const { gateway, time } = gatewayFor(server.url, { retry: { maxRateLimitWaitMs: 10_000 } });
    const error = await failureOf(gateway.saveItems([item('A')], 'k'));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ problem: 'minute', retryAfterMs: 45_000 });
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('should give up after the bounded number of 429 retries', async () => {
    sequence({ status: 429, headers: { 'retry-after': '2', 'x-rate-limit-problem': 'concurrent' } });
    const { gateway } = gatewayFor(server.url, { retry: { maxRateLimitRetries: 2 } });
    const error = await failureOf(gateway.findItemsByCode(['A']));
    expect(error).toMatchObject({ problem: 'concurrent', retryAfterMs: 2_000 });
    expect(server.requests).toHaveLength(3);
  });

  it('should raise a day-limit 429 at once and keep later calls for the tenant away from Xero', async () => {
    sequence({ status: 429, headers: { 'retry-after': '64800', 'x-rate-limit-problem': 'day' } });
    const time = fakeTime();
    const limiter = new TenantRateLimiter({ clock: time.clock, sleep: time.sleep });
    const { gateway } = gatewayFor(server.url, { limiter, clock: time.clock, sleep: time.sleep });
    const error = await failureOf(gateway.saveItems([item('A')], 'k'));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ problem: 'day', retryAfterMs: 64_800_000, retryable: true });
    await expect(gateway.findItemsByCode(['A'])).rejects.toMatchObject({ problem: 'day' });
    expect(server.requests).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('should stop before Xero does when X-DayLimit-Remaining reaches the reserve', async () => {
    sequence({ ...itemsOk, headers: { 'x-daylimit-remaining': '3' } });
    const { gateway } = gatewayFor(server.url);
    await gateway.findItemsByCode(['A']);
    await expect(gateway.findItemsByCode(['B'])).rejects.toMatchObject({ problem: 'day' });
    expect(server.requests).toHaveLength(1);
  });

  it('should retry a 5xx with backoff and then succeed', async () => {
    sequence({ status: 503, body: 'Service Unavailable' }, { status: 500, body: { Message: 'oops' } }, itemsOk);
    const { gateway, time } = gatewayFor(server.url, { retry: { backoffBaseMs: 200 } });
    const results = await gateway.saveItems([item('A')], 'k');
    expect(results[0]).toMatchObject({ ok: true });
    expect(server.requests).toHaveLength(3);
    expect(time.sleeps).toEqual([200, 400]);
  });

  it('should raise a TransientError after two 5xx retries', async () => {
    sequence({ status: 502, body: 'Bad Gateway' });
    const { gateway } = gatewayFor(server.url);
    const error = await failureOf(gateway.saveItems([item('A')], 'k'));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'XERO_SERVER' });
    expect(server.requests).toHaveLength(3);
  });

  it('should time out a request the server never answers with a TransientError', async () => {
    sequence('hang');
    const { gateway } = gatewayFor(server.url, { timeoutMs: 150 });
    const error = await failureOf(gateway.saveItems([item('A')], 'k'));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'XERO_NETWORK' });
    // Not retried inside the adapter: a timed-out write has an uncertain outcome.
    expect(server.requests).toHaveLength(1);
  });

  it('should turn a 400 ValidationException into XeroValidationError with Xero messages', async () => {
    sequence({
      status: 400,
      body: {
        ErrorNumber: 10,
        Type: 'ValidationException',
        Message: 'A validation exception occurred',
        Elements: [
          { ValidationErrors: [{ Message: 'Account code 999 is not a valid code.' }, { Message: 'Second.' }] },
        ],
      },
    });
    const { gateway } = gatewayFor(server.url);
    const error = await failureOf(gateway.setInvoiceStatus(uuid(3), 'DELETED', 'k'));
    expect(error).toBeInstanceOf(XeroValidationError);
    expect((error as XeroValidationError).validationMessages).toEqual([
      'Account code 999 is not a valid code.',
      'Second.',
    ]);
    expect(error.message).toContain('Account code 999 is not a valid code.');
    expect(server.requests).toHaveLength(1);
  });

  it('should ask for a fresh token once after a 401 and retry with it', async () => {
    sequence({ status: 401, body: { Title: 'Unauthorized' } }, itemsOk);
    const access = fakeAccess(['first-token-aaaaaaaa', 'second-token-bbbbbbbb']);
    const { gateway } = gatewayFor(server.url, { access });
    await gateway.saveItems([item('A')], 'k');
    expect(access.calls).toBe(2);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer first-token-aaaaaaaa',
      'Bearer second-token-bbbbbbbb',
    ]);
  });

  it('should report the connection rejected and ask for re-consent when the fresh token is refused too', async () => {
    sequence({ status: 401, body: { Title: 'Unauthorized' } });
    const reported: string[] = [];
    let forgotten = 0;
    const { gateway, access } = gatewayFor(server.url);
    Object.assign(access, {
      forget: () => void forgotten++,
      reportRejected: async (reason: string) => void reported.push(reason),
    });
    await expect(gateway.saveItems([item('A')], 'k')).rejects.toMatchObject({ code: 'RECONNECT_REQUIRED' });
    expect(server.requests).toHaveLength(2);
    expect(forgotten).toBe(1);
    expect(reported).toEqual([expect.stringContaining('401')]);
  });

  it('should ask for reconnection on a 403', async () => {
    sequence({ status: 403, body: { Type: 'AuthorizationUnsuccessful', Title: 'Forbidden' } });
    const { gateway } = gatewayFor(server.url);
    const error = await failureOf(gateway.findContactByName('Acme'));
    expect(error).toBeInstanceOf(ReconnectRequiredError);
    expect(error).toMatchObject({ disposition: 'reconnect', reason: 'forbidden' });
  });

  it('should keep the access token out of error messages and logs even when Xero echoes it', async () => {
    server.setRoute((request) => ({
      status: request.method === 'GET' ? 400 : 500,
      body: { Message: `echo ${String(request.headers.authorization)} and raw ${ACCESS_TOKEN}` },
    }));
    const { gateway, logged } = gatewayFor(server.url);
    const serverError = await failureOf(gateway.saveContacts([contact(1)], 'k'));
    const badRequest = await failureOf(gateway.findItemsByCode(['A']));
    for (const error of [serverError, badRequest]) {
      expect(error.message).toContain('echo Bearer [redacted]');
      const everything = JSON.stringify({ message: error.message, stack: error.stack, error, cause: error.cause });
      expect(everything).not.toContain(ACCESS_TOKEN);
      expect(everything).not.toContain(ACCESS_TOKEN.split('.')[1]);
    }
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain(ACCESS_TOKEN.split('.')[1]);
  });
});
