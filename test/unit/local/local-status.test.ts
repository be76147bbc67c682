import { openDatabase } from '../../../lambdas/adapters/local/sqlite-database';
import { SqliteOutcomeLog } from '../../../lambdas/adapters/local/sqlite-outcome-log';
import { SqliteQueue } from '../../../lambdas/adapters/local/sqlite-queue';
import { localStatusSnapshot, recordOfDeadLetter } from '../../../src/local/local-status';
import { ManualClock } from '../core/connection/test-helpers';

describe('localStatusSnapshot', () => {
  it('should list a dead letter whose body cannot be read by its key and reason, and filter the rest by table', async () => {
    const clock = new ManualClock(new Date('2026-12-08T03:10:00.000Z'));
    const db = openDatabase({ memory: true });
    const queue = new SqliteQueue(db, { now: () => clock.now().getTime() });
    const outcomes = new SqliteOutcomeLog(db, { now: () => clock.now() });
    const write = { kind: 'upsert-contact', source: { table: 'account', id: 'a-1' }, contact: { Name: 'Acme' } };
    queue.send('writes', [{ body: 'not json' }, { body: JSON.stringify(write) }]);
    queue.send('xero-events', [{ body: '{}' }]);
    for (const name of ['writes', 'xero-events'] as const) {
      for (const message of queue.receive(name, 5, 1000))
        queue.fail(message.id, { error: `bad ${name}`, permanent: true, receipt: message.receipt });
    }
    const deps = {
      mode: 'real' as const,
      clock,
      tokenService: { status: async () => ({ state: 'not_connected' as const }) },
      queue,
      outcomes,
      dataverseUrl: 'https://org.crm.dynamics.com',
      connectPath: '/oauth/xero/connect',
    };

    const all = await localStatusSnapshot(deps);
    expect(all.deadLetters).toHaveLength(3);
    expect(all.deadLetters.filter((d) => !d.record).map((d) => d.reason)).toEqual(
      expect.arrayContaining(['bad writes', 'bad xero-events'])
    );
    expect(all.deadLetters.find((d) => d.record)?.record).toEqual({
      table: 'account',
      id: 'a-1',
      name: 'Acme',
      dynamicsUrl: 'https://org.crm.dynamics.com/main.aspx?pagetype=entityrecord&etn=account&id=a-1',
    });
    const accounts = await localStatusSnapshot(deps, { table: 'account' });
    expect(accounts.deadLetters.map((d) => d.record?.name)).toEqual(['Acme']);
    db.close();
  });

  it('should read no record from a malformed changes message rather than fail', () => {
    expect(recordOfDeadLetter({ queue: 'changes', body: '{"table":"account"}' })).toBeUndefined();
    expect(recordOfDeadLetter({ queue: 'writes', body: '{"source":{"table":"systemuser","id":"x"}}' })).toBeUndefined();
  });
});
