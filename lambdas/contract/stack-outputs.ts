/**
 * The stack's CloudFormation outputs: what `cdk deploy` prints and what the CLI reads back (DescribeStacks) so an
 * operator never copies a URL by hand. The stack declares exactly these names and the CLI reads exactly these.
 */
import { SETTINGS_SECRETS, type SettingsSecretId } from './secrets';

export const STACK_OUTPUT = {
  CallbackUrl: 'CallbackUrl',
  ConnectUrl: 'ConnectUrl',
  DataverseWebhookUrl: 'DataverseWebhookUrl',
  XeroWebhookUrl: 'XeroWebhookUrl',
  StatusUrl: 'StatusUrl',
  DashboardUrl: 'DashboardUrl',
  AlarmTopicArn: 'AlarmTopicArn',
  DlqOperatorPolicyArn: 'DlqOperatorPolicyArn',
  OperationsFunctionName: 'OperationsFunctionName',
} as const;

export type StackOutputName = keyof typeof STACK_OUTPUT;

/** `xeroApp` → `XeroAppSecretName`: the output that names a settings secret. */
export function secretNameOutput(secretId: SettingsSecretId): string {
  return `${secretId[0]!.toUpperCase()}${secretId.slice(1)}SecretName`;
}

export const SECRET_NAME_OUTPUTS = Object.keys(SETTINGS_SECRETS).map((id) => secretNameOutput(id as SettingsSecretId));

/** `D365Xero-<stage>`: one stack per stage. */
export function stackNameOf(stage: string): string {
  return `D365Xero-${stage}`;
}
