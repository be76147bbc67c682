import { Match } from 'aws-cdk-lib/assertions';
import { environments } from '../../lib/config/environments';
import { logicalIdOf, synthStage } from './synth-helpers';

describe('catch-up sweep and preflight on AWS', () => {
  it('should invoke the sweep function every 5 minutes by default, with retries and a DLQ', () => {
    const { stack, template } = synthStage('dev');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.pipeline.sweepFunction), 'Arn'] },
        Input: JSON.stringify({ action: 'sweep' }),
        RetryPolicy: { MaximumRetryAttempts: 2 },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Dataverse changes no webhook delivered'),
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          SYNC_STATE_TABLE: Match.anyValue(),
          CHANGES_QUEUE_URL: Match.anyValue(),
          TOKEN_FUNCTION_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it("should take the sweep rate from the stage's schedules", () => {
    const slower = {
      ...environments,
      dev: {
        ...environments.dev,
        schedules: { ...environments.dev.schedules, dataverseSweepRate: '15 minutes' as const },
      },
    };
    const { template } = synthStage('dev', { environments: slower });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it('should alarm when missed changes are found three sweeps in a row, and on preflight problems', () => {
    const { template } = synthStage('dev');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SweepMissedChanges',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Period: 300,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PreflightProblems', Threshold: 1 });
  });

  it('should let the Dataverse webhook function note delivered changes in the sync-state table', () => {
    const { stack, template } = synthStage('dev');
    const webhook = logicalIdOf(stack, stack.ingress.dataverseWebhookFunction);
    const fn = template.toJSON().Resources[webhook] as {
      Properties: { Environment: { Variables: object }; Role: { 'Fn::GetAtt': [string, string] } };
    };
    expect(fn.Properties.Environment.Variables).toHaveProperty('SYNC_STATE_TABLE');
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes(`{"Ref":"${role}"}`)
    );
    expect(JSON.stringify(policies)).toContain('dynamodb:UpdateItem');
  });
});
