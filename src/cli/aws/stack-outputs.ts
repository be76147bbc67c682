/**
 * Reads a deployed stage's outputs with DescribeStacks (the caller's AWS credentials), so `connector setup`,
 * `login-link` and `connect-link` find the stack's URLs, secrets and functions from `--stage <name>` alone.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  SECRET_NAME_OUTPUTS,
  STACK_OUTPUT,
  stackNameOf,
  type StackOutputName,
} from '../../../lambdas/contract/stack-outputs';

/** The stack is missing, not finished, or lacks an output this CLI needs. */
export class StackOutputsError extends Error {
  readonly retryable = false;
}

export interface StackOutputs {
  readonly stackName: string;
  readonly stage: string;
  /** Every output by name (the named ones below are guaranteed present). */
  readonly all: Readonly<Record<string, string>>;
  readonly get: (name: StackOutputName) => string;
  /** Settings secret names by output name (`XeroAppSecretName` → `d365-xero/dev/xero-app`). */
  readonly secretNames: Readonly<Record<string, string>>;
}

const STAGE = /^[a-z][a-z0-9-]{0,30}$/i;
const READY = /_COMPLETE$/;

export async function readStackOutputs(
  stage: string,
  client: CloudFormationClient = new CloudFormationClient({
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  })
): Promise<StackOutputs> {
  if (!STAGE.test(stage)) throw new StackOutputsError(`"${stage}" is not a stage name (letters, digits and dashes)`);
  const stackName = stackNameOf(stage);
  let stack;
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }), {
      abortSignal: AbortSignal.timeout(20_000),
    });
    stack = answer.Stacks?.[0];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/does not exist/i.test(message)) {
      throw new StackOutputsError(
        `stack ${stackName} does not exist: deploy it first (npx cdk deploy -c stage=${stage})`
      );
    }
    // The SDK's own words for a shell without AWS configuration say nothing about what to do.
    const hint = /region is missing/i.test(message)
      ? ' (set AWS_REGION, or AWS_PROFILE to a profile with a region)'
      : /credential/i.test(message)
        ? ' (sign in first, e.g. aws sso login, or set AWS_PROFILE)'
        : '';
    throw new StackOutputsError(`could not read stack ${stackName}: ${message}${hint}`);
  }
  if (!stack) throw new StackOutputsError(`stack ${stackName} does not exist: deploy it first`);
  if (!READY.test(stack.StackStatus ?? '') || /ROLLBACK|DELETE/.test(stack.StackStatus ?? '')) {
    throw new StackOutputsError(`stack ${stackName} is ${stack.StackStatus ?? 'in an unknown state'}, not deployed`);
  }
  const all: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue) all[o.OutputKey] = o.OutputValue;
  const missing = [...Object.values(STACK_OUTPUT), ...SECRET_NAME_OUTPUTS].filter((name) => !(name in all));
  if (missing.length > 0) {
    throw new StackOutputsError(
      `stack ${stackName} lacks output(s) ${missing.join(', ')}: redeploy it with this version of the connector`
    );
  }
  return {
    stackName,
    stage,
    all,
    get: (name) => all[STACK_OUTPUT[name]]!,
    secretNames: Object.fromEntries(SECRET_NAME_OUTPUTS.map((name) => [name, all[name]!])),
  };
}
