import type { Template } from 'aws-cdk-lib/assertions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ConnectorStack } from '../../lib/stacks/connector-stack';
import { logicalIdOf, propertiesOf, synthStage } from './synth-helpers';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

let stack: ConnectorStack;
let template: Template;
beforeAll(() => ({ stack, template } = synthStage('dev')));

function environmentOf(fn: LambdaFunction): Record<string, unknown> {
  const props = propertiesOf(template, logicalIdOf(stack, fn));
  return (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
}

function statementsOf(fn: LambdaFunction): Statement[] {
  const role = logicalIdOf(stack, fn.role!);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('the shared Xero budget in the stack', () => {
  it('should give every function that calls Xero the budget table and compare-and-set rights on budget items only', () => {
    const { pipeline } = stack;
    for (const fn of [pipeline.postFunction, pipeline.writebackFunction, pipeline.reconcileFunction]) {
      expect(environmentOf(fn).XERO_BUDGET_TABLE).toEqual({ Ref: logicalIdOf(stack, pipeline.table) });
      expect(statementsOf(fn)).toContainEqual(
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(stack, pipeline.table), 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['xero-budget#*'] } },
        })
      );
    }
  });

  it('should leave functions that never call Xero without it', () => {
    for (const fn of [stack.pipeline.mapFunction, stack.operations.function, stack.credentials.tokenFunction]) {
      expect(environmentOf(fn).XERO_BUDGET_TABLE).toBeUndefined();
      expect(JSON.stringify(statementsOf(fn))).not.toContain('xero-budget#');
    }
  });

  it('should let the reconcile function write no sync-state item other than the budget', () => {
    const writes = statementsOf(stack.pipeline.reconcileFunction).filter((s) =>
      [s.Action].flat().some((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action))
    );
    expect(writes.map((s) => s.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['xero-budget#*'] } },
    ]);
  });
});
