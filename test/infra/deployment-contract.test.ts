import type { Template } from 'aws-cdk-lib/assertions';
import { FUNCTION_CONTRACTS, type FunctionId } from '../../lambdas/contract/environment';
import type { ConnectorStack } from '../../lib/stacks/connector-stack';
import {
  deployedFunctions,
  environmentViolations,
  grantViolations,
  type DeployedFunction,
  type TemplateJson,
} from './contract-check';
import { synthStage } from './synth-helpers';

let stack: ConnectorStack;
let template: Template;
let functions: DeployedFunction[];
beforeAll(() => {
  ({ stack, template } = synthStage('dev'));
  functions = deployedFunctions(stack);
});

/** A deep copy of the template to break on purpose. */
const copy = (): TemplateJson => JSON.parse(JSON.stringify(template.toJSON())) as TemplateJson;
const idOf = (contract: FunctionId) => functions.find((f) => f.contract === contract)!;
const variables = (json: TemplateJson, contract: FunctionId) =>
  (json.Resources[idOf(contract).logicalId]!.Properties!.Environment as { Variables: Record<string, unknown> })
    .Variables;

describe('deployment contract', () => {
  it('should deploy every contract entry exactly once', () => {
    expect(functions.map((f) => f.contract).sort()).toEqual(Object.keys(FUNCTION_CONTRACTS).sort());
  });

  it('should set every variable each handler requires, and none it never reads', () => {
    expect(environmentViolations(template.toJSON() as TemplateJson, functions)).toEqual([]);
  });

  it('should fail when a construct leaves out a variable its handler requires', () => {
    // The deployment before this contract: the token function had no CONNECT_URL.
    const broken = copy();
    delete variables(broken, 'tokenService').CONNECT_URL;

    expect(environmentViolations(broken, functions)).toEqual([
      'tokenService requires CONNECT_URL, which its construct does not set',
    ]);
  });

  it('should fail when a function is given a variable it never reads', () => {
    // The deployment before this contract: the post function was given the token secret's ARN.
    const broken = copy();
    variables(broken, 'postXeroWrites').XERO_TOKEN_SECRET_ARN = 'arn';

    expect(environmentViolations(broken, functions)).toEqual([
      'postXeroWrites is given XERO_TOKEN_SECRET_ARN, which it never reads',
    ]);
  });

  it('should grant exactly the resources the variables name, besides the queue an event source reads', () => {
    expect(grantViolations(template.toJSON() as TemplateJson, functions)).toEqual([]);
  });

  it('should fail on a grant without its variable and on a variable without its grant', () => {
    const broken = copy();
    const post = variables(broken, 'postXeroWrites');
    const alias = post.TOKEN_FUNCTION_NAME;
    delete post.TOKEN_FUNCTION_NAME;
    const tokenSecret = stack.getLogicalId(stack.credentials.tokenSecret.node.defaultChild as never);
    variables(broken, 'xeroWebhook').LEAKED_SECRET_ARN = { Ref: tokenSecret };

    expect(grantViolations(broken, functions).sort()).toEqual(
      [
        `postXeroWrites is granted ${(alias as { Ref: string }).Ref} without a variable naming it`,
        `xeroWebhook is given ${tokenSecret} without a grant on it`,
      ].sort()
    );
  });

  it('should refuse at synth a variable outside the function contract', () => {
    expect(() => stack.pipeline.postFunction.addEnvironment('XERO_TOKEN_SECRET_ARN', 'arn')).toThrow(
      /XERO_TOKEN_SECRET_ARN is not in the postXeroWrites contract/
    );
  });
});
