import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../../../../lambdas/core/errors';
import { envFor, type EnvReader } from '../../../../lambdas/handlers/shared/env';

const HANDLERS = path.resolve(__dirname, '../../../../lambdas/handlers');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourcesUnder(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('envFor', () => {
  it('should return a declared variable and name an unset required one', () => {
    const env = envFor('xeroWebhook', { XERO_EVENTS_QUEUE_URL: 'https://sqs/q', XERO_WEBHOOK_SECRET_ARN: '' });

    expect(env.require('XERO_EVENTS_QUEUE_URL')).toBe('https://sqs/q');
    expect(() => env.require('XERO_WEBHOOK_SECRET_ARN')).toThrow(
      new ValidationError('environment variable XERO_WEBHOOK_SECRET_ARN is not set (it comes from the CDK stack)')
    );
  });

  it('should read optional variables as undefined when unset', () => {
    const env = envFor('dataverseWebhook', { DATAVERSE_ORGANIZATION: 'contoso' });

    expect(env.optional('DATAVERSE_ORGANIZATION')).toBe('contoso');
    expect(env.optional('DATAVERSE_CONNECTOR_USER_ID')).toBeUndefined();
  });

  it('should refuse, at compile time and at run time, a variable outside the function contract', () => {
    const env = envFor('dataverseWebhook', { XERO_TOKEN_SECRET_ARN: 'arn' });

    // @ts-expect-error the Dataverse webhook function is not given the token secret
    expect(() => env.require('XERO_TOKEN_SECRET_ARN')).toThrow('dataverseWebhook does not declare');
    // A shared dependency that needs the sync-state table cannot be given the webhook's reader.
    const needsTable = (reader: EnvReader<'SYNC_STATE_TABLE'>) => reader;
    // @ts-expect-error SYNC_STATE_TABLE is not in the xeroWebhook contract
    needsTable(envFor('xeroWebhook', {}));
    expect(needsTable(envFor('mapChanges', {}))).toBeDefined();
  });

  it('should not let an internet-facing function name an app-credentials secret, even by type', () => {
    // The webhook and consent functions' contracts carry no XERO_APP_SECRET_ARN / DATAVERSE_APP_SECRET_ARN, so
    // settingsOf('xeroApp' | 'dataverseApp', …) cannot be written in their handlers.
    const readsXeroApp = (reader: EnvReader<'XERO_APP_SECRET_ARN'>) => reader;
    const readsDataverseApp = (reader: EnvReader<'DATAVERSE_APP_SECRET_ARN'>) => reader;
    // @ts-expect-error the consent function does not get the Xero app secret (the token function exchanges codes)
    readsXeroApp(envFor('oauth', {}));
    // @ts-expect-error the Dataverse webhook function does not get the Dataverse app secret
    readsDataverseApp(envFor('dataverseWebhook', {}));
    expect(readsXeroApp(envFor('tokenService', {}))).toBeDefined();
  });

  it('should be the only way handlers read their environment', () => {
    const allowed = new Set(['shared/env.ts', 'shared/powertools.ts'].map((f) => path.join(HANDLERS, f)));
    const offenders = sourcesUnder(HANDLERS).filter(
      (file) => !allowed.has(file) && /process\.env|requireEnv\(/.test(readFileSync(file, 'utf8'))
    );

    expect(offenders.map((file) => path.relative(HANDLERS, file))).toEqual([]);
  });
});
