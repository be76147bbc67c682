#!/usr/bin/env node
// CDK entry: `npx cdk synth|deploy -c stage=dev`. Offline-safe: no account, region or lookups are needed to synth.
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../lib/app';
import { ConfigError } from '../lib/config/validate';

try {
  const { app } = buildApp();
  // cdk-nag v3 is a policy-validation plugin: any unacknowledged AwsSolutions finding fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
