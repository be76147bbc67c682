import { DEFAULT_XERO_SCOPES, readXeroConnectionConfig } from '../../../../lambdas/core/connection/config';
import { ValidationError } from '../../../../lambdas/core/errors';

const base = { XERO_CLIENT_ID: 'client', XERO_REDIRECT_URI: 'https://connector.example.com/oauth/xero/callback' };

describe('readXeroConnectionConfig', () => {
  it('should ask for no OpenID scopes by default, since nothing reads the id token', () => {
    const config = readXeroConnectionConfig(base);
    expect(config.scopes).toEqual([
      'offline_access',
      'accounting.contacts',
      'accounting.invoices',
      'accounting.settings',
    ]);
    expect(DEFAULT_XERO_SCOPES).not.toEqual(expect.arrayContaining(['openid']));
  });

  it('should read several comma-separated pins, the first being the default organisation', () => {
    const config = readXeroConnectionConfig({ ...base, XERO_TENANT_ID: ' tenant-b , tenant-a,tenant-b ' });
    expect(config.pinnedTenantId).toBe('tenant-b');
    expect(config.pinnedTenantIds).toEqual(['tenant-b', 'tenant-a']);
    expect(readXeroConnectionConfig(base).pinnedTenantIds).toBeUndefined();
    expect(() => readXeroConnectionConfig({ ...base, XERO_TENANT_ID: 'tenant-a; tenant-b' })).toThrow(ValidationError);
  });

  it.each([
    ['XERO_LOGIN_URL', 'http://login.example.com'],
    ['XERO_IDENTITY_URL', 'http://10.0.0.5:8080'],
    ['XERO_API_URL', 'http://xero.internal'],
    ['XERO_API_URL', 'ftp://api.xero.com'],
    ['XERO_IDENTITY_URL', 'not a url'],
  ])('should refuse %s=%s: tokens and secrets must not travel in clear', (name, value) => {
    expect(() => readXeroConnectionConfig({ ...base, [name]: value })).toThrow(ValidationError);
    expect(() => readXeroConnectionConfig({ ...base, [name]: value })).toThrow(
      new RegExp(`${name} must be an https URL`)
    );
  });

  it.each(['http://127.0.0.1:4010', 'http://localhost:4010/', 'http://[::1]:4010', 'https://identity.example.com'])(
    'should accept %s (https, or http on loopback for the sandbox)',
    (value) => {
      expect(readXeroConnectionConfig({ ...base, XERO_IDENTITY_URL: value }).identityUrl).toBe(
        value.replace(/\/$/, '')
      );
    }
  );
});
