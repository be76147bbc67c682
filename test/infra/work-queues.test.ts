import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { ConnectorFunction } from '../../lib/constructs/connector-function';
import { logicalIdOf, propertiesOf, synthStage } from './synth-helpers';

/**
 * What the work runner needs of each SQS consumer: the URLs of its queue and dead-letter queue, the right to send to
 * its dead-letter queue (dead letters with a reason) and to its own queue (fresh copies of paused work).
 */
describe('work queues of the SQS consumers', () => {
  const { stack, template } = synthStage('dev');
  const sendTargets = (fn: ConnectorFunction): string[] => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(stack.getLogicalId(fn.role!.node.defaultChild as never))
    );
    const statements = policies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]
    );
    return statements
      .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
      .map((s) => JSON.stringify(s.Resource));
  };
  const arnOf = (queue: Queue) => JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack, queue), 'Arn'] });
  const env = (fn: ConnectorFunction) =>
    (propertiesOf(template, logicalIdOf(stack, fn)).Environment as { Variables: Record<string, unknown> }).Variables;

  it.each([
    ['map', () => stack.pipeline.mapFunction, () => stack.pipeline.changes, 'CHANGES'],
    ['post', () => stack.pipeline.postFunction, () => stack.pipeline.writes, 'WRITES'],
    ['write-back', () => stack.pipeline.writebackFunction, () => stack.pipeline.xeroEvents, 'XERO_EVENTS'],
  ])('should let the %s function settle on its queue and dead-letter queue', (_name, fnOf, pairOf, prefix) => {
    const fn = fnOf();
    const pair = pairOf();

    expect(env(fn)).toEqual(
      expect.objectContaining({
        [`${prefix}_QUEUE_URL`]: { Ref: logicalIdOf(stack, pair.queue) },
        [`${prefix}_DLQ_URL`]: { Ref: logicalIdOf(stack, pair.deadLetterQueue) },
      })
    );
    expect(sendTargets(fn)).toEqual(expect.arrayContaining([arnOf(pair.queue), arnOf(pair.deadLetterQueue)]));
  });
});
