/**
 * What `--stage <name>` commands need to call a deployed stack as its operator: the API stage's URL (from the
 * stack's outputs) and the admin token (from the admin secret the outputs name), read with the caller's AWS
 * credentials. The token stays in memory: it is sent only as a bearer header to the stack's own API.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretNameOutput } from '../../../lambdas/contract/stack-outputs';
import { readStackOutputs, StackOutputsError } from './stack-outputs';

export interface StageAdmin {
  /** https://<api>.execute-api.<region>.amazonaws.com/<stage> */
  readonly baseUrl: string;
  /** The ConnectUrl output (/oauth/xero/connect). */
  readonly connectUrl: string;
  readonly adminToken: string;
}

export interface StageAdminClients {
  readonly cloudFormation?: CloudFormationClient;
  readonly secretsManager?: SecretsManagerClient;
}

const bounded = { requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } };

export async function readStageAdmin(stage: string, clients: StageAdminClients = {}): Promise<StageAdmin> {
  const outputs = await readStackOutputs(stage, clients.cloudFormation ?? new CloudFormationClient(bounded));
  const secretName = outputs.secretNames[secretNameOutput('admin')]!;
  const secrets = clients.secretsManager ?? new SecretsManagerClient(bounded);
  let text: string | undefined;
  try {
    const answer = await secrets.send(new GetSecretValueCommand({ SecretId: secretName }), {
      abortSignal: AbortSignal.timeout(20_000),
    });
    text = answer.SecretString;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StackOutputsError(`could not read the admin secret ${secretName}: ${message}`);
  }
  const adminToken = tokenOf(text);
  if (!adminToken) throw new StackOutputsError(`the admin secret ${secretName} holds no CONNECTOR_ADMIN_TOKEN`);
  return {
    baseUrl: outputs.get('CallbackUrl').replace(/\/oauth\/xero\/callback$/, ''),
    connectUrl: outputs.get('ConnectUrl'),
    adminToken,
  };
}

function tokenOf(text: string | undefined): string | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    const token = (value as { CONNECTOR_ADMIN_TOKEN?: unknown } | null)?.CONNECTOR_ADMIN_TOKEN;
    return typeof token === 'string' && token.length > 0 ? token : undefined;
  } catch {
    return undefined;
  }
}
