import { collectInputs, requiredInputs, type SetupInput } from '../../../../src/cli/setup/setup-inputs';

const ALL = {
  XERO_CLIENT_ID: 'id',
  XERO_CLIENT_SECRET: 'secret',
  XERO_WEBHOOK_KEY: 'key',
  DATAVERSE_URL: 'https://org.crm.dynamics.com',
  DATAVERSE_TENANT_ID: 'tenant',
  DATAVERSE_CLIENT_ID: 'client',
  DATAVERSE_CLIENT_SECRET: 'dv-secret',
};

describe('collectInputs', () => {
  it('should take each value from the file, then the environment, then what was stored, then the stage config', async () => {
    const { values, missing } = await collectInputs({
      file: { XERO_CLIENT_ID: 'from-file' },
      env: { ...ALL, XERO_CLIENT_ID: 'from-env', XERO_CLIENT_SECRET: 'from-env', DATAVERSE_URL: '' },
      stored: { XERO_CLIENT_SECRET: 'stored', XERO_WEBHOOK_KEY: 'stored' },
      defaults: { DATAVERSE_URL: 'https://config.crm.dynamics.com' },
    });
    expect(missing).toEqual([]);
    expect(values.get('XERO_CLIENT_ID')).toEqual({ value: 'from-file', source: 'file' });
    expect(values.get('XERO_CLIENT_SECRET')).toEqual({ value: 'from-env', source: 'environment' });
    expect(values.get('XERO_WEBHOOK_KEY')?.source).toBe('environment');
    expect(values.get('DATAVERSE_URL')).toEqual({ value: 'https://config.crm.dynamics.com', source: 'stage config' });
  });

  it('should list every missing value when nobody can be asked', async () => {
    const { missing } = await collectInputs({ file: {}, env: { XERO_CLIENT_ID: 'id' }, stored: {} });
    expect(missing).toEqual([
      'XERO_CLIENT_SECRET',
      'XERO_WEBHOOK_KEY',
      'DATAVERSE_URL',
      'DATAVERSE_TENANT_ID',
      'DATAVERSE_CLIENT_ID',
      'DATAVERSE_CLIENT_SECRET',
    ]);
  });

  it('should ask only for what is missing, marking secrets so they are typed without echo', async () => {
    const asked: SetupInput[] = [];
    const { values, missing } = await collectInputs({
      file: {},
      env: { ...ALL, XERO_CLIENT_SECRET: undefined, DATAVERSE_TENANT_ID: '  ' },
      stored: {},
      ask: (input) => {
        asked.push(input);
        return Promise.resolve(`typed-${input.name}`);
      },
    });
    expect(missing).toEqual([]);
    expect(asked.map((a) => [a.name, a.secret])).toEqual([
      ['XERO_CLIENT_SECRET', true],
      ['DATAVERSE_TENANT_ID', false],
    ]);
    expect(values.get('XERO_CLIENT_SECRET')).toEqual({ value: 'typed-XERO_CLIENT_SECRET', source: 'typed' });
  });

  it('should count an empty answer as missing', async () => {
    const { missing } = await collectInputs({
      file: {},
      env: { ...ALL, XERO_WEBHOOK_KEY: undefined },
      stored: {},
      ask: () => Promise.resolve('   '),
    });
    expect(missing).toEqual(['XERO_WEBHOOK_KEY']);
  });

  it('should not need the Dataverse client credentials when a static access token is given', async () => {
    const sources = { file: { DATAVERSE_ACCESS_TOKEN: 'token' }, env: {}, stored: {} };
    expect(requiredInputs(sources).map((i) => i.name)).not.toContain('DATAVERSE_CLIENT_SECRET');
    const { values, missing } = await collectInputs(sources);
    expect(missing).toEqual(['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET', 'XERO_WEBHOOK_KEY', 'DATAVERSE_URL']);
    expect(values.get('DATAVERSE_ACCESS_TOKEN')?.source).toBe('file');
  });

  it('should use client credentials given now over a static token an earlier run stored', async () => {
    const { values, missing } = await collectInputs({
      file: {},
      env: ALL,
      stored: { DATAVERSE_ACCESS_TOKEN: 'old-token' },
    });
    expect(missing).toEqual([]);
    expect(values.has('DATAVERSE_ACCESS_TOKEN')).toBe(false);
    expect(values.get('DATAVERSE_CLIENT_SECRET')?.source).toBe('environment');
  });
});
