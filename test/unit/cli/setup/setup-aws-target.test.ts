import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SECRET_NAME_OUTPUTS, STACK_OUTPUT } from '../../../../lambdas/contract/stack-outputs';
import { environments } from '../../../../lib/config/environments';
import { awsSetupTarget, secretsManagerStore } from '../../../../src/cli/setup/setup-aws-target';
import { SetupStepError } from '../../../../src/cli/setup/setup-errors';

const cfn = mockClient(CloudFormationClient);
const sm = mockClient(SecretsManagerClient);
const API = 'https://abc123.execute-api.eu-west-2.amazonaws.com/dev';

function outputValue(name: string): string {
  if (name.endsWith('SecretName')) return `d365-xero/dev/${name.replace(/SecretName$/, '').toLowerCase()}`;
  const paths: Record<string, string> = {
    CallbackUrl: '/oauth/xero/callback',
    ConnectUrl: '/oauth/xero/connect',
    DataverseWebhookUrl: '/webhooks/dataverse',
    XeroWebhookUrl: '/webhooks/xero',
  };
  return paths[name] ? `${API}${paths[name]}` : `value-of-${name}`;
}

beforeEach(() => {
  cfn.reset();
  sm.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'D365Xero-dev',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: [...Object.values(STACK_OUTPUT), ...SECRET_NAME_OUTPUTS].map((n) => ({
          OutputKey: n,
          OutputValue: outputValue(n),
        })),
      },
    ],
  });
});

const target = (env: Record<string, string> = {}) =>
  awsSetupTarget({
    stage: 'dev',
    env,
    cloudFormation: new CloudFormationClient({ region: 'eu-west-2' }),
    secrets: new SecretsManagerClient({ region: 'eu-west-2' }),
  });

describe('awsSetupTarget', () => {
  it("should take the URLs and the five settings secrets from the stack's outputs", async () => {
    const t = await target();
    expect(t.callbackUrl).toBe(`${API}/oauth/xero/callback`);
    expect(t.webhookBase).toEqual({ url: API });
    expect(t.connect).toEqual({ url: `${API}/oauth/xero/connect` });
    expect(t.xeroWebhookUrl).toBe(`${API}/webhooks/xero`);
    expect(t.groups.map((g) => [g.name, g.keys, g.generatedKeys])).toEqual([
      ['d365-xero/dev/xeroapp', ['XERO_CLIENT_ID', 'XERO_CLIENT_SECRET'], []],
      [
        'd365-xero/dev/dataverseapp',
        ['DATAVERSE_TENANT_ID', 'DATAVERSE_CLIENT_ID', 'DATAVERSE_CLIENT_SECRET', 'DATAVERSE_ACCESS_TOKEN'],
        [],
      ],
      ['d365-xero/dev/dataversewebhook', [], ['DATAVERSE_WEBHOOK_KEY']],
      ['d365-xero/dev/xerowebhook', ['XERO_WEBHOOK_KEY'], []],
      ['d365-xero/dev/admin', [], ['CONNECTOR_ADMIN_TOKEN']],
    ]);
  });

  it("should default the Dataverse URL and Xero's identity server to the stage config, XERO_IDENTITY_URL winning", async () => {
    const t = await target();
    expect(t.defaults).toEqual({ DATAVERSE_URL: environments.dev.dataverseUrl });
    expect(t.xeroIdentityUrl).toBe(environments.dev.xero.identityUrl);
    expect((await target({ XERO_IDENTITY_URL: 'http://127.0.0.1:9999' })).xeroIdentityUrl).toBe(
      'http://127.0.0.1:9999'
    );
  });
});

describe('secretsManagerStore', () => {
  const client = () => new SecretsManagerClient({ region: 'eu-west-2' });

  it('should read each secret as a JSON object of strings, and write one with PutSecretValue', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'a' }).resolves({ SecretString: '{"K":"v","N":5}' });
    sm.on(GetSecretValueCommand, { SecretId: 'b' }).resolves({ SecretString: '{}' });
    sm.on(PutSecretValueCommand).resolves({});
    const store = secretsManagerStore(client(), ['a', 'b']);
    expect(await store.read()).toEqual(
      new Map([
        ['a', { K: 'v', N: '5' }],
        ['b', {}],
      ])
    );
    await store.write('a', { K: 'new' });
    expect(sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: 'a',
      SecretString: '{"K":"new"}',
    });
  });

  it('should refuse a secret that does not hold a JSON object, without quoting it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'plain-secret-text' });
    const failure = await secretsManagerStore(client(), ['a'])
      .read()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SetupStepError);
    expect((failure as Error).message).toMatch(/a does not hold a JSON object/);
    expect((failure as Error).message).not.toContain('plain-secret-text');
  });

  it('should say to run setup again when a write is refused', async () => {
    sm.on(PutSecretValueCommand).rejects(
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' })
    );
    await expect(secretsManagerStore(client(), ['a']).write('a', {})).rejects.toThrow(
      /could not write a: AccessDeniedException: User is not authorized\. Run setup again to finish\./
    );
  });
});
