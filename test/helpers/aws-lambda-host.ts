/**
 * The Lambda service of the AWS tier: every AWS::Lambda::Function of the template runs from its bundled asset in
 * cdk.out, one child process per execution environment (aws-lambda-runner.js), kept warm and reused like Lambda
 * reuses containers. Reserved concurrency caps the environments of a function: a synchronous invoke beyond it is
 * throttled (429), event-source and scheduled invokes wait. The function's Timeout kills the process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface FunctionSpec {
  readonly logicalId: string;
  /** Construct path from the template metadata, e.g. `D365Xero-dev/SyncPipeline/MapFunction/Resource`. */
  readonly path: string;
  readonly name: string;
  readonly arn: string;
  readonly handler: string;
  readonly codeDir: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly reservedConcurrency?: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Qualifiers an invoke may name: the template's aliases (name → version) and versions. */
  readonly qualifiers?: Readonly<Record<string, string>>;
}

export interface InvokeResult {
  /** JSON text the function returned, or Lambda's error object for a function error. */
  readonly payload: string;
  /** 'Unhandled' when the function failed (error, timeout, crash), as X-Amz-Function-Error says. */
  readonly functionError?: string;
}

export interface LogLine {
  readonly functionName: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export class TooManyRequestsError extends Error {
  readonly retryable = true;
  constructor(functionName: string) {
    super(`Rate Exceeded: reserved concurrency of ${functionName} is in use`);
    this.name = 'TooManyRequestsError';
  }
}

export class FunctionNotFoundError extends Error {
  readonly retryable = false;
}

interface Environment {
  readonly child: ChildProcess;
  busy: boolean;
  /** Killed or exited: never handed another invocation (the exit event may not have arrived yet). */
  dead: boolean;
  onResult?: (message: RunnerMessage) => void;
}

type RunnerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: object }
  | { type: 'result'; id: string; ok: true; payload: string }
  | { type: 'result'; id: string; ok: false; error: object; exit?: boolean };

const RUNNER = join(__dirname, 'aws-lambda-runner.js');
const INIT_TIMEOUT_MS = 10_000;

class FunctionPool {
  readonly idle: Environment[] = [];
  busy = 0;
  readonly waiters: (() => void)[] = [];
  readonly running = new Set<Environment>();
  invocations = 0;
  constructor(
    readonly spec: FunctionSpec,
    readonly cap: number
  ) {}
}

export class LambdaHost {
  private readonly pools = new Map<string, FunctionPool>();
  readonly logs: LogLine[] = [];
  private closed = false;

  constructor(
    functions: readonly FunctionSpec[],
    private readonly baseEnv: Readonly<Record<string, string>>,
    /** Cap for functions without reserved concurrency (the machine, not the account limit, is the bound). */
    unreservedCap: number
  ) {
    for (const spec of functions)
      this.pools.set(spec.name, new FunctionPool(spec, spec.reservedConcurrency ?? unreservedCap));
  }

  get functions(): FunctionSpec[] {
    return [...this.pools.values()].map((p) => p.spec);
  }

  /** A function by name, ARN (optionally qualified) or partial ARN. */
  spec(ref: string): FunctionSpec {
    return this.pool(ref).spec;
  }

  /**
   * The ARN an invocation of `ref` (plus an explicit Qualifier, as Invoke takes one) reaches the handler as
   * (context.invokedFunctionArn): qualified when the caller named an alias or version, which must exist.
   */
  invokedArn(ref: string, qualifier?: string): string {
    const { spec } = this.pool(ref);
    const parts = ref.split(':');
    const fromArn = parts.length === 8 && parts[5] === 'function' ? parts[7] : undefined;
    if (qualifier && fromArn && qualifier !== fromArn)
      throw new FunctionNotFoundError(`The qualifier ${qualifier} does not match ${ref}`);
    const named = qualifier ?? fromArn;
    if (named === undefined || named === '$LATEST') return named ? `${spec.arn}:${named}` : spec.arn;
    if (!spec.qualifiers || !(named in spec.qualifiers))
      throw new FunctionNotFoundError(`Function not found: ${spec.arn}:${named}`);
    return `${spec.arn}:${named}`;
  }

  invocationCount(ref: string): number {
    return this.pool(ref).invocations;
  }

  /**
   * Runs one invocation. `mode: 'sync'` is a RequestResponse invoke (throttled beyond reserved concurrency);
   * 'queued' is how event sources and async invokes behave: wait for a free environment.
   */
  async invoke(
    ref: string,
    event: unknown,
    mode: 'sync' | 'queued' = 'sync',
    qualifier?: string
  ): Promise<InvokeResult> {
    const pool = this.pool(ref);
    const invokedArn = this.invokedArn(ref, qualifier);
    await this.acquire(pool, mode);
    pool.invocations++;
    let environment: Environment | undefined;
    try {
      environment = pool.idle.pop() ?? (await this.start(pool));
      return await this.run(pool, environment, event, invokedArn);
    } catch (error) {
      return failed('Runtime.InitError', error instanceof Error ? error.message : String(error));
    } finally {
      if (environment && !environment.dead) pool.idle.push(environment);
      pool.busy--;
      pool.waiters.shift()?.();
    }
  }

  /** Kills the function's busy environments now (a crash mid-invocation); returns how many were killed. */
  killRunning(ref: string): number {
    const pool = this.pool(ref);
    const busy = [...pool.running].filter((e) => e.busy);
    for (const environment of busy) kill(environment);
    return busy.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const children = [...this.pools.values()].flatMap((p) => [...p.running].map((e) => e.child));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          })
      )
    );
  }

  private pool(ref: string): FunctionPool {
    const name = /:function:([^:]+)/.exec(ref)?.[1] ?? ref;
    const pool = this.pools.get(name);
    if (!pool) throw new FunctionNotFoundError(`Function not found: ${ref}`);
    return pool;
  }

  private async acquire(pool: FunctionPool, mode: 'sync' | 'queued'): Promise<void> {
    if (this.closed) throw new Error('the Lambda host is closed');
    while (pool.busy >= pool.cap) {
      if (mode === 'sync') throw new TooManyRequestsError(pool.spec.name);
      await new Promise<void>((resolve) => pool.waiters.push(resolve));
    }
    pool.busy++;
  }

  private start(pool: FunctionPool): Promise<Environment> {
    const { spec } = pool;
    const child = fork(RUNNER, [spec.codeDir, spec.handler], {
      cwd: spec.codeDir,
      // Lambda runs Node 22; this machine's Node 20 would make the SDK warn on every cold start.
      execArgv: ['--disable-warning=NodeVersionSupportWarning'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...this.baseEnv,
        ...spec.environment,
        AWS_LAMBDA_FUNCTION_NAME: spec.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `emulated/${randomUUID()}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        LAMBDA_TASK_ROOT: spec.codeDir,
        _HANDLER: spec.handler,
        TZ: ':UTC',
      },
    });
    const environment: Environment = { child, busy: false, dead: false };
    pool.running.add(environment);
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]! }).on('line', (line) => {
        this.logs.push({ functionName: spec.name, stream, line });
        if (process.env.DEBUG_AWS_TIER) process.stderr.write(`[${spec.logicalId}] ${line}\n`);
      });
    }
    child.on('message', (message: RunnerMessage) => environment.onResult?.(message));
    // A send to an environment that just died fails the invocation (see run), not the host.
    child.on('error', () => kill(environment));
    child.on('exit', (code, signal) => {
      environment.dead = true;
      pool.running.delete(environment);
      const index = pool.idle.indexOf(environment);
      if (index >= 0) pool.idle.splice(index, 1);
      environment.onResult?.({
        type: 'result',
        id: '*',
        ok: false,
        error: { errorType: 'Runtime.ExitError', errorMessage: `exited (${signal ?? code}) during the invocation` },
      });
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        kill(environment);
        reject(new Error(`${spec.logicalId} did not initialise within ${INIT_TIMEOUT_MS} ms`));
      }, INIT_TIMEOUT_MS);
      environment.onResult = (message) => {
        clearTimeout(timer);
        environment.onResult = undefined;
        if (message.type === 'ready') resolve(environment);
        else reject(new Error(`init failed: ${JSON.stringify('error' in message ? message.error : message)}`));
      };
    });
  }

  private run(pool: FunctionPool, environment: Environment, event: unknown, invokedArn: string): Promise<InvokeResult> {
    const { spec } = pool;
    const id = randomUUID();
    const timeoutMs = spec.timeoutSeconds * 1000;
    environment.busy = true;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        environment.onResult = undefined;
        kill(environment);
        resolve(failed('Sandbox.Timedout', `Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`));
      }, timeoutMs);
      environment.onResult = (message) => {
        if (message.type !== 'result' || (message.id !== id && message.id !== '*')) return;
        clearTimeout(timer);
        environment.onResult = undefined;
        environment.busy = false;
        if (message.ok) resolve({ payload: message.payload });
        else {
          if (message.exit || message.id === '*') kill(environment);
          resolve({ payload: JSON.stringify(message.error), functionError: 'Unhandled' });
        }
      };
      environment.child.send(
        {
          type: 'invoke',
          id,
          event,
          deadline: Date.now() + timeoutMs,
          traceId: `Root=1-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
          context: {
            functionName: spec.name,
            // Through an alias, Lambda reports the version the alias points to.
            functionVersion: spec.qualifiers?.[invokedArn.split(':')[7] ?? ''] ?? '$LATEST',
            invokedFunctionArn: invokedArn,
            memoryLimitInMB: String(spec.memoryMb),
            awsRequestId: id,
            logGroupName: `/aws/lambda/${spec.name}`,
            logStreamName: 'emulated',
          },
        },
        (error) => {
          if (!error) return;
          kill(environment);
          environment.onResult?.({
            type: 'result',
            id: '*',
            ok: false,
            error: { errorType: 'Runtime.ExitError', errorMessage: error.message },
          });
        }
      );
    });
  }
}

function kill(environment: Environment): void {
  environment.dead = true;
  environment.child.kill('SIGKILL');
}

function failed(errorType: string, errorMessage: string): InvokeResult {
  return { payload: JSON.stringify({ errorType, errorMessage }), functionError: 'Unhandled' };
}
