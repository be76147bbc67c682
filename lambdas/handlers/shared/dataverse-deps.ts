/** Dataverse access on AWS: a static token or client credentials (MSAL, one token cache per container). */
import { DataverseWebApiReader } from '../../adapters/dataverse/dataverse-reader';
import {
  createClientCredentialsTokenSource,
  createStaticTokenSource,
  type DataverseTokenSource,
} from '../../adapters/dataverse/dataverse-token-source';
import { requireEnv } from './aws-clients';
import { loggerPort } from './powertools';
import { mappingSettings, settings } from './settings';
import { syncConditionColumns } from '../../core/sync/sync-condition';

let tokenSource: DataverseTokenSource | undefined;
export async function dataverseTokenSource(): Promise<DataverseTokenSource> {
  if (tokenSource) return tokenSource;
  const s = await settings();
  tokenSource = s.DATAVERSE_ACCESS_TOKEN
    ? createStaticTokenSource(s.DATAVERSE_ACCESS_TOKEN)
    : createClientCredentialsTokenSource({
        tenantId: s.DATAVERSE_TENANT_ID ?? '',
        clientId: s.DATAVERSE_CLIENT_ID ?? '',
        clientSecret: s.DATAVERSE_CLIENT_SECRET ?? '',
        serverUrl: requireEnv('DATAVERSE_URL'),
      });
  return tokenSource;
}

let reader: DataverseWebApiReader | undefined;
export async function dataverseReader(): Promise<DataverseWebApiReader> {
  reader ??= new DataverseWebApiReader({
    serverUrl: requireEnv('DATAVERSE_URL'),
    tokenSource: await dataverseTokenSource(),
    logger: loggerPort,
    conditionColumns: syncConditionColumns(mappingSettings().syncConditions),
  });
  return reader;
}
