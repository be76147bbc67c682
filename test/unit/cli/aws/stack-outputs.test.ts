import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { SECRET_NAME_OUTPUTS, STACK_OUTPUT } from '../../../../lambdas/contract/stack-outputs';
import { readStackOutputs, StackOutputsError } from '../../../../src/cli/aws/stack-outputs';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-2' });

function stack(overrides: Partial<Stack> = {}, omit: string[] = []): Stack {
  const names = [...Object.values(STACK_OUTPUT), ...SECRET_NAME_OUTPUTS].filter((n) => !omit.includes(n));
  return {
    StackName: 'D365Xero-dev',
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date(0),
    Outputs: names.map((name) => ({ OutputKey: name, OutputValue: `value-of-${name}` })),
    ...overrides,
  };
}

beforeEach(() => cfn.reset());

describe('readStackOutputs', () => {
  it('should ask DescribeStacks for D365Xero-<stage> and return every output, the named ones and the secret names', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'D365Xero-dev' }).resolves({ Stacks: [stack()] });
    const outputs = await readStackOutputs('dev', client);
    expect(outputs.stackName).toBe('D365Xero-dev');
    expect(outputs.get('CallbackUrl')).toBe('value-of-CallbackUrl');
    expect(outputs.secretNames.XeroAppSecretName).toBe('value-of-XeroAppSecretName');
    expect(Object.keys(outputs.secretNames)).toHaveLength(SECRET_NAME_OUTPUTS.length);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('should say to deploy first when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(new Error('Stack with id D365Xero-dev does not exist'));
    await expect(readStackOutputs('dev', client)).rejects.toThrow(
      /does not exist: deploy it first \(npx cdk deploy -c stage=dev\)/
    );
  });

  it('should say how to configure AWS when the shell has no region or no credentials', async () => {
    cfn.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    await expect(readStackOutputs('dev', client)).rejects.toThrow(/Region is missing \(set AWS_REGION/);
    cfn.on(DescribeStacksCommand).rejects(new Error('Could not load credentials from any providers'));
    await expect(readStackOutputs('dev', client)).rejects.toThrow(/\(sign in first/);
  });

  it('should refuse a stack that is still being created or rolled back', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ StackStatus: 'CREATE_IN_PROGRESS' })] });
    await expect(readStackOutputs('dev', client)).rejects.toThrow(/is CREATE_IN_PROGRESS, not deployed/);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({ StackStatus: 'UPDATE_ROLLBACK_COMPLETE' })] });
    await expect(readStackOutputs('dev', client)).rejects.toThrow(StackOutputsError);
  });

  it('should name every output an older stack lacks', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack({}, ['ConnectUrl', 'AdminSecretName'])] });
    await expect(readStackOutputs('dev', client)).rejects.toThrow(
      /lacks output\(s\) ConnectUrl, AdminSecretName: redeploy it/
    );
  });

  it('should refuse a stage name that is not one, without calling AWS', async () => {
    await expect(readStackOutputs('dev; rm -rf', client)).rejects.toThrow(/is not a stage name/);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('should pass an abort signal so a hanging call ends', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack()] });
    const send = jest.spyOn(client, 'send');
    await readStackOutputs('dev', client);
    const options = send.mock.calls[0]![1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
    send.mockRestore();
  });
});
