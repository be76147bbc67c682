#!/usr/bin/env node
// CDK entry: `npx cdk synth|deploy -c stage=dev`. cdk-nag (AwsSolutions) runs as a synth-time validation plugin,
// registered in buildApp with Validations.of(app).addPlugins(new AwsSolutionsChecks(app)).
import { buildApp } from '../lib/app';
import { ConfigError } from '../lib/config/validate';

try {
  buildApp().app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
