/**
 * Configuration of a function: the settings secrets it may read (re-read after SETTINGS_MAX_AGE_SECONDS, so a
 * rotated key or token reaches warm containers within minutes), mapping settings and the Xero connection config.
 */
import { loadSettingsSecret, type SettingsOf } from '../../adapters/aws/connector-settings';
import { SETTINGS_SECRETS, type SettingsSecretId } from '../../contract/secrets';
import { readXeroConnectionConfig, type XeroConnectionConfig } from '../../core/connection/config';
import type { MappingSettings } from '../../core/settings';
import { mappingSettingsFromJson } from '../../core/settings-schema';
import { once, secretsManager } from './aws-clients';
import type { EnvReader } from './env';

type ArnEnvOf<S extends SettingsSecretId> = (typeof SETTINGS_SECRETS)[S]['arnEnv'];

/** The current value of one settings secret; the env reader proves the function is given (and granted) it. */
export function settingsOf<S extends SettingsSecretId>(id: S, env: EnvReader<ArnEnvOf<S>>): Promise<SettingsOf<S>> {
  return loadSettingsSecret(id, env.require(SETTINGS_SECRETS[id].arnEnv as ArnEnvOf<S>), secretsManager());
}

/**
 * `build(input)` memoised on the input's value: rebuilt only when the input changes (e.g. a rotated client
 * secret), so clients with caches of their own (the Entra token cache, the token service) survive re-reads of the same settings.
 */
export function rebuiltOnChange<I, T>(build: (input: I) => T): (input: I) => T {
  let last: { key: string; value: T } | undefined;
  return (input) => {
    const key = JSON.stringify(input);
    if (!last || last.key !== key) last = { key, value: build(input) };
    return last.value;
  };
}

const parsedMapping = once((json: string | undefined): MappingSettings => mappingSettingsFromJson(json));
/** The stage's mapping settings, validated by the same schema as at synth (core/settings-schema.ts). */
export function mappingSettings(env: EnvReader<'MAPPING_SETTINGS'>): MappingSettings {
  return parsedMapping(env.require('MAPPING_SETTINGS'));
}

type XeroConfigEnv = EnvReader<
  'XERO_LOGIN_URL' | 'XERO_IDENTITY_URL' | 'XERO_API_URL' | 'XERO_REDIRECT_URI',
  'XERO_TENANT_ID' | 'XERO_AUTH_MODE' | 'XERO_SCOPES'
>;

/** Xero connection settings: URLs, scopes and pin from the environment, the client id from the caller. */
export function xeroConfig(env: XeroConfigEnv, clientId: string): XeroConnectionConfig {
  return readXeroConnectionConfig({
    XERO_CLIENT_ID: clientId,
    XERO_LOGIN_URL: env.require('XERO_LOGIN_URL'),
    XERO_IDENTITY_URL: env.require('XERO_IDENTITY_URL'),
    XERO_API_URL: env.require('XERO_API_URL'),
    XERO_REDIRECT_URI: env.require('XERO_REDIRECT_URI'),
    XERO_TENANT_ID: env.optional('XERO_TENANT_ID'),
    XERO_AUTH_MODE: env.optional('XERO_AUTH_MODE'),
    XERO_SCOPES: env.optional('XERO_SCOPES'),
  });
}
