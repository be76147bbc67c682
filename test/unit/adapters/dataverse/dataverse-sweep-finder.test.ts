import { DataverseSweepFinder } from '../../../../lambdas/adapters/dataverse/dataverse-sweep-finder';
import { createStaticTokenSource } from '../../../../lambdas/adapters/dataverse/dataverse-token-source';
import { startSandboxDataverse, type SandboxDataverse } from '../../../../sandbox/dataverse/server';
import { withoutProxy } from '../../../helpers/no-proxy';

const TOKEN = 'sweep-test-token';
const ids = ['11111111-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000002'].concat(
  ['33333333-0000-4000-8000-000000000003', '44444444-0000-4000-8000-000000000004'],
  ['55555555-0000-4000-8000-000000000005']
);

let dv: SandboxDataverse;
let now = Date.parse('2026-11-26T09:00:00Z');
withoutProxy();

beforeAll(async () => {
  dv = await startSandboxDataverse({ accessToken: TOKEN, clock: () => now });
  // One account a minute from 09:00: modifiedon 09:00, 09:01, … 09:04.
  for (const [i, id] of ids.entries()) {
    now = Date.parse('2026-11-26T09:00:00Z') + i * 60_000;
    dv.state.upsert('account', { accountid: id, name: `Account ${i}` });
  }
});

afterAll(async () => {
  await dv.close();
});

const finder = (pageSize: number, maxPages: number) =>
  new DataverseSweepFinder({ serverUrl: dv.url, tokenSource: createStaticTokenSource(TOKEN), pageSize, maxPages });

describe('DataverseSweepFinder against the sandbox Dataverse', () => {
  it('should find records modified at or after the instant, oldest first, following nextLink pages', async () => {
    const found = await finder(2, 10).findModifiedSince('account', '2026-11-26T09:02:00.000Z');
    expect(found).toEqual({
      changes: [
        { id: ids[2], modifiedon: '2026-11-26T09:02:00.000Z' },
        { id: ids[3], modifiedon: '2026-11-26T09:03:00.000Z' },
        { id: ids[4], modifiedon: '2026-11-26T09:04:00.000Z' },
      ],
      truncated: false,
    });
    const queries = dv.knobs.requests().filter((r) => r.path.endsWith('/accounts'));
    expect(queries[0]?.query).toMatchObject({
      $select: 'accountid,modifiedon',
      $filter: 'modifiedon ge 2026-11-26T09:02:00Z',
      $orderby: 'modifiedon asc',
    });
  });

  it('should stop after the page budget and say the result is truncated', async () => {
    const found = await finder(2, 1).findModifiedSince('account', '2026-11-26T08:00:00.000Z');
    expect(found.truncated).toBe(true);
    expect(found.changes.map((c) => c.id)).toEqual([ids[0], ids[1]]);
  });

  it('should find nothing after the last change', async () => {
    const found = await finder(2, 10).findModifiedSince('account', '2026-11-26T09:04:01.000Z');
    expect(found).toEqual({ changes: [], truncated: false });
  });

  it("should read one record's modifiedon, and nothing for a record that is gone", async () => {
    const reader = finder(2, 10);
    expect(await reader.modifiedOn('account', ids[4]!)).toBe('2026-11-26T09:04:00.000Z');
    expect(await reader.modifiedOn('account', '99999999-0000-4000-8000-000000000009')).toBeUndefined();
  });
});
