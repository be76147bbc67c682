import { Validations, type App } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { SKIP_BUNDLING } from './synth-helpers';

/**
 * cdk-nag v3 runs as a CDK policy-validation plugin: `app.synth()` throws "Validation failed" and writes
 * validation-report.json when any finding is unacknowledged. Every acknowledgement in lib/ carries its reason.
 */
describe('cdk-nag AwsSolutions checks', () => {
  const outdirs: string[] = [];
  const appFor = (stage: string): App => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-nag-'));
    outdirs.push(outdir);
    const { app } = buildApp({ outdir, context: { ...SKIP_BUNDLING, stage } });
    // The same registration as bin/connector.ts.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return app;
  };
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it.each(['dev', 'prod'])('should leave no unacknowledged finding in %s', (stage) => {
    // Prepare
    const app = appFor(stage);

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess: list the findings by rule and construct so a failure explains itself
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)
    );
    expect(findings).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('should fail synth when a resource breaks a rule', () => {
    // Prepare
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const app = appFor('dev');
    const stack = app.node.children.find((child) => child.node.id === 'D365Xero-dev')!;
    new Queue(stack, 'InsecureQueue', { enforceSSL: false });

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-SQS4/);
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(nag?.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4'])
    );
  });
});
