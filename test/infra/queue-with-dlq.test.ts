import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { QueueWithDlq } from '../../lib/constructs/queue-with-dlq';

function synth(props: ConstructorParameters<typeof QueueWithDlq>[2]): {
  stack: Stack;
  template: Template;
  pair: QueueWithDlq;
} {
  const stack = new Stack();
  const pair = new QueueWithDlq(stack, 'Pair', props);
  return { stack, template: Template.fromStack(stack), pair };
}

describe('QueueWithDlq', () => {
  it('should create a standard encrypted queue whose DLQ keeps messages for 14 days', () => {
    // Act
    const { template, stack, pair } = synth({ visibilityTimeout: Duration.minutes(3) });

    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [stack.getLogicalId(pair.deadLetterQueue.node.defaultChild as CfnElement), 'Arn'],
        },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(JSON.stringify(template.toJSON())).not.toContain('FifoQueue');
  });

  it('should make both queues FIFO with content-based deduplication off when asked', () => {
    const { template } = synth({ visibilityTimeout: Duration.minutes(1), fifo: true });
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
  });

  it('should honour a custom receive count and deny non-TLS access to both queues', () => {
    const { template } = synth({ visibilityTimeout: Duration.minutes(1), maxReceiveCount: 3 });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 3 } });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties)).toContain('"Effect":"Deny"');
      expect(JSON.stringify(p.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });
});
