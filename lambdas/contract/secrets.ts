/**
 * The connector's settings secrets on AWS, split by purpose so each function reads only the credentials its job
 * needs (docs/deploy.md, "Set the secrets"). Each is a JSON object whose keys are the local runtime's environment
 * names, so a deployment and `npm start` are configured with the same words. Plain constants (see environment.ts).
 */
import { ENV } from './environment';

export interface SettingsSecretContract {
  /** Last part of the secret's name: `d365-xero/<stage>/<name>`. */
  readonly name: string;
  readonly description: string;
  /** The environment variable that carries the secret's ARN to the functions allowed to read it. */
  readonly arnEnv: (typeof ENV)[keyof typeof ENV];
  /** JSON keys the operator fills in (created as empty strings). */
  readonly keys: readonly string[];
  /** A key whose value the deployment generates (a random 48-character string). */
  readonly generatedKey?: string;
}

export const SETTINGS_SECRETS = {
  /** Read by the token function alone: it refreshes tokens and exchanges consent codes. */
  xeroApp: {
    name: 'xero-app',
    description: 'Xero app client id and secret; read only by the token function',
    arnEnv: ENV.XERO_APP_SECRET_ARN,
    keys: ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'],
  },
  /** Read by the functions that call the Dataverse Web API (map, post, write-back, reconcile, operations). */
  dataverseApp: {
    name: 'dataverse-app',
    description: 'Dataverse app registration (Entra client credentials) or a static access token',
    arnEnv: ENV.DATAVERSE_APP_SECRET_ARN,
    keys: ['DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID', 'DATAVERSE_CLIENT_SECRET', 'DATAVERSE_ACCESS_TOKEN'],
  },
  /** Read by the Dataverse webhook function alone; generated, then entered in the Dataverse service endpoint. */
  dataverseWebhook: {
    name: 'dataverse-webhook-key',
    description: 'Key Dataverse sends with each webhook; read only by the Dataverse webhook function',
    arnEnv: ENV.DATAVERSE_WEBHOOK_SECRET_ARN,
    keys: [],
    generatedKey: 'DATAVERSE_WEBHOOK_KEY',
  },
  /** Read by the Xero webhook function alone; the signing key Xero shows in the app's webhook settings. */
  xeroWebhook: {
    name: 'xero-webhook-key',
    description: 'Xero webhook signing key; read only by the Xero webhook function',
    arnEnv: ENV.XERO_WEBHOOK_SECRET_ARN,
    keys: ['XERO_WEBHOOK_KEY'],
  },
  /** Read by the consent/status function (admin bearer, and the key that signs connect links and states). */
  admin: {
    name: 'admin-token',
    description: 'Operator admin token (also the root of the connect-link signing key)',
    arnEnv: ENV.ADMIN_SECRET_ARN,
    keys: [],
    generatedKey: 'CONNECTOR_ADMIN_TOKEN',
  },
} as const satisfies Record<string, SettingsSecretContract>;

export type SettingsSecretId = keyof typeof SETTINGS_SECRETS;

/**
 * How long a warm function keeps a secret's value before reading it again: a rotated admin token or webhook key
 * stops working everywhere within this time.
 */
export const SETTINGS_MAX_AGE_SECONDS = 300;
