/** Dataverse access on AWS: a static token or client credentials from the dataverse-app secret. */
import { DataverseWebApiReader } from '../../adapters/dataverse/dataverse-reader';
import {
  createClientCredentialsTokenSource,
  createStaticTokenSource,
  type DataverseTokenSource,
} from '../../adapters/dataverse/dataverse-token-source';
import type { SettingsOf } from '../../adapters/aws/connector-settings';
import { once } from './aws-clients';
import type { EnvReader } from './env';
import { loggerPort } from './powertools';
import { rebuiltOnChange, settingsOf, mappingSettings } from './settings';
import { extraColumns } from '../../core/sync/extra-columns';

export type DataverseEnv = EnvReader<'DATAVERSE_URL' | 'DATAVERSE_APP_SECRET_ARN'>;

const sourceFor = rebuiltOnChange(
  ({ serverUrl, s }: { serverUrl: string; s: SettingsOf<'dataverseApp'> }): DataverseTokenSource =>
    s.DATAVERSE_ACCESS_TOKEN
      ? createStaticTokenSource(s.DATAVERSE_ACCESS_TOKEN)
      : createClientCredentialsTokenSource({
          tenantId: s.DATAVERSE_TENANT_ID ?? '',
          clientId: s.DATAVERSE_CLIENT_ID ?? '',
          clientSecret: s.DATAVERSE_CLIENT_SECRET ?? '',
          serverUrl,
        })
);

/**
 * One token source per container that re-reads the secret (cached for minutes) before each token: a rotated
 * client secret is picked up by warm containers, while the Entra token cache survives unchanged settings.
 */
export const dataverseTokenSource = once(
  (env: DataverseEnv): DataverseTokenSource =>
    async () =>
      sourceFor({ serverUrl: env.require('DATAVERSE_URL'), s: await settingsOf('dataverseApp', env) })()
);

/** The reader also selects the columns of the mapping settings' sync conditions (core/sync/sync-condition.ts). */
export const dataverseReader = once(
  (env: DataverseEnv & EnvReader<'MAPPING_SETTINGS'>) =>
    new DataverseWebApiReader({
      serverUrl: env.require('DATAVERSE_URL'),
      tokenSource: dataverseTokenSource(env),
      logger: loggerPort,
      conditionColumns: extraColumns(mappingSettings(env)),
    })
);
