/**
 * The emulated stack as `DescribeStacks` reports it: a small CloudFormation stack created in moto under the stage's
 * stack name whose Outputs carry the synthesized template's outputs, resolved against the emulated resources (the
 * secrets' names, the API's URLs, the functions' names) as CloudFormation would after the deploy. `connector setup
 * --stage` then finds everything by DescribeStacks, as it does against AWS.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SECRET_NAME_OUTPUTS, STACK_OUTPUT } from '../../lambdas/contract/stack-outputs';
import type { AwsStack } from './aws-stack';
import { waitFor } from './e2e-harness';

export async function publishStackOutputs(stack: AwsStack): Promise<Record<string, string>> {
  // The contract's outputs (what the CLI reads); CDK's own IngressApiEndpoint output refs the API stage, which the
  // harness serves but does not provision as a resource.
  const names = [...Object.values(STACK_OUTPUT), ...SECRET_NAME_OUTPUTS];
  const outputs = Object.fromEntries(names.map((name) => [name, resolvedOrMarked(stack, name)]));
  const cfn = new CloudFormationClient({ ...stack.moto.clientConfig, endpoint: stack.moto.endpoint });
  const template = {
    // A resource CloudFormation requires; it creates nothing the stack's functions use.
    Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { Value: value }])),
  };
  await cfn.send(new CreateStackCommand({ StackName: stack.stackName, TemplateBody: JSON.stringify(template) }));
  await waitFor('the stack to be created in moto', async () => {
    const answer = await cfn.send(new DescribeStacksCommand({ StackName: stack.stackName }));
    return answer.Stacks?.[0]?.StackStatus === 'CREATE_COMPLETE';
  });
  return outputs;
}

/** Resources the harness does not emulate (the dashboard, a managed policy) get a marker, never a made-up ARN. */
function resolvedOrMarked(stack: AwsStack, name: string): string {
  try {
    return stack.output(name);
  } catch {
    return `not-emulated:${name}`;
  }
}

/**
 * fetch as the operator's machine sees the deployed API: its public execute-api URL resolved to the loopback
 * server, as DNS would resolve it to API Gateway (the harness's browser does the same).
 */
export function apiResolvingFetch(stack: AwsStack): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return fetch(stack.api.localize(url), init);
  };
}
