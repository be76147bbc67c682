/**
 * The AWS target: everything from `--stage <name>`. The stack's outputs (DescribeStacks) name the settings secrets
 * and the URLs; the stage's entry in lib/config/environments.ts gives the Dataverse URL, Xero's identity server
 * and the mapping. Secrets are read and written with the caller's AWS credentials, each call with a timeout.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SETTINGS_SECRETS, type SettingsSecretId } from '../../../lambdas/contract/secrets';
import { secretNameOutput } from '../../../lambdas/contract/stack-outputs';
import { DEFAULT_MAPPING_SETTINGS } from '../../../lambdas/core/settings';
import { environments } from '../../../lib/config/environments';
import type { EnvironmentConfig } from '../../../lib/config/types';
import { readStackOutputs } from '../aws/stack-outputs';
import { SetupStepError } from './setup-errors';
import type { SettingsGroup, SettingsStore, SetupTarget } from './setup-target';

const HTTP = { requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } };
const CALL_TIMEOUT_MS = 20_000;

export interface AwsTargetOptions {
  readonly stage: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cloudFormation?: CloudFormationClient;
  readonly secrets?: SecretsManagerClient;
  readonly fetch?: typeof fetch;
}

export async function awsSetupTarget(options: AwsTargetOptions): Promise<SetupTarget> {
  const outputs = await readStackOutputs(options.stage, options.cloudFormation ?? new CloudFormationClient(HTTP));
  const config: EnvironmentConfig | undefined = (environments as Record<string, EnvironmentConfig>)[options.stage];
  const groups: SettingsGroup[] = Object.entries(SETTINGS_SECRETS).map(([id, contract]) => ({
    name: outputs.secretNames[secretNameOutput(id as SettingsSecretId)]!,
    keys: contract.keys,
    generatedKeys: 'generatedKey' in contract ? [contract.generatedKey] : [],
  }));
  const webhookUrl = outputs.get('DataverseWebhookUrl');
  return {
    description: `stack ${outputs.stackName} (stage ${options.stage})`,
    groups,
    store: secretsManagerStore(
      options.secrets ?? new SecretsManagerClient(HTTP),
      groups.map((g) => g.name)
    ),
    defaults: config ? { DATAVERSE_URL: config.dataverseUrl } : {},
    xeroIdentityUrl: options.env.XERO_IDENTITY_URL?.trim() || config?.xero.identityUrl || 'https://identity.xero.com',
    callbackUrl: outputs.get('CallbackUrl'),
    xeroWebhookUrl: outputs.get('XeroWebhookUrl'),
    webhookBase: { url: webhookUrl.replace(/\/webhooks\/dataverse$/, '') },
    connect: { url: outputs.get('ConnectUrl') },
    mapping: config?.mapping ?? DEFAULT_MAPPING_SETTINGS,
    ...(config?.dataverseConnectorUserId ? { configuredConnectorUserId: config.dataverseConnectorUserId } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

/** Each settings secret is one JSON object of strings (lambdas/contract/secrets.ts). */
export function secretsManagerStore(client: SecretsManagerClient, names: readonly string[]): SettingsStore {
  return {
    async read() {
      const out = new Map<string, Record<string, string>>();
      for (const name of names) {
        let text: string | undefined;
        try {
          const answer = await client.send(new GetSecretValueCommand({ SecretId: name }), {
            abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS),
          });
          text = answer.SecretString;
        } catch (error) {
          throw new SetupStepError(`could not read ${name}: ${awsReason(error)}`);
        }
        out.set(name, stringsOf(text, name));
      }
      return out;
    },
    async write(group, value) {
      try {
        await client.send(new PutSecretValueCommand({ SecretId: group, SecretString: JSON.stringify(value) }), {
          abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        });
      } catch (error) {
        throw new SetupStepError(`could not write ${group}: ${awsReason(error)}. Run setup again to finish.`);
      }
    },
  };
}

function awsReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown error';
}

function stringsOf(text: string | undefined, name: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '{}');
  } catch {
    throw new SetupStepError(`${name} does not hold a JSON object: put {} into it and run setup again`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SetupStepError(`${name} does not hold a JSON object: put {} into it and run setup again`);
  }
  return Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ])
  );
}
