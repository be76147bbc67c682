/** The AWS operator (oauth) handler's deps with in-memory fakes: a real signer over an in-memory nonce store. */
import type { ConsentRoutes } from '../../lambdas/core/connection/consent-routes';
import { InMemoryUsedNonceStore } from '../../lambdas/core/connection/memory-stores';
import { deriveSigningKey, TokenSigner } from '../../lambdas/core/connection/signed-token';
import type { StatusSnapshot } from '../../lambdas/core/status/status-snapshot';
import type { OperatorDeps } from '../../lambdas/handlers/oauth';
import { fixedClock, recordingLogger } from './in-memory-ports';

export const ADMIN = 'admin-token-0123456789';
export const PUBLIC_URL = 'https://abc123.execute-api.eu-west-2.amazonaws.com/dev';

export const SNAPSHOT: StatusSnapshot = {
  runtime: 'aws',
  generatedAt: '2026-11-26T10:00:00.000Z',
  connection: { state: 'connected', tenantName: 'Demo Ltd', tenantPinned: true },
  queues: { changes: { depth: 2, dead: 1 } },
  counts: { synced: 1, failed: 0, skipped: 0 },
  hourly: [],
  recent: [
    {
      table: 'account',
      id: '0a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301',
      name: 'Fabrikam <Ltd>',
      at: '2026-11-26T09:59:00.000Z',
      status: 'synced',
      message: 'Contact created',
    },
  ],
  failures: [],
  deadLetters: [
    {
      queue: 'changes',
      retryKey: 'changes:m-1',
      record: { table: 'salesorder', id: '1a3e9b52-6c1d-4f7a-8e20-51d4c9a7b301', name: 'ORD-1001' },
      reason: 'Account code 200 is archived',
    },
  ],
  connectPath: '/dev/oauth/xero/connect',
  warnings: [],
};

export function operatorDeps(overrides: Partial<OperatorDeps> = {}): OperatorDeps & { retried: string[] } {
  const retried: string[] = [];
  const clock = overrides.clock ?? fixedClock();
  return {
    consent: {} as ConsentRoutes,
    adminToken: ADMIN,
    signer: new TokenSigner(deriveSigningKey(ADMIN), new InMemoryUsedNonceStore(() => clock.now())),
    clock,
    logger: recordingLogger(),
    publicUrl: PUBLIC_URL,
    snapshot: async () => SNAPSHOT,
    retry: async (key) => {
      retried.push(key);
    },
    retryRecord: async (target) => {
      retried.push(`${target.table}:${target.id}`);
    },
    retryAll: async () => ({ changes: 1, writes: 0, 'xero-events': 0 }),
    retried,
    ...overrides,
  };
}
