/**
 * The one AWS endpoint the functions and the CLI see (AWS_ENDPOINT_URL): Lambda Invoke goes to the harness's
 * Lambda host (moto cannot run Node functions), SQS StartMessageMoveTask / ListMessageMoveTasks are emulated here
 * (moto 5.2 lacks them), everything else is forwarded to moto unchanged. It also counts calls per API action.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { WAIT_UNTIL_ATTRIBUTE } from '../../lambdas/adapters/aws/sqs-work-queue';
import { FunctionNotFoundError, TooManyRequestsError, type LambdaHost } from './aws-lambda-host';

export interface AwsEndpoint {
  readonly url: string;
  /** Calls per action (`AmazonSQS.SendMessage`, `DynamoDB_20120810.GetItem`, `Lambda.Invoke`, …) since start. */
  readonly calls: Map<string, number>;
  /** Milliseconds spent answering the calls forwarded to moto (the emulator's share of the wall clock). */
  readonly emulatorMs: { total: number };
  close(): Promise<void>;
}

export interface MessageMoveTasks {
  start(sourceArn: string, destinationArn?: string): Promise<string>;
  list(sourceArn: string): object[];
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startAwsEndpoint(options: {
  motoUrl: string;
  /** The harness time scale (see aws-stack.ts): applied to visibility timeouts the callers set. */
  timeScale: number;
  lambda: () => LambdaHost;
  moveTasks: () => MessageMoveTasks;
}): Promise<AwsEndpoint> {
  const calls = new Map<string, number>();
  const emulatorMs = { total: 0 };
  const count = (action: string) => calls.set(action, (calls.get(action) ?? 0) + 1);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const [path, query] = (req.url ?? '').split('?');
      const invoke = req.method === 'POST' ? INVOKE_PATH.exec(path!) : null;
      const qualifier = new URLSearchParams(query ?? '').get('Qualifier') ?? undefined;
      count(invoke ? 'Lambda.Invoke' : target || `${req.method} ${(req.url ?? '').split('?')[0]}`);
      const handled = invoke
        ? invokeFunction(options.lambda(), decodeURIComponent(invoke[1]!), qualifier, req, body, res)
        : target === 'AmazonSQS.StartMessageMoveTask' || target === 'AmazonSQS.ListMessageMoveTasks'
          ? moveTask(options.moveTasks(), target, body, res)
          : timed(emulatorMs, forward(options.motoUrl, req, scaleVisibility(target, body, options.timeScale), res));
      handled.catch((error: unknown) => {
        if (process.env.DEBUG_AWS_TIER) process.stderr.write(`[endpoint] ${target || req.url}: ${String(error)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    emulatorMs,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function timed(sum: { total: number }, work: Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await work;
  } finally {
    sum.total += performance.now() - started;
  }
}

async function invokeFunction(
  host: LambdaHost,
  name: string,
  qualifier: string | undefined,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse
): Promise<void> {
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  let event: unknown;
  try {
    event = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return lambdaError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
  }
  try {
    host.invokedArn(name, qualifier);
  } catch (error) {
    if (error instanceof FunctionNotFoundError)
      return lambdaError(res, 404, 'ResourceNotFoundException', error.message);
    throw error;
  }
  if (type === 'Event') {
    // Asynchronous invoke: Lambda queues the event and answers 202 at once.
    void host.invoke(name, event, 'queued', qualifier);
    res.writeHead(202).end();
    return;
  }
  try {
    const result = await host.invoke(name, event, 'sync', qualifier);
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-amz-executed-version': '$LATEST',
      ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
    });
    res.end(result.payload);
  } catch (error) {
    if (error instanceof TooManyRequestsError)
      return lambdaError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    throw error;
  }
}

function lambdaError(res: ServerResponse, status: number, type: string, message: string, extra: object = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Type: 'User', message, ...extra }));
}

async function moveTask(tasks: MessageMoveTasks, target: string, body: Buffer, res: ServerResponse): Promise<void> {
  const input = JSON.parse(body.toString('utf8') || '{}') as { SourceArn: string; DestinationArn?: string };
  res.setHeader('content-type', 'application/x-amz-json-1.0');
  if (target === 'AmazonSQS.StartMessageMoveTask') {
    const handle = await tasks.start(input.SourceArn, input.DestinationArn);
    res.writeHead(200).end(JSON.stringify({ TaskHandle: handle }));
  } else {
    res.writeHead(200).end(JSON.stringify({ Results: tasks.list(input.SourceArn) }));
  }
}

/**
 * A visibility timeout a function sets (a pause, a Retry-After) shrinks with the harness time scale, like the
 * queues' own: rounded up, so a non-zero wait never becomes an immediate redelivery.
 */
function scaleVisibility(target: string, body: Buffer, timeScale: number): Buffer {
  if (timeScale === 1) return body;
  const scale = (seconds: unknown) => (typeof seconds === 'number' ? Math.ceil(seconds * timeScale) : seconds);
  if (target === 'AmazonSQS.ChangeMessageVisibility' || target === 'AmazonSQS.ReceiveMessage') {
    const input = JSON.parse(body.toString('utf8')) as { VisibilityTimeout?: number };
    if (input.VisibilityTimeout === undefined) return body;
    return Buffer.from(JSON.stringify({ ...input, VisibilityTimeout: scale(input.VisibilityTimeout) }));
  }
  if (target === 'AmazonSQS.SendMessage') {
    const input = JSON.parse(body.toString('utf8')) as SendEntry;
    return Buffer.from(JSON.stringify(scaleSend(input, scale, timeScale)));
  }
  if (target === 'AmazonSQS.SendMessageBatch') {
    const input = JSON.parse(body.toString('utf8')) as { Entries: SendEntry[] };
    const entries = input.Entries.map((e) => scaleSend(e, scale, timeScale));
    return Buffer.from(JSON.stringify({ ...input, Entries: entries }));
  }
  if (target === 'AmazonSQS.ChangeMessageVisibilityBatch') {
    const input = JSON.parse(body.toString('utf8')) as { Entries: { VisibilityTimeout?: number }[] };
    const entries = input.Entries.map((e) => ({ ...e, VisibilityTimeout: scale(e.VisibilityTimeout) }));
    return Buffer.from(JSON.stringify({ ...input, Entries: entries }));
  }
  return body;
}

interface SendEntry {
  DelaySeconds?: number;
  MessageAttributes?: Record<string, { DataType?: string; StringValue?: string }>;
}

/**
 * A message delay shrinks like a visibility timeout; so does the work runner's `waitUntil` (the wall-clock time
 * before which a re-sent paused message is hidden again), measured from now, or the copy would outwait the test.
 */
function scaleSend(entry: SendEntry, scale: (seconds: unknown) => unknown, timeScale: number): SendEntry {
  const out: SendEntry = { ...entry };
  if (entry.DelaySeconds !== undefined) out.DelaySeconds = scale(entry.DelaySeconds) as number;
  const waitUntil = entry.MessageAttributes?.[WAIT_UNTIL_ATTRIBUTE];
  if (waitUntil?.DataType === 'Number' && Number.isFinite(Number(waitUntil.StringValue))) {
    const now = Date.now();
    const scaled = now + Math.max(0, Number(waitUntil.StringValue) - now) * timeScale;
    out.MessageAttributes = {
      ...entry.MessageAttributes,
      [WAIT_UNTIL_ATTRIBUTE]: { ...waitUntil, StringValue: String(Math.ceil(scaled)) },
    };
  }
  return out;
}

function forward(motoUrl: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const target = new URL(req.url ?? '/', motoUrl);
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      target,
      // The original Host stays: moto builds queue URLs from it, so they point back at this endpoint.
      { method: req.method, headers: { ...req.headers, 'content-length': String(body.length) }, timeout: 60_000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      }
    );
    upstream.on('timeout', () => upstream.destroy(new Error('moto did not answer within 60 s')));
    upstream.on('error', reject);
    upstream.end(body);
  });
}
