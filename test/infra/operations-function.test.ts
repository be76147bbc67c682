import type { Template } from 'aws-cdk-lib/assertions';
import type { ConnectorStack } from '../../lib/stacks/connector-stack';
import { logicalIdOf, propertiesOf, synthStage } from './synth-helpers';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let stack: ConnectorStack;
let template: Template;
beforeAll(() => ({ stack, template } = synthStage('dev')));

/** Every statement of the policies attached to the operations function's role. */
function operationsStatements(): Statement[] {
  const role = logicalIdOf(stack, stack.operations.function.role!);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('operations function', () => {
  it('should run up to 15 minutes, one invocation at a time, with the table and changes queue it uses', () => {
    const fn = propertiesOf(template, logicalIdOf(stack, stack.operations.function));

    expect(fn.Timeout).toBe(900);
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.SYNC_STATE_TABLE).toEqual({ Ref: logicalIdOf(stack, stack.pipeline.table) });
    expect(env.CHANGES_QUEUE_URL).toEqual({ Ref: logicalIdOf(stack, stack.pipeline.changes.queue) });
    expect(env.DATAVERSE_APP_SECRET_ARN).toEqual({
      Ref: logicalIdOf(stack, stack.credentials.settingsSecrets.dataverseApp),
    });
    // Backfill estimates plan against the stage's day budget.
    expect(env.XERO_DAY_BUDGET).toBe('5000');
  });

  it('should write to the table only ledger items, through BatchWriteItem, and never with a wildcard action', () => {
    const statements = operationsStatements();
    const dynamoWrites = statements.filter((s) =>
      asArray(s.Action).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))
    );

    expect(dynamoWrites).toHaveLength(1);
    expect(dynamoWrites[0]!.Action).toBe('dynamodb:BatchWriteItem');
    expect(dynamoWrites[0]!.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, stack.pipeline.table), 'Arn'] });
    expect(dynamoWrites[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['backfill#*'] },
    });
    for (const s of statements) for (const action of asArray(s.Action)) expect(action).not.toMatch(/\*/);
  });

  it('should send only to the changes queue and read only the Dataverse app secret, never the Xero token', () => {
    const statements = operationsStatements();
    const sends = statements.filter((s) => asArray(s.Action).includes('sqs:SendMessage'));
    const secretReads = statements.filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'));

    expect(sends.map((s) => s.Resource)).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(stack, stack.pipeline.changes.queue), 'Arn'] },
    ]);
    expect(secretReads.map((s) => s.Resource)).toEqual([
      { Ref: logicalIdOf(stack, stack.credentials.settingsSecrets.dataverseApp) },
    ]);
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(stack, stack.credentials.tokenSecret));
    expect(statements.some((s) => asArray(s.Action).includes('lambda:InvokeFunction'))).toBe(false);
  });

  it('should publish the function name as the OperationsFunctionName output', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(outputs.OperationsFunctionName?.Value).toEqual({ Ref: logicalIdOf(stack, stack.operations.function) });
  });
});
