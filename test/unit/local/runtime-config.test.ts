import { ValidationError } from '../../../lambdas/core/errors';
import { DEFAULT_XERO_SCOPES } from '../../../lambdas/core/connection/config';
import { loadRuntimeConfig } from '../../../src/local/runtime-config';
import { MISSING_WITH_ONLY_CLIENT_ID } from '../../helpers/real-mode-config';

const real = {
  CONNECTOR_ADMIN_TOKEN: 'a-long-enough-admin-token',
  XERO_CLIENT_ID: 'client',
  XERO_CLIENT_SECRET: 'secret',
  XERO_REDIRECT_URI: 'http://127.0.0.1:3000/oauth/xero/callback',
  DATAVERSE_URL: 'https://contoso.crm.dynamics.com/',
  DATAVERSE_ACCESS_TOKEN: 'static',
  DATAVERSE_WEBHOOK_KEY: 'key',
};

describe('loadRuntimeConfig', () => {
  it('should choose the sandbox when no Xero or Dataverse setting is present', () => {
    const config = loadRuntimeConfig({ PORT: '4000', DATA_DIR: '/tmp/x' });
    expect(config).toMatchObject({ mode: 'sandbox', port: 4000, dataDir: '/tmp/x' });
    expect(config.xero).toBeUndefined();
  });

  it('should choose real mode with a complete configuration and Xero defaults', () => {
    const config = loadRuntimeConfig(real);
    expect(config.mode).toBe('real');
    expect(config.xero).toMatchObject({
      scopes: DEFAULT_XERO_SCOPES,
      apiUrl: 'https://api.xero.com',
      identityUrl: 'https://identity.xero.com',
      loginUrl: 'https://login.xero.com',
      authMode: 'oauth',
    });
    expect(config.dataverse?.url).toBe('https://contoso.crm.dynamics.com');
  });

  it('should list everything missing from a partial configuration instead of falling back to the sandbox', () => {
    expect(() => loadRuntimeConfig({ XERO_CLIENT_ID: 'client' })).toThrow(ValidationError);
    try {
      loadRuntimeConfig({ XERO_CLIENT_ID: 'client' });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of MISSING_WITH_ONLY_CLIENT_ID) {
        expect(message).toContain(name);
      }
      expect(message).toContain('unset XERO_CLIENT_ID');
    }
  });

  it('should accept client credentials instead of a static Dataverse token', () => {
    const { DATAVERSE_ACCESS_TOKEN: _token, ...rest } = real;
    expect(() => loadRuntimeConfig(rest)).toThrow(
      'DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID, DATAVERSE_CLIENT_SECRET (or DATAVERSE_ACCESS_TOKEN)'
    );
    expect(
      loadRuntimeConfig({ ...rest, DATAVERSE_TENANT_ID: 't', DATAVERSE_CLIENT_ID: 'c', DATAVERSE_CLIENT_SECRET: 's' })
        .mode
    ).toBe('real');
  });

  it('should not need a redirect URI for a Xero custom connection', () => {
    const { XERO_REDIRECT_URI: _r, ...rest } = real;
    expect(loadRuntimeConfig({ ...rest, XERO_AUTH_MODE: 'custom-connection' }).xero?.authMode).toBe(
      'custom-connection'
    );
  });

  it.each([
    [{ ...real, PORT: 'abc' }, 'PORT'],
    [{ ...real, CONNECTOR_ADMIN_TOKEN: 'short' }, 'CONNECTOR_ADMIN_TOKEN'],
    [{ ...real, DATAVERSE_URL: 'ftp://x' }, 'DATAVERSE_URL'],
    [{ ...real, XERO_AUTH_MODE: 'magic' }, 'XERO_AUTH_MODE'],
    [{ ...real, MAPPING_SETTINGS: '{"dueDays":"soon"}' }, 'mapping.dueDays'],
  ])('should reject bad values with the variable named (%#)', (env, name) => {
    expect(() => loadRuntimeConfig(env)).toThrow(name);
  });

  it('should read the sweep period: 300 s by default, 0 for off, and refuse anything else', () => {
    expect(loadRuntimeConfig({}).sweepIntervalSeconds).toBe(300);
    expect(loadRuntimeConfig({ DATAVERSE_SWEEP_INTERVAL_SECONDS: '0' }).sweepIntervalSeconds).toBe(0);
    expect(loadRuntimeConfig({ DATAVERSE_SWEEP_INTERVAL_SECONDS: '30' }).sweepIntervalSeconds).toBe(30);
    for (const bad of ['-1', '1.5', 'often', '86401'])
      expect(() => loadRuntimeConfig({ DATAVERSE_SWEEP_INTERVAL_SECONDS: bad })).toThrow(
        /DATAVERSE_SWEEP_INTERVAL_SECONDS must be 0 \(off\) or whole seconds/
      );
  });
});
