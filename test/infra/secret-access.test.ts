import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { FunctionId } from '../../lambdas/contract/environment';
import type { SettingsSecretId } from '../../lambdas/contract/secrets';
import type { ConnectorStack } from '../../lib/stacks/connector-stack';
import { deployedFunctions, referencedIds } from './contract-check';
import { synthStage } from './synth-helpers';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let stack: ConnectorStack;
let template: Template;
beforeAll(() => ({ stack, template } = synthStage('prod')));

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** Statements of the policies attached to one function's role. */
function statementsOf(contract: FunctionId): Statement[] {
  const fn = deployedFunctions(stack).find((f) => f.contract === contract)!;
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => referencedIds(p.Properties.Roles).has(fn.roleLogicalId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Which functions may read (GetSecretValue) the secret with this logical id. */
function readersOf(secretId: string): FunctionId[] {
  return deployedFunctions(stack)
    .filter((fn) =>
      statementsOf(fn.contract).some(
        (s) => asArray(s.Action).includes('secretsmanager:GetSecretValue') && referencedIds(s.Resource).has(secretId)
      )
    )
    .map((fn) => fn.contract)
    .sort();
}

describe('secrets by purpose', () => {
  it.each<[SettingsSecretId, FunctionId[]]>([
    ['xeroApp', ['tokenService']],
    ['dataverseApp', ['mapChanges', 'operations', 'postXeroWrites', 'reconcile', 'sweep', 'xeroWriteback']],
    ['dataverseWebhook', ['dataverseWebhook']],
    ['xeroWebhook', ['xeroWebhook']],
    ['admin', ['oauth']],
  ])('should let only the functions that need it read the %s secret', (secret, readers) => {
    expect(readersOf(logicalId(stack.credentials.settingsSecrets[secret]))).toEqual(readers.sort());
  });

  it('should let the token function alone read the token set, and the consent function alone the pending consent', () => {
    expect(readersOf(logicalId(stack.credentials.tokenSecret))).toEqual(['tokenService']);
    expect(readersOf(logicalId(stack.credentials.pendingConsentSecret))).toEqual(['oauth']);
  });

  it.each<FunctionId>(['dataverseWebhook', 'xeroWebhook', 'oauth'])(
    'should give the internet-facing %s function neither app credential',
    (contract) => {
      const forbidden = [stack.credentials.settingsSecrets.xeroApp, stack.credentials.settingsSecrets.dataverseApp];
      const readable = statementsOf(contract).flatMap((s) => [...referencedIds(s.Resource)]);
      for (const secret of forbidden) expect(readable).not.toContain(logicalId(secret));
    }
  );

  it('should create the admin token and the Dataverse webhook key at deploy and leave the rest to the operator', () => {
    const secrets = stack.credentials.settingsSecrets;
    const props = (secret: IConstruct) =>
      template.toJSON().Resources[logicalId(secret)].Properties as Record<string, unknown>;
    expect(props(secrets.admin).GenerateSecretString).toMatchObject({ GenerateStringKey: 'CONNECTOR_ADMIN_TOKEN' });
    expect(props(secrets.dataverseWebhook).GenerateSecretString).toMatchObject({
      GenerateStringKey: 'DATAVERSE_WEBHOOK_KEY',
    });
    expect(JSON.parse(props(secrets.xeroApp).SecretString as string)).toEqual({
      XERO_CLIENT_ID: '',
      XERO_CLIENT_SECRET: '',
    });
  });
});

describe('consent function table access', () => {
  it('should only put nonce items into the sync-state table, and read only checkpoint and journal items (the status page)', () => {
    const dynamo = statementsOf('oauth').filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));

    expect(dynamo).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [logicalId(stack.pipeline.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['nonce#*'] } },
      }),
      expect.objectContaining({
        Action: 'dynamodb:GetItem',
        Resource: { 'Fn::GetAtt': [logicalId(stack.pipeline.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['checkpoint#*'] } },
      }),
      expect.objectContaining({
        Action: 'dynamodb:BatchGetItem',
        Resource: { 'Fn::GetAtt': [logicalId(stack.pipeline.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['journal#*'] } },
      }),
    ]);
  });

  it('should let the consent function read and retry dead letters, and send only to their source queues', () => {
    const sqs = statementsOf('oauth').filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    const arn = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });
    const actionsOn = (construct: IConstruct) =>
      [
        ...new Set(
          sqs
            .filter((s) => JSON.stringify(asArray(s.Resource)).includes(JSON.stringify(arn(construct))))
            .flatMap((s) => asArray(s.Action))
        ),
      ].sort();
    for (const pair of [stack.pipeline.changes, stack.pipeline.writes, stack.pipeline.xeroEvents]) {
      expect(actionsOn(pair.deadLetterQueue)).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:StartMessageMoveTask',
      ]);
      expect(actionsOn(pair.queue)).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    }
    const resources = sqs.flatMap((s) => asArray(s.Resource)).map((r) => JSON.stringify(r));
    expect(resources).not.toContain(JSON.stringify(arn(stack.credentials.scheduleDeadLetterQueue)));
  });
});
