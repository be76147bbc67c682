import { planSettings, writeSettingsStep } from '../../../../src/cli/setup/steps/write-settings';
import type { SettingsGroup, SettingsStore } from '../../../../src/cli/setup/setup-target';

const GROUPS: SettingsGroup[] = [
  { name: 'xero-app', keys: ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'], generatedKeys: [] },
  {
    name: 'dataverse-app',
    keys: ['DATAVERSE_CLIENT_SECRET', 'DATAVERSE_ACCESS_TOKEN'],
    generatedKeys: [],
  },
  { name: 'admin-token', keys: [], generatedKeys: ['CONNECTOR_ADMIN_TOKEN'] },
];

const values = new Map([
  ['XERO_CLIENT_ID', 'id'],
  ['XERO_CLIENT_SECRET', 'secret'],
  ['DATAVERSE_CLIENT_SECRET', 'dv'],
]);

function memoryStore(initial: Record<string, Record<string, string>>): SettingsStore & { writes: string[] } {
  const data = new Map(Object.entries(initial));
  const writes: string[] = [];
  return {
    writes,
    read: () => Promise.resolve(new Map(data)),
    write: (group, value) => {
      writes.push(group);
      data.set(group, { ...value });
      return Promise.resolve();
    },
  };
}

describe('planSettings', () => {
  it('should plan only the groups whose value differs, naming the keys that change', () => {
    const stored = new Map<string, Record<string, string>>([
      ['xero-app', { XERO_CLIENT_ID: 'id', XERO_CLIENT_SECRET: '' }],
      ['dataverse-app', { DATAVERSE_CLIENT_SECRET: 'dv', DATAVERSE_ACCESS_TOKEN: '' }],
      ['admin-token', { CONNECTOR_ADMIN_TOKEN: 'generated-at-deploy' }],
    ]);
    const plan = planSettings(GROUPS, stored, values);
    expect(plan.changes).toEqual([
      {
        group: 'xero-app',
        keys: ['XERO_CLIENT_SECRET'],
        value: { XERO_CLIENT_ID: 'id', XERO_CLIENT_SECRET: 'secret' },
      },
    ]);
    expect(plan.unchanged).toEqual(['dataverse-app', 'admin-token']);
  });

  it('should keep a generated key and keys outside the contract, and generate a key only when there is none', () => {
    const stored = new Map([['admin-token', { OTHER: 'kept' }]]);
    const plan = planSettings(GROUPS, stored, values, () => 'fresh-key');
    expect(plan.changes.find((c) => c.group === 'admin-token')?.value).toEqual({
      OTHER: 'kept',
      CONNECTOR_ADMIN_TOKEN: 'fresh-key',
    });
    const again = planSettings(
      GROUPS,
      new Map([['admin-token', { CONNECTOR_ADMIN_TOKEN: 'deployed' }]]),
      values,
      () => 'x'
    );
    expect(again.unchanged).toContain('admin-token');
  });

  it('should blank a contract key that has no value (a static token replaced by client credentials)', () => {
    const stored = new Map([['dataverse-app', { DATAVERSE_CLIENT_SECRET: '', DATAVERSE_ACCESS_TOKEN: 'old-token' }]]);
    const change = planSettings(GROUPS, stored, values).changes.find((c) => c.group === 'dataverse-app');
    expect(change?.value).toEqual({ DATAVERSE_CLIENT_SECRET: 'dv', DATAVERSE_ACCESS_TOKEN: '' });
  });
});

describe('writeSettingsStep', () => {
  it('should write the changed groups and report them by name, never by value', async () => {
    const store = memoryStore({});
    const plan = planSettings(GROUPS, await store.read(), values, () => 'gen');
    const report = await writeSettingsStep(store, plan, false);
    expect(report.state).toBe('done');
    expect(store.writes).toEqual(['xero-app', 'dataverse-app', 'admin-token']);
    for (const value of ['secret', 'gen', 'dv']) expect(report.lines.join('\n')).not.toContain(value);
    expect(report.lines[0]).toBe('wrote xero-app (XERO_CLIENT_ID, XERO_CLIENT_SECRET)');
  });

  it('should write nothing on a dry run', async () => {
    const store = memoryStore({});
    const report = await writeSettingsStep(store, planSettings(GROUPS, await store.read(), values), true);
    expect(report.state).toBe('would do');
    expect(report.lines[0]).toMatch(/^would write xero-app/);
    expect(store.writes).toEqual([]);
  });

  it('should say already done when nothing differs', async () => {
    const store = memoryStore({});
    await writeSettingsStep(
      store,
      planSettings(GROUPS, await store.read(), values, () => 'g'),
      false
    );
    const second = await writeSettingsStep(
      store,
      planSettings(GROUPS, await store.read(), values, () => 'h'),
      false
    );
    expect(second.state).toBe('already done');
    expect(store.writes).toHaveLength(3);
  });
});
