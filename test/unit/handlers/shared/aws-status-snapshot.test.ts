import type { JournalView } from '../../../../lambdas/adapters/aws/outcome-journal-reader';
import { awsStatusSnapshot, type AwsStatusSources } from '../../../../lambdas/handlers/shared/aws-status-snapshot';
import { fixedClock, recordingLogger } from '../../../helpers/in-memory-ports';

const JOURNAL: JournalView = {
  counts: { synced: 3, failed: 1, skipped: 0 },
  hourly: [{ hourStart: '2026-11-26T10:00:00.000Z', synced: 3, failed: 1 }],
  recent: [],
  failures: [],
  unlisted: 0,
};

function sources(overrides: Partial<AwsStatusSources> = {}): AwsStatusSources {
  return {
    clock: fixedClock('2026-11-26T10:30:00.000Z'),
    logger: recordingLogger(),
    connection: async () => ({
      state: 'connected',
      tenantName: 'Demo Ltd',
      refreshedAt: '2026-11-26T10:00:00.000Z',
      refreshTokenAgeSeconds: 1800,
    }),
    tenantPinned: async () => true,
    queues: async () => ({ changes: { depth: 0, dead: 1 } }),
    deadLetters: async () => [{ queue: 'changes', retryKey: 'changes:m-1' }],
    journal: async () => JOURNAL,
    connectPath: '/dev/oauth/xero/connect',
    ...overrides,
  };
}

describe('awsStatusSnapshot', () => {
  it("should give the refresh token's issue and expiry as dates, 60 days apart", async () => {
    const snapshot = await awsStatusSnapshot(sources());
    expect(snapshot.connection).toEqual({
      state: 'connected',
      tenantName: 'Demo Ltd',
      refreshedAt: '2026-11-26T10:00:00.000Z',
      refreshTokenIssuedAt: '2026-11-26T10:00:00.000Z',
      refreshTokenExpiresAt: '2027-01-25T10:00:00.000Z',
      tenantPinned: true,
    });
    expect(snapshot).toMatchObject({
      runtime: 'aws',
      generatedAt: '2026-11-26T10:30:00.000Z',
      counts: JOURNAL.counts,
      hourly: JOURNAL.hourly,
      deadLetters: [{ retryKey: 'changes:m-1' }],
      warnings: [],
    });
  });

  it('should still answer, with a warning, when the journal or the dead letters cannot be read', async () => {
    const snapshot = await awsStatusSnapshot(
      sources({
        tenantPinned: async () => false,
        journal: async () => {
          throw new Error('throttled');
        },
        deadLetters: async () => {
          throw new Error('AccessDenied');
        },
      })
    );
    expect(snapshot.counts).toEqual({ synced: 0, failed: 0, skipped: 0 });
    expect(snapshot.deadLetters).toEqual([]);
    expect(snapshot.warnings).toEqual([
      expect.stringContaining('XERO_TENANT_ID'),
      expect.stringContaining('dead letters could not be read'),
      expect.stringContaining('outcome journal could not be read'),
    ]);
  });

  it('should fail when the connection cannot be read (the handler answers 503)', async () => {
    await expect(
      awsStatusSnapshot(
        sources({
          connection: async () => {
            throw new Error('token function down');
          },
        })
      )
    ).rejects.toThrow('token function down');
  });
});
