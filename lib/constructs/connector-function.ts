import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type EnvironmentOptions } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import * as path from 'node:path';
import { declaredEnv, FUNCTION_CONTRACTS, type FunctionId } from '../../lambdas/contract/environment';
import type { Stage } from '../config/types';

/** Powertools service name shared by every function, so metric alarms can match the `service` dimension. */
export const SERVICE_NAME = 'd365-xero-connector';

/** CloudWatch namespace the handlers' EMF metrics land in (POWERTOOLS_METRICS_NAMESPACE). */
export function metricsNamespace(stage: Stage): string {
  return `D365Xero/${stage}`;
}

/** Node module names provided by the Lambda Node.js 22 runtime, left out of every bundle. */
export const RUNTIME_PROVIDED_MODULES = ['@aws-sdk/*'];

/** Repository root: handler entries are resolved from here, independent of the caller's working directory. */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Packages replaced in every bundle by a smaller stand-in, as paths relative to the repository root (esbuild resolves
 * an alias from its working directory). Each stand-in says why it is safe.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'form-data': './lambdas/adapters/xero/runtime-form-data.ts',
};

/** esbuild settings shared with bench/bundle-size.ts, so the benchmark measures what is deployed. */
export const CONNECTOR_ESBUILD_OPTIONS = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minify: true,
  // Minified names would turn `PermanentError` into `Yn` in logs and break `error.name` checks across bundles.
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  external: RUNTIME_PROVIDED_MODULES,
  alias: BUNDLE_ALIASES,
} as const;

/** Settings every connector function shares within a stage. */
export interface ConnectorFunctionDefaults {
  readonly stage: Stage;
  /** A RetentionDays value from the stage config. */
  readonly logRetentionDays: number;
  /** Keep the log group when the stack is deleted. */
  readonly retainLogs: boolean;
  /**
   * Stage values (URLs, mapping settings, Dataverse organisation…). Each function receives only those its
   * contract declares (lambdas/contract/environment.ts).
   */
  readonly environment: Readonly<Record<string, string>>;
}

export interface ConnectorFunctionProps {
  readonly defaults: ConnectorFunctionDefaults;
  /** The function's entry in the deployment contract: its handler file and the environment it reads. */
  readonly contract: FunctionId;
  readonly description: string;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 (MB; also buys CPU for TLS handshakes and JSON work) */
  readonly memorySize?: number;
  /** @default none (unreserved) */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A connector Lambda with the project's fixed defaults: Node.js 22 on ARM64, local esbuild bundling (minified, with
 * source maps), X-Ray tracing, its own log group with the stage's retention, Powertools settings, and a role that
 * can write only to that log group. Grants are added by the construct that owns the function's concern.
 */
export class ConnectorFunction extends NodejsFunction {
  /** Which contract entry this function implements (the infra tests check its environment against it). */
  readonly contract: FunctionId;
  private readonly declared: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: ConnectorFunctionProps) {
    const { defaults } = props;
    const declared = declaredEnv(props.contract);
    const stageValues = Object.entries(defaults.environment).filter(([name]) => declared.has(name));
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: defaults.logRetentionDays as RetentionDays,
      removalPolicy: defaults.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: log writes scoped to this function's log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (${defaults.stage})`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: path.join(REPO_ROOT, FUNCTION_CONTRACTS[props.contract].entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      role,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      environment: {
        ...Object.fromEntries(stageValues),
        STAGE: defaults.stage,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(defaults.stage),
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        forceDockerBundling: false,
        minify: CONNECTOR_ESBUILD_OPTIONS.minify,
        keepNames: CONNECTOR_ESBUILD_OPTIONS.keepNames,
        sourceMap: CONNECTOR_ESBUILD_OPTIONS.sourcemap,
        sourcesContent: CONNECTOR_ESBUILD_OPTIONS.sourcesContent,
        target: CONNECTOR_ESBUILD_OPTIONS.target,
        format: OutputFormat.CJS,
        externalModules: [...RUNTIME_PROVIDED_MODULES],
        // Local bundling runs esbuild in projectRoot (the repository root), so the relative paths resolve as above.
        esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
      },
    });

    this.contract = props.contract;
    this.declared = declared;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the pinned LTS runtime the code, tests and bundle target are built for; upgrade deliberately.',
    });
    // Active tracing adds xray:PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.',
    });
  }

  /**
   * Set a variable the contract declares for this function; anything else fails synth. Resource variables are set
   * with their grant by lib/constructs/bindings.ts rather than here.
   */
  override addEnvironment(key: string, value: string, options?: EnvironmentOptions): this {
    if (this.declared && !this.declared.has(key)) {
      throw new Error(
        `${this.node.path}: ${key} is not in the ${this.contract} contract (lambdas/contract/environment.ts)`
      );
    }
    return super.addEnvironment(key, value, options);
  }
}
