/** Configuration every function shares: the connector-settings secret, mapping settings, Xero connection config. */
import { loadConnectorSettings, type ConnectorSettings } from '../../adapters/aws/connector-settings';
import { readXeroConnectionConfig, type XeroConnectionConfig } from '../../core/connection/config';
import type { MappingSettings } from '../../core/settings';
import { mappingSettingsFromJson } from '../../core/settings-schema';
import { once, requireEnv, secretsManager } from './aws-clients';

export const mappingSettings = once((): MappingSettings => mappingSettingsFromJson(process.env.MAPPING_SETTINGS));

let settingsPromise: Promise<ConnectorSettings> | undefined;
/** The settings secret (Powertools caches the value for five minutes). */
export function settings(): Promise<ConnectorSettings> {
  settingsPromise ??= loadConnectorSettings(requireEnv('CONNECTOR_SETTINGS_SECRET_ARN'), secretsManager()).catch(
    (error) => {
      settingsPromise = undefined;
      throw error;
    }
  );
  return settingsPromise;
}

/** Xero connection settings: URLs, scopes and pin from the environment, the client id from the settings secret. */
export async function xeroConfig(): Promise<XeroConnectionConfig> {
  const s = await settings();
  return readXeroConnectionConfig({ ...process.env, XERO_CLIENT_ID: s.XERO_CLIENT_ID });
}
