import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { environments } from '../../lib/config/environments';
import { SKIP_BUNDLING } from './synth-helpers';

describe('invoice poll schedule (Xero orgs without webhooks)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-poll-'));
  const plainOutdir = mkdtempSync(join(tmpdir(), 'cdk-poll-'));
  afterAll(() => [outdir, plainOutdir].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('should invoke the write-back function on the configured rate, with retries and a DLQ, and pass cdk-nag', () => {
    const polling = {
      ...environments,
      dev: { ...environments.dev, schedules: { ...environments.dev.schedules, invoicePollRate: '15 minutes' } },
    };
    const { app, stack } = buildApp({ outdir, context: { ...SKIP_BUNDLING, stage: 'dev' }, environments: polling });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: {
        Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.pipeline.writebackFunction.node.defaultChild as never), 'Arn'] },
        Input: JSON.stringify({ action: 'poll-invoices' }),
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: {
          Arn: {
            'Fn::GetAtt': [
              stack.getLogicalId(stack.pipeline.xeroEvents.deadLetterQueue.node.defaultChild as never),
              'Arn',
            ],
          },
        },
      },
    });
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  it('should create no poll schedule when the stage does not ask for one, and always reconcile nightly with an alarm on drift', () => {
    const { stack } = buildApp({ outdir: plainOutdir, context: { ...SKIP_BUNDLING, stage: 'dev' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReconciliationDrift',
      Threshold: 1,
      Period: 86400,
    });
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    // The token refresh, the nightly reconciliation and the catch-up sweep only.
    expect(
      Object.values(schedules)
        .map((r) => (r as { Properties: { ScheduleExpression: string } }).Properties.ScheduleExpression)
        .sort()
    ).toEqual(['cron(30 2 * * ? *)', 'rate(20 minutes)', 'rate(5 minutes)']);
  });
});
