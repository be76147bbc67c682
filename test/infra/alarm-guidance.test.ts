import type { Template } from 'aws-cdk-lib/assertions';
import { ALARM_DESCRIPTION_MAX } from '../../lib/constructs/monitoring';
import { logicalIdOf, synthStage } from './synth-helpers';

type Alarm = { Properties: { AlarmDescription: unknown; MetricName?: string; Dimensions?: unknown } };

/** Longest form a deployed queue ARN takes (partition, region, account and an 80-character queue name). */
const LONGEST_QUEUE_ARN = `arn:aws-us-gov:sqs:ap-southeast-4:123456789012:${'q'.repeat(80)}`;

/** The description as CloudFormation would render it; a queue ARN (GetAtt …Arn) stands in as `<arn:LogicalId>`. */
function rendered(description: unknown): string {
  if (typeof description === 'string') return description;
  const join = (description as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected description ${JSON.stringify(description)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt?.[1] === 'Arn') return `<arn:${getAtt[0]}>`;
      throw new Error(`unexpected token ${JSON.stringify(part)}`);
    })
    .join(join[0]);
}

function alarms(template: Template): Alarm[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
}

function alarmOnMetric(template: Template, metricName: string): string {
  const found = alarms(template).filter((a) => a.Properties.MetricName === metricName);
  expect(found).toHaveLength(1);
  return rendered(found[0]!.Properties.AlarmDescription);
}

function dlqAlarm(template: Template, queueLogicalId: string): string {
  const found = alarms(template).filter(
    (a) =>
      a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
      JSON.stringify(a.Properties.Dimensions).includes(`"${queueLogicalId}"`)
  );
  expect(found).toHaveLength(1);
  return rendered(found[0]!.Properties.AlarmDescription);
}

describe('alarm descriptions', () => {
  const { stack, template } = synthStage('dev');

  it('should tell the operator the command that prints a consent link when Xero needs reconnecting', () => {
    const text = alarmOnMetric(template, 'ReconnectRequired');
    expect(text).toContain('npx connector connect-link --stage dev');
    expect(text.split('\n').length).toBeGreaterThan(2);
  });

  it.each([
    ['changes', () => stack.pipeline.changes.deadLetterQueue],
    ['Xero writes', () => stack.pipeline.writes.deadLetterQueue],
    ['Xero events', () => stack.pipeline.xeroEvents.deadLetterQueue],
  ])('should give the %s dead-letter alarm the redrive command for that very queue', (_name, queueOf) => {
    const id = logicalIdOf(stack, queueOf());
    const text = dlqAlarm(template, id);
    expect(text).toContain(`npx connector redrive --aws <arn:${id}>`);
    expect(text).toContain('npx connector login-link --stage dev');
  });

  it('should not offer a redrive for the schedule dead-letter queue, which has no source queue', () => {
    const id = logicalIdOf(stack, stack.credentials.scheduleDeadLetterQueue);
    const text = dlqAlarm(template, id);
    expect(text).not.toContain('redrive');
    expect(text).toContain('next scheduled run');
  });

  it('should say where to read why records failed: the status page and the Dataverse integration log', () => {
    const text = alarmOnMetric(template, 'SyncFailed');
    expect(text).toContain('npx connector login-link --stage dev');
    expect(text).toMatch(/integration log/i);
  });

  it('should keep every description within CloudWatch’s 1024 characters, even with the longest queue ARN', () => {
    for (const alarm of alarms(template)) {
      const text = rendered(alarm.Properties.AlarmDescription).replace(/<arn:[^>]+>/g, LONGEST_QUEUE_ARN);
      expect(text.length).toBeLessThanOrEqual(ALARM_DESCRIPTION_MAX);
    }
  });
});
