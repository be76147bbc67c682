import { App, Tags, type AppProps } from 'aws-cdk-lib';
import { resolveEnvironmentConfig } from './config/validate';
import type { Stage } from './config/types';
import { ConnectorStack } from './stacks/connector-stack';
import { stackNameOf } from '../lambdas/contract/stack-outputs';

export interface BuildAppOptions extends AppProps {
  /** Override the checked-in stage table (tests feed invalid configurations through this). */
  readonly environments?: Readonly<Record<Stage, unknown>>;
}

/** Stack name for a stage; one stack per stage, so dev and prod can share an account. */
export function stackName(stage: Stage): string {
  return stackNameOf(stage);
}

/**
 * Build the CDK app for the stage given as `-c stage=NAME` (context). Env-agnostic: no account, region or lookups,
 * so synth works offline without credentials. Throws ConfigError naming the field when configuration is invalid.
 * cdk-nag is registered by the caller (bin/connector.ts, nag.test.ts), so template tests stay fast.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: ConnectorStack } {
  const { environments, ...appProps } = options;
  const app = new App(appProps);
  const config = resolveEnvironmentConfig(app.node.tryGetContext('stage'), environments);
  const stack = new ConnectorStack(app, stackName(config.stage), {
    config,
    description: `Dynamics 365 (Dataverse) → Xero connector (${config.stage})`,
    terminationProtection: config.retainData,
  });
  Tags.of(app).add('project', 'd365-xero-connector');
  Tags.of(app).add('stage', config.stage);
  return { app, stack };
}
